from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENDING = "sending", "En cours d'envoi"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec définitif"


class Theme(models.TextChoices):
    """Themes of « J'ai une question » (FEATURES F1) and of the caisse's messages."""

    REMBOURSEMENTS = "remboursements", "Mes remboursements"
    CARTE_VITALE = "carte_vitale", "Ma carte Vitale"
    INDEMNITES = "indemnites", "Mes indemnités journalières"
    COORDONNEES = "coordonnees", "Mes coordonnées"
    COMPLEMENTAIRE = "complementaire", "Ma complémentaire santé"
    INVALIDITE = "invalidite", "Ma pension d'invalidité"
    MATERNITE = "maternite", "Ma maternité"
    DEMARCHE = "demarche", "Mes démarches"
    AUTRE = "autre", "Autre question"


class Direction(models.TextChoices):
    FROM_INSURED = "assure", "Envoyé par l'assuré"
    FROM_CAISSE = "caisse", "Envoyé par la caisse"


class ThreadStatus(models.TextChoices):
    OPEN = "ouvert", "En cours"
    CLOSED = "clos", "Clos"


class NotificationKind(models.TextChoices):
    """Short notifications of the bell (FEATURES B2; seed 000 lists them)."""

    ARRET_RECU = "arret_recu", "Arrêt de travail reçu"
    ATTESTATION_SALAIRE_RECUE = "attestation_salaire_recue", "Attestation de salaire reçue"
    ARRET_REGLE = "arret_regle", "Arrêt de travail réglé"
    C2S_RECUE = "c2s_recue", "Demande de Complémentaire santé solidaire reçue"
    RESSOURCES_INVALIDITE = "ressources_invalidite", "Déclaration de ressources invalidité"
    PAS_DE_MUTUELLE = "pas_de_mutuelle", "Pas de mutuelle enregistrée"
    CHEVAUCHEMENT = "chevauchement", "Chevauchement de complémentaires"
    DEMARCHE = "demarche", "Mes démarches"
    PAIEMENT = "paiement", "Mes paiements"
    NOUVEAU_MESSAGE = "nouveau_message", "Nouveau message"
