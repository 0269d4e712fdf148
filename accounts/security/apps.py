from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "accounts.security"
    label = "security"
    verbose_name = "Sécurité du compte"

    def ready(self):
        from . import reauthentication, signals  # noqa: F401

        # Accounts without a password (created with FranceConnect) re-authenticate too.
        reauthentication.install()
