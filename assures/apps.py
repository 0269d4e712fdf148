from django.apps import AppConfig


class AssuresConfig(AppConfig):
    name = "assures"
    verbose_name = "Registre des assurés"
