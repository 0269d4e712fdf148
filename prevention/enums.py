from django.db import models


class ExamStatus(models.TextChoices):
    """G2: what a parent records about one mandatory child health exam."""

    TO_PLAN = "a_planifier", "À planifier"
    DONE = "realise", "Réalisé"


class Timing(models.TextChoices):
    """Where a dated step stands on a given day (G1, G2)."""

    PAST = "passe", "Passé"
    CURRENT = "en_cours", "En cours"
    UPCOMING = "a_venir", "À venir"
