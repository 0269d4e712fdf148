from django.db import models


class CreationRoute(models.TextChoices):
    """How an online account was (re)created (FEATURES A1, A2, A3, A4)."""

    EMAIL = "email", "En ligne, validé par e-mail"
    IMMEDIATE = "immediate", "Immédiate (carte Vitale et IBAN)"
    TEMPORARY_CODE = "code_provisoire", "Avec un code provisoire"
    FRANCECONNECT = "franceconnect", "Avec FranceConnect"


class CodeChannel(models.TextChoices):
    """Where a « code provisoire » was asked for (FEATURES A3, seed 001)."""

    DESK = "guichet", "Accueil physique (guichet)"
    PHONE = "telephone", "Accueil téléphonique (36 46)"
    KIOSK = "borne", "Borne multiservices"


class CodeDelivery(models.TextChoices):
    DISPLAY = "affiche", "Remis en main propre"
    SMS = "sms", "Envoyé par SMS"


class CodePurpose(models.TextChoices):
    CREATION = "creation", "Création du compte"
    RECOVERY = "recuperation", "Nouveau mot de passe"


class CodeStatus(models.TextChoices):
    VALID = "valide", "Valide"
    USED = "utilise", "Utilisé"
    EXPIRED = "expire", "Expiré"
    REVOKED = "remplace", "Remplacé par un code plus récent"
    BLOCKED = "bloque", "Bloqué (trop d'essais)"


class AccountState(models.TextChoices):
    """Where an insured person stands with the online account (creation rules A1-A3, A12)."""

    NONE = "aucun", "Pas de compte"
    PENDING = "en_attente", "En attente de validation par e-mail"
    ACTIVE = "actif", "Actif"
    CLOSED = "resilie", "Résilié"
    DISABLED = "desactive", "Désactivé par la caisse"
