"""The local « kiosque bancaire » simulator (FEATURES C6): a payment provider's own records.

It stands in for the bank's payment page in development, the demo and the tests. It knows
nothing of the portal's models: it receives a signed request, shows the amount, records the
payer's choice once, and sends the browser back with a signed result.
"""

import uuid

from django.db import models
from django.utils import timezone


class Outcome(models.TextChoices):
    PENDING = "PENDING", "En attente"
    ACCEPTED = "ACCEPTED", "Paiement accepté"
    REFUSED = "REFUSED", "Paiement refusé"
    CANCELLED = "CANCELLED", "Paiement annulé"


def new_transaction_id():
    return f"KIO-{uuid.uuid4().hex[:20].upper()}"


class Transaction(models.Model):
    transaction_id = models.CharField(
        "transaction", max_length=64, unique=True, default=new_transaction_id
    )
    merchant = models.CharField("commerçant", max_length=50)
    reference = models.CharField("référence du commerçant", max_length=64)
    amount_cents = models.PositiveIntegerField("montant (centimes)")
    currency = models.CharField("devise", max_length=3, default="EUR")
    return_url = models.URLField("adresse de retour", max_length=500)
    outcome = models.CharField(
        "résultat", max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "transaction du kiosque"
        verbose_name_plural = "transactions du kiosque"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "reference"], name="kiosque_one_transaction_per_reference"
            )
        ]

    def __str__(self):
        return f"{self.transaction_id} ({self.get_outcome_display()})"

    @property
    def amount(self):
        from decimal import Decimal

        return Decimal(self.amount_cents) / 100
