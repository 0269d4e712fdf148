from django.db import models


class Mode(models.TextChoices):
    """F3: « Prendre un RDV (téléphonique ou physique) » (seed 000)."""

    PHYSIQUE = "physique", "Rendez-vous physique"
    TELEPHONIQUE = "telephonique", "Rendez-vous téléphonique"


class Reason(models.TextChoices):
    """Motifs offered to the insured (F3). Kept as code: a new motif is a new label here."""

    DROITS = "droits", "Mes droits, ma carte Vitale"
    REMBOURSEMENTS = "remboursements", "Mes remboursements de soins"
    INDEMNITES = "indemnites", "Mes indemnités journalières (arrêt de travail)"
    ACCIDENT = "accident", "Accident du travail, maladie professionnelle"
    INVALIDITE = "invalidite", "Ma pension d'invalidité"
    C2S = "c2s", "La Complémentaire santé solidaire"
    MATERNITE = "maternite", "Maternité, paternité, naissance"
    AUTRE = "autre", "Une autre demande"


class Status(models.TextChoices):
    BOOKED = "reserve", "Confirmé"
    CANCELLED = "annule", "Annulé"


class CancelledBy(models.TextChoices):
    INSURED = "assure", "Annulé par l'assuré"
    CAISSE = "caisse", "Annulé par la caisse"
