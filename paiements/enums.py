from django.db import models


class Nature(models.TextChoices):
    """The « nature » filter of « Mes paiements » (FEATURES C1)."""

    CARE = "soins", "Remboursement de soins"
    DAILY_ALLOWANCE = "ij", "Indemnités journalières"
    INVALIDITY_PENSION = "pension", "Pension d'invalidité"
    WORK_ACCIDENT_ANNUITY = "rente", "Rente accident du travail"


class Payee(models.TextChoices):
    INSURED = "assure", "Paiement à l'assuré"
    THIRD_PARTY = "tiers", "Paiement à un tiers"
