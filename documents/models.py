"""Generated documents (FEATURES D8, X1; ARCHITECTURE decision 5).

A `GeneratedDocument` is one PDF as it was issued: whose it is, what it is (kind + parameters),
the file in private storage under a random name, its verification code and validity. It is
never re-rendered: every later download streams the stored bytes.
"""

import hashlib
import json
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from assures.models import Person

from .enums import DocumentKind
from .verification import format_code


def canonical_parameters(parameters: dict) -> str:
    """The parameters as canonical JSON (sorted keys), so equal requests compare equal."""
    return json.dumps(parameters or {}, sort_keys=True, separators=(",", ":"), default=str)


def parameters_key(parameters: dict) -> str:
    return hashlib.sha256(canonical_parameters(parameters).encode()).hexdigest()


def random_file_name(instance, filename):
    """Private storage, random name: nothing about the person or the document in the path."""
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.pdf"


# Documents describing a situation on their date of issue (their title has no period).
DATED_FILE_NAMES = {
    DocumentKind.RIGHTS,
    DocumentKind.DAILY_ALLOWANCES,
    DocumentKind.CEAM_CERTIFICATE,
}


class GeneratedDocumentQuerySet(models.QuerySet):
    def for_person(self, person):
        """The documents a person may download (ARCHITECTURE decision 2)."""
        return self.filter(owner=person)

    def matching(self, owner, kind, parameters):
        return self.filter(owner=owner, kind=kind, parameters_key=parameters_key(parameters))


class GeneratedDocument(models.Model):
    public_id = models.UUIDField(
        "référence publique", default=uuid.uuid4, unique=True, editable=False
    )
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="generated_documents",
        verbose_name="titulaire du compte",
    )
    kind = models.CharField("type de document", max_length=30, choices=DocumentKind.choices)
    title = models.CharField("intitulé", max_length=200)
    parameters = models.JSONField("paramètres", default=dict, blank=True)
    parameters_key = models.CharField("empreinte des paramètres", max_length=64, editable=False)
    file = models.FileField("fichier", upload_to=random_file_name, max_length=200)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    verification_code = models.CharField("code de vérification", max_length=12, unique=True)
    created_at = models.DateTimeField("émis le", default=timezone.now)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document émis"
        verbose_name_plural = "documents émis"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["owner", "kind", "parameters_key", "-created_at"],
                name="gendoc_owner_kind_params",
            ),
            models.Index(fields=["owner", "-created_at"], name="gendoc_owner_created"),
        ]

    def __str__(self):
        return f"{self.title} ({self.verification_code_display})"

    def save(self, *args, **kwargs):
        self.parameters_key = parameters_key(self.parameters)
        super().save(*args, **kwargs)

    @property
    def verification_code_display(self):
        return format_code(self.verification_code)

    def is_valid_on(self, day):
        return self.valid_until is None or day <= self.valid_until

    @property
    def download_name(self):
        """A clean file name from the French title (« releve-mensuel-novembre-2025.pdf »);
        a situation at a date gets that date (« attestation-de-droits-2026-11-24.pdf »)."""
        stem = slugify(self.title.replace("/", "-"))[:90].strip("-")
        if self.kind in DATED_FILE_NAMES:
            stem += f"-{timezone.localtime(self.created_at):%Y-%m-%d}"
        return f"{stem}.pdf"
