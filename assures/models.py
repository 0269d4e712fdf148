"""Registry models (ARCHITECTURE decision 1): what the caisse knows, account or not.

Every queryset a view uses starts from a person (decision 2): see the `for_person` helpers.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from . import identifiers
from .enums import AccessAction, Quality, Sex, VitaleStatus

nir_validator = RegexValidator(r"^\d{5}(\d{2}|2A|2B)\d{6}$", "NIR de 13 caractères attendu.")
postal_code_validator = RegexValidator(r"^\d{5}$", "Le code postal comporte 5 chiffres.")


class Caisse(models.Model):
    """A caisse primaire d'assurance maladie (CPAM)."""

    code = models.CharField("code organisme", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    address = models.CharField("adresse", max_length=200)
    postal_code = models.CharField("code postal", max_length=5, validators=[postal_code_validator])
    city = models.CharField("ville", max_length=100)
    phone = models.CharField("téléphone", max_length=20, default="36 46")

    class Meta:
        ordering = ["name"]
        verbose_name = "caisse"

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def for_caisse(self, caisse):
        return self.filter(caisse=caisse)

    def ayants_droit_of(self, insured):
        """The people attached to `insured`'s file (Beneficiary), by birth date."""
        return self.filter(attached_to__insured=insured).order_by("birth_date", "pk")


class Person(models.Model):
    """An insured person or a beneficiary (ayant droit) known to the registry."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nir = models.CharField(
        "NIR",
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[nir_validator],
        help_text="13 caractères, sans la clé.",
    )
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    last_name = models.CharField("nom de naissance", max_length=100)
    usage_name = models.CharField("nom d'usage", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance")
    birth_place = models.CharField("lieu de naissance", max_length=100, blank=True)
    caisse = models.ForeignKey(Caisse, on_delete=models.PROTECT, related_name="people")
    rights_start = models.DateField("droits ouverts depuis")
    rights_end = models.DateField("droits ouverts jusqu'au", null=True, blank=True)
    # Postal address (E4 changes it for the person and their ayants droit).
    address_line1 = models.CharField("adresse", max_length=200, blank=True)
    address_line2 = models.CharField("complément d'adresse", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    country = models.CharField("pays", max_length=60, default="France")

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "assuré ou bénéficiaire"
        verbose_name_plural = "assurés et bénéficiaires"
        constraints = [
            models.CheckConstraint(
                condition=Q(rights_end__isnull=True) | Q(rights_end__gte=models.F("rights_start")),
                name="person_rights_period_ordered",
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def display_last_name(self):
        return self.usage_name or self.last_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.display_last_name.upper()}"

    @property
    def nir_display(self):
        return identifiers.format_nir(self.nir, with_key=True) if self.nir else ""

    def family(self):
        """« Toute la famille »: this insured first, then their ayants droit by birth date.

        The one definition every page uses (payments filter, attestations, démarches)."""
        return [self, *Person.objects.ayants_droit_of(self)]

    def rights_open(self, on=None):
        on = on or timezone.localdate()
        return self.rights_start <= on and (self.rights_end is None or on <= self.rights_end)

    def age_on(self, on):
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def age(self):
        return self.age_on(timezone.localdate())

    @cached_property
    def postal_address_lines(self):
        lines = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}".strip()]
        if self.country and self.country != "France":
            lines.append(self.country.upper())
        return [line for line in lines if line]


class Beneficiary(models.Model):
    """An ayant droit attached to an insured's NIR (e.g. a child under 16)."""

    insured = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="beneficiary_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attached_to")
    quality = models.CharField("qualité", max_length=10, choices=Quality.choices)
    since = models.DateField("rattaché depuis")

    class Meta:
        verbose_name = "ayant droit"
        verbose_name_plural = "ayants droit"
        ordering = ["person__birth_date"]
        constraints = [
            models.UniqueConstraint(fields=["insured", "person"], name="beneficiary_unique"),
            models.CheckConstraint(
                condition=~Q(insured=models.F("person")), name="beneficiary_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_quality_display()} de {self.insured})"


class VitaleCard(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vitale_cards")
    serial_number = models.CharField(
        "numéro de série",
        max_length=11,
        unique=True,
        validators=[RegexValidator(r"^\d{8,11}$", "Numéro de série de 8 à 11 chiffres.")],
    )
    status = models.CharField(
        "statut", max_length=20, choices=VitaleStatus.choices, default=VitaleStatus.ACTIVE
    )
    issued_on = models.DateField("délivrée le")
    status_changed_at = models.DateTimeField("statut modifié le", default=timezone.now)

    class Meta:
        verbose_name = "carte Vitale"
        verbose_name_plural = "cartes Vitale"
        ordering = ["-issued_on"]
        constraints = [
            # One card in force per person at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="vitale_one_active_per_person",
            )
        ]

    def __str__(self):
        return f"Carte Vitale {self.serial_number}"


class Ceam(models.Model):
    """Carte européenne d'assurance maladie (valid 2 years, FEATURES D4/E3)."""

    VALIDITY_YEARS = 2

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ceams")
    card_number = models.CharField("numéro de carte", max_length=20, unique=True)
    issued_on = models.DateField("délivrée le")
    expires_on = models.DateField("valable jusqu'au")

    class Meta:
        verbose_name = "CEAM"
        verbose_name_plural = "CEAM"
        ordering = ["-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")), name="ceam_expiry_after_issue"
            )
        ]

    def __str__(self):
        return f"CEAM {self.card_number}"

    def is_valid_on(self, day):
        return self.issued_on <= day <= self.expires_on


