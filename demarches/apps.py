from django.apps import AppConfig


class DemarchesConfig(AppConfig):
    """« Mes démarches » (FEATURES E): one engine, one module per démarche type."""

    name = "demarches"
    verbose_name = "Démarches"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import registry

        registry.autodiscover()
