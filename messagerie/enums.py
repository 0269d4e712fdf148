from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENDING = "sending", "En cours d'envoi"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec définitif"
