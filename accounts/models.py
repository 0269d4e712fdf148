"""The online account (ARCHITECTURE decision 1).

An insured person's `User.username` is the 13-character NIR and the account links to one
registry `Person`. CPAM agents are staff users with a plain username and a `caisse`.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from assures.models import Caisse, Person


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
