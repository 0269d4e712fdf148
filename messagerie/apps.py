from django.apps import AppConfig


class MessagerieConfig(AppConfig):
    name = "messagerie"
    verbose_name = "Messagerie et envois"
