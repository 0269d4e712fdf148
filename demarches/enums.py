"""Statuses and labels of the démarches engine (ARCHITECTURE decision 3, FEATURES E, H2)."""

from django.db import models


class Status(models.TextChoices):
    """Life of a démarche, modelled on démarches-simplifiées (brouillon → en construction →
    en instruction → accepté / refusé / classé sans suite), plus « pièce demandée »."""

    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    EN_INSTRUCTION = "en_instruction", "En cours d'instruction"
    PIECE_DEMANDEE = "piece_demandee", "Pièce demandée"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"
    SANS_SUITE = "classee_sans_suite", "Classée sans suite"


FINAL_STATUSES = frozenset({Status.ACCEPTEE, Status.REFUSEE, Status.SANS_SUITE})
OPEN_STATUSES = frozenset({Status.DEPOSEE, Status.EN_INSTRUCTION, Status.PIECE_DEMANDEE})
# A transition to one of these needs a reason (the motivation of démarches-simplifiées).
REASON_REQUIRED = frozenset({Status.REFUSEE, Status.PIECE_DEMANDEE, Status.SANS_SUITE})

STATUS_BADGES = {
    Status.BROUILLON: "",
    Status.DEPOSEE: "",
    Status.EN_INSTRUCTION: "",
    Status.PIECE_DEMANDEE: "badge--warning",
    Status.ACCEPTEE: "badge--success",
    Status.REFUSEE: "badge--error",
    Status.SANS_SUITE: "badge--neutral",
}


class Actor(models.TextChoices):
    """Who made a transition."""

    INSURED = "assure", "L'assuré"
    AGENT = "agent", "Un agent de la caisse"
    SYSTEM = "systeme", "Traitement automatique"


class Section(models.TextChoices):
    """Where a démarche is listed in « Mes démarches » (FEATURES navigation)."""

    EFFECTUER = "effectuer", "Effectuer une démarche"
    CHANGEMENT = "changement", "Déclarer un changement de situation"
