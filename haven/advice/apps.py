from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "haven.advice"
    label = "advice"
    verbose_name = "Public advice"
