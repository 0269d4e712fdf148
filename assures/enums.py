from django.db import models


class Sex(models.TextChoices):
    MALE = "1", "Homme"
    FEMALE = "2", "Femme"


class Quality(models.TextChoices):
    """Qualité of a person on an insured's file (ouvrant droit or ayant droit)."""

    CHILD = "enfant", "Enfant"
    SPOUSE = "conjoint", "Conjoint"


class VitaleStatus(models.TextChoices):
    ACTIVE = "active", "En cours de validité"
    INVALIDATED = "invalidee", "Invalidée"
    ORDERED = "commandee", "Commandée"
    IN_PRODUCTION = "en_fabrication", "En cours de fabrication"
    SENT = "envoyee", "Envoyée"


class AccessAction(models.TextChoices):
    VIEW = "consultation", "Consultation"
    ADD = "creation", "Création"
    CHANGE = "modification", "Modification"
    DELETE = "suppression", "Suppression"
