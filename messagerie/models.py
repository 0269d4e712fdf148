import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .enums import Channel, DeliveryStatus


class OutboundMessage(models.Model):
    """One e-mail or SMS to send (the outbox, FEATURES F4, ARCHITECTURE decision 4).

    Rendered when it is created (in the request, with its templates), so sending needs nothing
    but this row. The status moves pending → sending → sent (or failed after the last retry);
    the claim from pending to sending is one conditional UPDATE, so a message is sent once even
    if its task is queued twice.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField("canal", max_length=5, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_messages",
    )
    to = models.CharField("destinataire", max_length=254)
    template = models.CharField("modèle", max_length=100)
    subject = models.CharField("objet", max_length=250, blank=True)
    body_text = models.TextField("texte")
    body_html = models.TextField("HTML", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.CharField("dernière erreur", max_length=500, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "envoi (e-mail ou SMS)"
        verbose_name_plural = "envois (e-mails et SMS)"
        ordering = ["-created_at"]
        indexes = [
            # The periodic re-queue scans only unfinished rows.
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbound_unfinished",
            ),
            models.Index(fields=["user", "-created_at"], name="outbound_user_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbound_sent_has_date",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} « {self.subject or self.template} » à {self.to}"
