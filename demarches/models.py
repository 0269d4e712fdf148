"""The démarches engine's rows (ARCHITECTURE decision 3, FEATURES E, E20, H2).

* `Demarche`: one request of a person (the account holder) for a beneficiary (themselves or
  an ayant droit), of one *type* (a module of `demarches/types/`), with its answers (`payload`,
  one key per step), its status and timestamps. Drafts are rows too (« Reprendre »).
* `DemarcheTransition`: the log of every status change — from, to, who (the insured, an agent
  or the system), when and why.
* `DemarcheFile`: a justificatif, stored under a random name in private storage.
* `SecurityCode`: a short code sent by e-mail to confirm a sensitive démarche (E5), hashed.
* `ReferenceSequence`: one counter per year for the human references « DEM-2026-000123 ».

State coherence is enforced by the database too (CheckConstraints), not only by the engine:
a draft has no reference nor submission date, a submitted one has both; a decision date
exists exactly for final statuses; a refusal, a request for a document or a « sans suite »
always carries its reason; a system transition has no user, a human one has one.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assures.models import Person
from portal.uploads import RandomUploadTo

from .enums import FINAL_STATUSES, OPEN_STATUSES, REASON_REQUIRED, Actor, Status


class DemarcheQuerySet(models.QuerySet):
    def for_person(self, person):
        """ARCHITECTURE decision 2: the démarches an insured person may see (their own)."""
        return self.filter(person=person)

    def drafts(self):
        return self.filter(status=Status.BROUILLON)

    def submitted(self):
        return self.exclude(status=Status.BROUILLON)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Demarche(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField("type de démarche", max_length=50, db_index=True)
    reference = models.CharField(
        "référence", max_length=20, unique=True, null=True, blank=True, editable=False
    )
    status = models.CharField(
        "statut", max_length=20, choices=Status.choices, default=Status.BROUILLON
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="demarches",
        verbose_name="demandeur",
        help_text="Le titulaire du compte qui fait la démarche.",
    )
    beneficiary = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="demarches_as_beneficiary",
        verbose_name="bénéficiaire",
        help_text="La personne concernée : le demandeur ou l'un de ses ayants droit.",
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name="fait suite à",
        help_text="Par exemple la commande d'une carte Vitale après la déclaration de perte.",
    )
    payload = models.JSONField("réponses", default=dict, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    decided_at = models.DateTimeField("décision le", null=True, blank=True)
    auto_accept_at = models.DateTimeField(
        "acceptation automatique prévue le",
        null=True,
        blank=True,
        help_text="Sans décision d'un agent, la démarche est acceptée à cette date (E5 : 48 h).",
    )

    objects = DemarcheQuerySet.as_manager()

    class Meta:
        verbose_name = "démarche"
        ordering = ["-submitted_at", "-created_at"]
        permissions = [("instruct_demarche", "Peut instruire les démarches (décisions)")]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="demarche_person_created"),
            models.Index(fields=["type", "status"], name="demarche_type_status"),
            models.Index(
                fields=["auto_accept_at"],
                condition=Q(auto_accept_at__isnull=False),
                name="demarche_auto_accept_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="demarche_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status=Status.BROUILLON) & Q(submitted_at__isnull=True))
                | (~Q(status=Status.BROUILLON) & Q(submitted_at__isnull=False)),
                name="demarche_submitted_iff_not_draft",
            ),
            models.CheckConstraint(
                condition=(Q(status=Status.BROUILLON) & Q(reference__isnull=True))
                | (~Q(status=Status.BROUILLON) & Q(reference__isnull=False)),
                name="demarche_reference_iff_not_draft",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=FINAL_STATUSES) & Q(decided_at__isnull=False))
                | (~Q(status__in=FINAL_STATUSES) & Q(decided_at__isnull=True)),
                name="demarche_decided_iff_final",
            ),
            models.CheckConstraint(
                condition=Q(auto_accept_at__isnull=True) | Q(status__in=OPEN_STATUSES),
                name="demarche_auto_accept_only_open",
            ),
            # One draft per type and beneficiary: a double click on « Commencer » makes one.
            models.UniqueConstraint(
                fields=["type", "person", "beneficiary"],
                condition=Q(status=Status.BROUILLON),
                name="demarche_one_draft_per_type",
            ),
        ]

    def __str__(self):
        return f"{self.reference or 'Brouillon'} — {self.type_label}"

    @property
    def kind(self):
        """The démarche type object (demarches/types/<module>.py) of this row."""
        from .registry import get_type

        return get_type(self.type)

    @property
    def type_label(self):
        from .registry import find_type

        found = find_type(self.type)
        return found.label if found else self.type

    @property
    def is_draft(self):
        return self.status == Status.BROUILLON

    @property
    def is_final(self):
        return self.status in FINAL_STATUSES

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class DemarcheTransition(models.Model):
    """One status change of a démarche: the history shown in « Suivre mes démarches »."""

    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("de", max_length=20, choices=Status.choices)
    to_status = models.CharField("vers", max_length=20, choices=Status.choices)
    at = models.DateTimeField("le", default=timezone.now)
    actor = models.CharField("par", max_length=10, choices=Actor.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demarche_transitions",
        verbose_name="utilisateur",
    )
    reason = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "historique des statuts"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="transition_changes_status"
            ),
            models.CheckConstraint(
                condition=~Q(to_status__in=REASON_REQUIRED) | ~Q(reason=""),
                name="transition_reason_when_required",
            ),
            models.CheckConstraint(
                condition=(Q(actor=Actor.SYSTEM) & Q(by__isnull=True))
                | (~Q(actor=Actor.SYSTEM) & Q(by__isnull=False)),
                name="transition_author_iff_human",
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class DemarcheFile(models.Model):
    """A justificatif of a démarche (ARCHITECTURE decision 6: checked, random name, private)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("nature", max_length=50)
    label = models.CharField("intitulé", max_length=120)
    file = models.FileField("fichier", upload_to=RandomUploadTo("demarches"), max_length=200)
    original_name = models.CharField("nom d'origine", max_length=200)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="demarchefile_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="demarchefile_allowed_type",
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.original_name})"


class SecurityCode(models.Model):
    """A 4-digit code e-mailed to the person to confirm a sensitive démarche (FEATURES E5).

    Only its hash is kept; it is valid a short time and allows a few attempts."""

    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code de sécurité"
        verbose_name_plural = "codes de sécurité"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="securitycode_expiry"
            ),
        ]

    def __str__(self):
        return f"Code de sécurité du {self.created_at:%d/%m/%Y %H:%M}"


class ReferenceSequence(models.Model):
    """Counter per year for references « DEM-2026-000123 » (incremented under a row lock)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de références"

    def __str__(self):
        return f"{self.year} : {self.last_value}"
