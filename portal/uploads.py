"""Uploaded files (ARCHITECTURE decision 6), shared by the démarches and the messagerie.

The whole API:

* ``validate_upload(file, *, allowed=ALL_TYPES, max_bytes=None) -> UploadInfo`` reads the
  upload, decides its type **from its bytes** (never from its name or the browser's
  Content-Type), and raises ``django.core.exceptions.ValidationError`` with a French message
  when it is empty, too big (``settings.UPLOAD_MAX_BYTES``), not a PDF / JPEG / PNG, or a
  damaged file. Images are decoded completely with Pillow (``verify()`` then a full load, so a
  truncated PNG is refused) and **re-encoded**: the stored bytes carry no EXIF / GPS metadata
  and no trailing payload. PDFs must start with ``%PDF-`` and end with ``%%EOF``.
* ``store_upload(info, prefix) -> name`` saves ``info.data`` in the default storage (private,
  never served, see settings.STORAGES) under a random name ``<prefix>/<yyyy>/<mm>/<hex>.<ext>``.
* ``upload_to(prefix)`` is the same random naming for a model ``FileField``: pass
  ``ContentFile(info.data, name=info.safe_name)`` to ``field.save()``.
* ``UploadField`` is a form field whose ``clean()`` returns an ``UploadInfo``.
* ``file_response(fieldfile, filename, content_type)`` serves a stored file as an attachment
  (``Content-Disposition``), for views that have already checked who owns it.

A file whose name lies about its type is judged by its bytes: a PDF named ``scan.jpg`` is
accepted **as a PDF** (stored and served as ``application/pdf`` under ``scan.pdf``); an HTML
page named ``scan.pdf`` is refused.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename
from PIL import Image, ImageOps, UnidentifiedImageError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ALL_TYPES = frozenset({PDF, JPEG, PNG})
IMAGE_TYPES = frozenset({JPEG, PNG})
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Refuse absurd image sizes before decoding them (decompression bombs).
MAX_IMAGE_PIXELS = 50_000_000
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


@dataclass(frozen=True)
class UploadInfo:
    """A checked upload: what to store (`data`) and how to describe it."""

    data: bytes
    content_type: str
    original_name: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def safe_name(self) -> str:
        """The person's file name, made safe, with the extension of its real type."""
        stem = get_valid_filename(PurePath(self.original_name or "document").stem) or "document"
        return f"{stem[:80]}.{self.extension}"


def max_upload_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def human_size(size: int) -> str:
    """5242880 -> '5 Mo' ; 1536 -> '2 ko' (French units)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{text}\u00a0Mo"
    return f"{max(1, round(size / 1024))}\u00a0ko"


def allowed_label(allowed) -> str:
    labels = [LABELS[t] for t in (PDF, JPEG, PNG) if t in allowed]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " ou " + labels[-1]


def sniff(head: bytes) -> str | None:
    """The type announced by the first bytes, or None."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def _read(file, max_bytes: int) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"Le fichier dépasse la taille maximale autorisée ({human_size(max_bytes)}).",
            code="too_big",
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            f"Le fichier dépasse la taille maximale autorisée ({human_size(max_bytes)}).",
            code="too_big",
        )
    if not data:
        raise ValidationError("Le fichier est vide.", code="empty")
    return data


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            "Ce PDF est incomplet ou endommagé : enregistrez-le à nouveau puis réessayez.",
            code="damaged",
        )


def _reencode_image(data: bytes, content_type: str) -> tuple[bytes, int, int]:
    """Decode the whole image (refusing damaged ones), then write it again without metadata."""
    damaged = ValidationError(
        "Cette image est incomplète ou endommagée : prenez une nouvelle photo puis réessayez.",
        code="damaged",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise ValidationError(
                        "Cette image est trop grande : réduisez sa définition puis réessayez.",
                        code="too_many_pixels",
                    )
                probe.verify()  # structure and checksums (PNG chunks)
            with Image.open(io.BytesIO(data)) as image:
                if Image.MIME.get(image.format or "") != content_type:
                    raise damaged
                image.load()  # every pixel: a truncated file fails here
                image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
                out = io.BytesIO()
                if content_type == JPEG:
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    image.save(out, format="PNG", optimize=True)
                return out.getvalue(), image.width, image.height
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise damaged from None


def validate_upload(file, *, allowed=ALL_TYPES, max_bytes: int | None = None) -> UploadInfo:
    """Check an uploaded file (see the module docstring); returns what may be stored."""
    max_bytes = max_upload_bytes() if max_bytes is None else max_bytes
    data = _read(file, max_bytes)
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError(
            f"Ce fichier n'est pas au format {allowed_label(allowed)} : "
            "seuls les documents PDF et les photos JPEG ou PNG sont acceptés.",
            code="type",
        )
    if content_type not in allowed:
        raise ValidationError(
            f"Pour ce document, seul le format {allowed_label(allowed)} est accepté "
            f"(vous avez envoyé un fichier {LABELS[content_type]}).",
            code="type_not_allowed",
        )
    width = height = None
    if content_type == PDF:
        _check_pdf(data)
    else:
        data, width, height = _reencode_image(data, content_type)
    return UploadInfo(
        data=data,
        content_type=content_type,
        original_name=PurePath(getattr(file, "name", "") or "document").name,
        width=width,
        height=height,
    )


def random_name(prefix: str, extension: str) -> str:
    now = timezone.now()
    return f"{prefix.strip('/')}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"


@deconstructible(path="portal.uploads.RandomUploadTo")
class RandomUploadTo:
    """`FileField(upload_to=RandomUploadTo("demarches"))`: random names, the extension kept."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename):
        extension = PurePath(filename).suffix.lstrip(".").lower() or "bin"
        return random_name(self.prefix, extension)

    def __eq__(self, other):
        return isinstance(other, RandomUploadTo) and other.prefix == self.prefix

    def __hash__(self):
        return hash(self.prefix)


def upload_to(prefix: str) -> RandomUploadTo:
    return RandomUploadTo(prefix)


def store_upload(info: UploadInfo, prefix: str) -> str:
    """Save a checked upload in private storage under a random name; returns that name."""
    from django.core.files.base import ContentFile

    return default_storage.save(random_name(prefix, info.extension), ContentFile(info.data))


class UploadField(forms.FileField):
    """A form field that returns an `UploadInfo` (or None when optional and left empty)."""

    def __init__(self, *, allowed=ALL_TYPES, max_bytes=None, **kwargs):
        self.allowed = frozenset(allowed)
        self.max_bytes = max_bytes
        kwargs.setdefault("widget", forms.FileInput)
        super().__init__(**kwargs)
        accept = ",".join(
            [t for t in (PDF, JPEG, PNG) if t in self.allowed]
            + [f".{EXTENSIONS[t]}" for t in (PDF, JPEG, PNG) if t in self.allowed]
        )
        self.widget.attrs.setdefault("accept", accept)

    def to_python(self, data):
        if data in self.empty_values:
            return None
        if not hasattr(data, "read"):
            raise ValidationError("Aucun fichier n'a été reçu : choisissez-le à nouveau.")
        return validate_upload(data, allowed=self.allowed, max_bytes=self.max_bytes)

    def help_for_limits(self) -> str:
        size = human_size(self.max_bytes or max_upload_bytes())
        return f"Format {allowed_label(self.allowed)}, {size} au maximum."


def file_response(fieldfile, filename: str, content_type: str) -> FileResponse:
    """An attachment download of a stored file (ownership is the caller's business)."""
    fieldfile.open("rb")
    response = FileResponse(
        fieldfile, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