class BankAccount(models.Model):
    """Coordonnées bancaires where the caisse pays the insured (one current at a time)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="bank_accounts")
    holder = models.CharField("titulaire", max_length=140)
    iban = models.CharField("IBAN", max_length=34, validators=[identifiers.validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True)
    since = models.DateField("depuis le")
    is_current = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_current=True), name="bank_one_current_per_person"
            )
        ]

    def __str__(self):
        return self.masked_iban

    def save(self, *args, **kwargs):
        self.iban = identifiers.compact_iban(self.iban)
        super().save(*args, **kwargs)

    @property
    def masked_iban(self):
        return identifiers.mask_iban(self.iban)


class ComplementaryOrganisation(models.Model):
    """Organisme complémentaire (mutuelle, assurance, institution de prévoyance)."""

    name = models.CharField("nom", max_length=120)
    number = models.CharField("numéro AMC", max_length=10, unique=True)

    class Meta:
        verbose_name = "organisme complémentaire"
        verbose_name_plural = "organismes complémentaires"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComplementaryContractQuerySet(models.QuerySet):
    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class ComplementaryContract(models.Model):
    """A person covered by an OC; `automatic_transmission` is the NOEMIE link (« ACTIVÉE »)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="oc_contracts")
    organisation = models.ForeignKey(ComplementaryOrganisation, on_delete=models.PROTECT)
    start = models.DateField("début")
    end = models.DateField("fin", null=True, blank=True)
    automatic_transmission = models.BooleanField("transmission automatique", default=True)

    objects = ComplementaryContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat complémentaire"
        verbose_name_plural = "contrats complémentaires"
        ordering = ["start"]

    def __str__(self):
        return f"{self.organisation} — {self.person}"


class Doctor(models.Model):
    rpps = models.CharField("numéro RPPS", max_length=11, unique=True)
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    specialty = models.CharField("spécialité", max_length=100, default="Médecine générale")
    city = models.CharField("commune d'exercice", max_length=100)

    class Meta:
        verbose_name = "médecin"
        ordering = ["last_name"]

    def __str__(self):
        return f"Dr {self.first_name} {self.last_name.upper()}"


class TreatingDoctor(models.Model):
    """Médecin traitant declared for a person (the latest declaration is in force)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="treating_doctors")
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT)
    declared_on = models.DateField("déclaré le")
    ended_on = models.DateField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "médecin traitant"
        verbose_name_plural = "médecins traitants"
        ordering = ["-declared_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="one_treating_doctor"
            )
        ]

    def __str__(self):
        return f"{self.doctor} pour {self.person}"


class LongTermCondition(models.Model):
    """Affection de longue durée (ALD) recognised for a person (FEATURES B3, G4)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alds")
    label = models.CharField("affection", max_length=200)
    start = models.DateField("prise en charge depuis le")
    end = models.DateField("jusqu'au", null=True, blank=True)
    advice = models.TextField("conseils pratiques", blank=True)

    class Meta:
        verbose_name = "ALD"
        verbose_name_plural = "ALD"
        ordering = ["start"]

    def __str__(self):
        return self.label


class Pregnancy(models.Model):
    """A pregnancy declared to the caisse (used by maternity prevention and exemptions)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pregnancies")
    declared_on = models.DateField("déclarée le")
    expected_delivery = models.DateField("date présumée d'accouchement")
    expected_children = models.PositiveSmallIntegerField("enfants attendus", default=1)

    class Meta:
        verbose_name = "grossesse déclarée"
        verbose_name_plural = "grossesses déclarées"
        ordering = ["-expected_delivery"]

    def __str__(self):
        return f"Grossesse de {self.person} (terme {self.expected_delivery:%d/%m/%Y})"


class Proxy(models.Model):
    """Procuration: a mandataire acts for the insured for one month (FEATURES E13)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="proxies_given")
    mandatary_name = models.CharField("mandataire", max_length=200)
    mandatary_birth_date = models.DateField("date de naissance du mandataire")
    start = models.DateField("début")
    end = models.DateField("fin")
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        verbose_name = "procuration"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="proxy_period")
        ]

    def __str__(self):
        return f"Procuration de {self.person} à {self.mandatary_name}"


class AccessLogQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(person=person)


class AccessLog(models.Model):
    """H5: every agent read or change of an insured's record (who, when, what)."""

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_logs"
    )
    caisse = models.ForeignKey(Caisse, on_delete=models.PROTECT, null=True, blank=True)
    service = models.CharField("service", max_length=100, blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_logs")
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    object_type = models.CharField("objet", max_length=100)
    object_id = models.CharField("identifiant", max_length=64)
    detail = models.CharField("détail", max_length=300, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "accès au dossier"
        verbose_name_plural = "accès aux dossiers"
        ordering = ["-at"]
        indexes = [models.Index(fields=["person", "-at"], name="accesslog_person_at")]

    def __str__(self):
        return f"{self.get_action_display()} de {self.object_type} par {self.agent} le {self.at}"
