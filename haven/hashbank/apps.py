from django.apps import AppConfig


class HashbankConfig(AppConfig):
    name = "haven.hashbank"
    label = "hashbank"
    verbose_name = "Hash bank"
