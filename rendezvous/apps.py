from django.apps import AppConfig


class RendezvousConfig(AppConfig):
    """FEATURES F3 « Prendre un rendez-vous », « Mes rendez-vous » and X5 (calendar export)."""

    name = "rendezvous"
    verbose_name = "Rendez-vous"
