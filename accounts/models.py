"""The online account (ARCHITECTURE decision 1).

An insured person's `User.username` is the 13-character NIR and the account links to one
registry `Person`. CPAM agents are staff users with a plain username and a `caisse`.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from phonenumber_field.modelfields import PhoneNumberField

from assures.models import Caisse, Person

from .enums import AccountState, CodeChannel, CodeDelivery, CodePurpose, CodeStatus, CreationRoute


class User(AbstractUser):
    username = models.CharField(
        "identifiant",
        max_length=30,
        unique=True,
        help_text="NIR à 13 caractères pour un assuré ; identifiant court pour un agent.",
    )
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    caisse = models.ForeignKey(
        Caisse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        help_text="Caisse de rattachement d'un agent : il ne voit que les assurés de sa caisse.",
    )
    mobile_phone = PhoneNumberField("téléphone portable", blank=True)
    landline_phone = PhoneNumberField("téléphone fixe", blank=True)
    contact_by_email = models.BooleanField("accepte d'être contacté par e-mail", default=True)
    contact_by_sms = models.BooleanField("accepte d'être contacté par SMS", default=False)
    contact_by_phone = models.BooleanField("accepte d'être contacté par téléphone", default=False)
    paperless_since = models.DateTimeField(
        "CGU acceptées (fin des courriers papier) le", null=True, blank=True
    )
    # Account lifecycle (FEATURES A1, A12). An insured account is active, waiting for the
    # e-mail confirmation of A1 (inactive, `activation_pending_since` set), closed by its owner
    # (A12: inactive, `closed_at` set) or disabled by the caisse (inactive, neither set).
    activation_pending_since = models.DateTimeField(
        "en attente de validation par e-mail depuis", null=True, blank=True
    )
    closed_at = models.DateTimeField("compte résilié le", null=True, blank=True)
    created_via = models.CharField(
        "créé par", max_length=20, choices=CreationRoute.choices, blank=True
    )

    objects = UserManager()

    class Meta:
        verbose_name = "compte"
        constraints = [
            # An account is an insured's (person) or an agent's (staff), never both.
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(is_staff=False), name="user_insured_not_staff"
            ),
            # 1 e-mail = 1 compte (FEATURES A1), case-insensitively, ignoring empty ones.
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~Q(email=""),
                name="user_email_unique_ci",
            ),
        ]

    def clean(self):
        super().clean()
        if self.person_id and self.person.nir and self.username != self.person.nir:
            raise ValidationError({"username": "L'identifiant d'un assuré est son NIR."})

    @property
    def is_insured(self):
        return self.person_id is not None

    @property
    def state(self) -> AccountState:
        if self.is_active:
            return AccountState.ACTIVE
        if self.closed_at is not None:
            return AccountState.CLOSED
        if self.activation_pending_since is not None:
            return AccountState.PENDING
        return AccountState.DISABLED


class LoginEvent(models.Model):
    """One successful login (« Dernière connexion le … », later X2's history)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_events")
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "connexion"
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"], name="loginevent_user_at")]

    def __str__(self):
        return f"Connexion de {self.user} le {self.at}"


class TemporaryCodeQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Codes that may still be typed: not used, not replaced, not blocked, not expired."""
        now = now or timezone.now()
        return self.filter(
            used_at__isnull=True,
            revoked_at__isnull=True,
            attempts__lt=TemporaryCode.MAX_ATTEMPTS,
            expires_at__gt=now,
        )


class TemporaryCode(models.Model):
    """A « code provisoire » (FEATURES A3, A9, H4): 4 digits, valid 48 hours, single use.

    Issued by an agent at the desk (shown once) or on the phone (sent by SMS), or asked for at
    a « borne multiservices » (sent by SMS). It lets the person create their account (no
    account yet) or choose a new password (recovery); a code from a borne no longer creates an
    account (seed 001). Only a keyed hash of the code is stored; each wrong try counts, and
    after `MAX_ATTEMPTS` the code is burnt. Issuing a new code replaces the previous ones.
    """

    LENGTH = 4
    VALIDITY = datetime.timedelta(hours=48)
    MAX_ATTEMPTS = 5

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="temporary_codes", verbose_name="assuré"
    )
    code_hash = models.CharField("empreinte du code", max_length=64, editable=False)
    channel = models.CharField("canal", max_length=10, choices=CodeChannel.choices)
    delivery = models.CharField("remise", max_length=10, choices=CodeDelivery.choices)
    phone = PhoneNumberField("envoyé au", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_codes",
        verbose_name="délivré par",
    )
    issued_at = models.DateTimeField("délivré le", default=timezone.now)
    expires_at = models.DateTimeField("valable jusqu'au")
    attempts = models.PositiveSmallIntegerField("essais erronés", default=0)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)
    used_for = models.CharField(
        "utilisé pour", max_length=15, choices=CodePurpose.choices, blank=True
    )
    revoked_at = models.DateTimeField("remplacé le", null=True, blank=True)

    objects = TemporaryCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "code provisoire"
        verbose_name_plural = "codes provisoires"
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["person", "-issued_at"], name="tempcode_person_issued")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="tempcode_expiry_after"
            ),
            models.CheckConstraint(
                condition=Q(channel="borne") | Q(issued_by__isnull=False),
                name="tempcode_agent_unless_borne",
                violation_error_message="Un code provisoire est délivré par un agent de la caisse.",
            ),
            models.CheckConstraint(
                condition=Q(delivery="affiche") | ~Q(phone=""),
                name="tempcode_sms_has_phone",
                violation_error_message=(
                    "Indiquez le numéro de téléphone portable qui recevra le SMS."
                ),
            ),
        ]

    def __str__(self):
        return f"Code provisoire du {timezone.localtime(self.issued_at):%d/%m/%Y %H:%M}"

    @staticmethod
    def hash_code(public_id, code: str) -> str:
        return salted_hmac(
            "accounts.TemporaryCode", f"{public_id}:{code}", algorithm="sha256"
        ).hexdigest()

    def set_code(self, code: str):
        self.code_hash = self.hash_code(self.public_id, code)

    def matches(self, code: str) -> bool:
        return constant_time_compare(self.code_hash, self.hash_code(self.public_id, code))

    def status_on(self, now=None) -> CodeStatus:
        now = now or timezone.now()
        if self.used_at is not None:
            return CodeStatus.USED
        if self.revoked_at is not None:
            return CodeStatus.REVOKED
        if self.attempts >= self.MAX_ATTEMPTS:
            return CodeStatus.BLOCKED
        if now >= self.expires_at:
            return CodeStatus.EXPIRED
        return CodeStatus.VALID

    @property
    def status(self) -> CodeStatus:
        return self.status_on()
