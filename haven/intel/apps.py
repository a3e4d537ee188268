from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "haven.intel"
    label = "intel"
    verbose_name = "Intelligence"
