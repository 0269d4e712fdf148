from django.apps import AppConfig


class KiosqueConfig(AppConfig):
    name = "kiosque"
    verbose_name = "Kiosque bancaire (simulateur)"
