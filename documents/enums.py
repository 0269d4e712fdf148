from django.db import models


class DocumentKind(models.TextChoices):
    """Every PDF the portal issues (FEATURES D1–D6, C1–C3). Labels are shown to people."""

    RIGHTS = "attestation_droits", "Attestation de droits"
    DAILY_ALLOWANCES = (
        "attestation_ij",
        "Attestation de paiement d'indemnités journalières",
    )
    TAX_STATEMENT = "releve_fiscal", "Relevé fiscal"
    CEAM_CERTIFICATE = "ceam_certificat", "Certificat provisoire de remplacement de la CEAM"
    CEAM_CARD = "ceam_carte", "Carte européenne d'assurance maladie"
    PAYMENT_STATEMENT = "decompte", "Décompte de paiement"
    MONTHLY_STATEMENT = "releve_mensuel", "Relevé mensuel"
    ANNUAL_STATEMENT = "releve_annuel", "Relevé annuel"
    MT_DENTS = "mt_dents", "Prise en charge M'T Dents"


class IjMention(models.TextChoices):
    """Optional mentions of the IJ attestation (D2: « affection de longue durée, temps partiel
    thérapeutique… »)."""

    ALD = "ald", "Affection de longue durée (ALD)"
    THERAPEUTIC_PART_TIME = "tpt", "Temps partiel thérapeutique"
