from django.apps import AppConfig


class PreventionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "prevention"
    verbose_name = "Mon espace prévention"
