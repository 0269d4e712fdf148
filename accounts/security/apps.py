from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "accounts.security"
    label = "security"
    verbose_name = "Sécurité du compte"

    def ready(self):
        from . import signals  # noqa: F401
