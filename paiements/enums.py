from django.db import models


class Nature(models.TextChoices):
    """The « nature » filter of « Mes paiements » (FEATURES C1)."""

    CARE = "soins", "Remboursement de soins"
    DAILY_ALLOWANCE = "ij", "Indemnités journalières"
    INVALIDITY_PENSION = "pension", "Pension d'invalidité"
    WORK_ACCIDENT_ANNUITY = "rente", "Rente accident du travail"


# Labels of the « nature » filter (plural, as on the real portal, seed 004).
NATURE_FILTER_LABELS = {
    Nature.CARE: "Remboursements de soins",
    Nature.DAILY_ALLOWANCE: "Indemnités journalières",
    Nature.INVALIDITY_PENSION: "Pensions d'invalidité",
    Nature.WORK_ACCIDENT_ANNUITY: "Rentes accident du travail",
}


class Payee(models.TextChoices):
    INSURED = "assure", "Paiement à l'assuré"
    THIRD_PARTY = "tiers", "Paiement à un tiers"


class DeductionKind(models.TextChoices):
    """What is kept back on a line of a décompte (FEATURES C4)."""

    NONE = "none", "Aucune"
    FLAT_FEE = "participation_forfaitaire", "Participation forfaitaire"
    MEDICINE = "franchise_medicament", "Franchise sur les médicaments"
    PARAMEDICAL = "franchise_paramedical", "Franchise sur les actes paramédicaux"
    TRANSPORT = "franchise_transport", "Franchise sur les transports sanitaires"


class SickLeaveKind(models.TextChoices):
    """Kind of an arrêt de travail (FEATURES C5)."""

    ILLNESS = "maladie", "Maladie"
    WORK_ACCIDENT = "accident_travail", "Accident du travail"
    OCCUPATIONAL_DISEASE = "maladie_professionnelle", "Maladie professionnelle"
    MATERNITY = "maternite", "Maternité"


class AttemptStatus(models.TextChoices):
    """A payment attempt of a créance at the « kiosque bancaire » (FEATURES C6)."""

    PENDING = "en_attente", "En attente"
    PAID = "payee", "Payée"
    REFUSED = "refusee", "Refusée"
    CANCELLED = "annulee", "Annulée"
