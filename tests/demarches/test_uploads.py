"""ARCHITECTURE decision 6 (portal/uploads.py): PDF, JPEG, PNG only, judged by their bytes;
size limit; images decoded completely and re-encoded without metadata; random private names;
downloads only by their owner, as attachments. Hostile files are refused with French messages."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from demarches.models import DemarcheFile
from portal import uploads

from .conftest import PDF_BYTES, jpeg_bytes, png_bytes, post_step, start

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_pdf_png_jpeg_accepted_with_their_real_type():
    assert uploads.validate_upload(upload("a.pdf", PDF_BYTES)).content_type == uploads.PDF
    png = uploads.validate_upload(upload("photo.png", png_bytes()))
    assert (png.content_type, png.width, png.height) == (uploads.PNG, 360, 480)
    jpeg = uploads.validate_upload(upload("photo.jpeg", jpeg_bytes()))
    assert jpeg.content_type == uploads.JPEG and jpeg.safe_name == "photo.jpg"


def test_html_renamed_pdf_is_refused():
    with pytest.raises(ValidationError, match="seuls les documents PDF et les photos JPEG ou PNG"):
        uploads.validate_upload(upload("facture.pdf", HTML))


def test_a_pdf_named_jpg_is_accepted_as_a_pdf():
    """The documented rule: the type comes from the bytes, never from the name."""
    info = uploads.validate_upload(upload("scan.jpg", PDF_BYTES))
    assert info.content_type == uploads.PDF
    assert info.safe_name == "scan.pdf"


def test_a_pdf_where_only_images_are_allowed_is_refused_with_the_reason():
    with pytest.raises(ValidationError, match="seul le format JPEG ou PNG est accepté"):
        uploads.validate_upload(upload("photo.jpg", PDF_BYTES), allowed=uploads.IMAGE_TYPES)


def test_oversize_and_empty_files_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="taille maximale autorisée"):
        uploads.validate_upload(upload("gros.pdf", PDF_BYTES + b"0" * 1000))
    with pytest.raises(ValidationError, match="vide"):
        uploads.validate_upload(upload("vide.pdf", b""))


def test_truncated_png_and_truncated_pdf_are_refused():
    data = png_bytes()
    with pytest.raises(ValidationError, match="incomplète ou endommagée"):
        uploads.validate_upload(upload("coupe.png", data[: len(data) // 2]))
    with pytest.raises(ValidationError, match="incomplet ou endommagé"):
        uploads.validate_upload(upload("coupe.pdf", PDF_BYTES[:40]))


def test_png_magic_with_garbage_is_refused():
    with pytest.raises(ValidationError, match="endommagée"):
        uploads.validate_upload(upload("faux.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 50))


def test_images_are_reencoded_without_metadata():
    exif = Image.Exif()
    exif[0x010F] = "Appareil"  # Make
    exif[0x8825] = {2: (48, 51, 0)}  # GPS latitude
    original = jpeg_bytes(exif=exif.tobytes())
    assert b"Exif" in original
    info = uploads.validate_upload(upload("gps.jpg", original + b"<script>trailing</script>"))
    assert b"Exif" not in info.data and b"<script>" not in info.data
    with Image.open(io.BytesIO(info.data)) as image:
        assert image.format == "JPEG" and image.size == (360, 480)
        assert not image.getexif()


def test_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError, match="trop grande"):
        uploads.validate_upload(upload("bombe.png", png_bytes(100, 100)))


def test_stored_under_a_random_private_name(family, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    name = uploads.store_upload(uploads.validate_upload(upload("Mon RIB.pdf", PDF_BYTES)), "tests")
    assert name.startswith("tests/") and name.endswith(".pdf") and "RIB" not in name
    assert (tmp_path / name).read_bytes() == PDF_BYTES
    assert uploads.RandomUploadTo("x")(None, "a.png") != uploads.RandomUploadTo("x")(None, "a.png")


@pytest.fixture
def e2_draft(client, family, settings, tmp_path):
    """A draft « Commander une carte Vitale » for the teenager (no card in force)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    family.teen_card.delete()
    client.force_login(family.user)
    demarche = start(client, "commande-carte-vitale", family.teen)
    post_step(client, demarche, "coordonnees", {"coordonnees_exactes": "on"})
    return demarche


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("photo.jpg", HTML, "n'est pas au format JPEG ou PNG"),
        ("photo.jpg", PDF_BYTES, "seul le format JPEG ou PNG"),
        ("photo.png", b"", "vide"),
        ("photo.png", png_bytes()[:300], "endommagée"),
        ("photo.png", png_bytes(200, 260), "trop petite"),
        ("photo.png", png_bytes(600, 500), "portrait"),
    ],
)
def test_e2_photo_upload_errors_next_to_the_field(client, e2_draft, name, data, message):
    response = post_step(
        client,
        e2_draft,
        "photo",
        {"regles_comprises": "on", "photo": upload(name, data)},
        expect_ok=False,
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors["photo"][0]
    assert 'id="id_photo_error"' in response.content.decode()
    assert not DemarcheFile.objects.filter(demarche=e2_draft).exists()


def test_upload_is_stored_replaced_and_downloaded_by_its_owner_only(client, e2_draft, other):
    post_step(
        client,
        e2_draft,
        "photo",
        {"regles_comprises": "on", "photo": upload("moi.png", png_bytes())},
    )
    first = DemarcheFile.objects.get(demarche=e2_draft, kind="photo")
    assert first.content_type == uploads.PNG and first.original_name == "moi.png"
    assert "moi" not in first.file.name
    # Sending the step again with another photo replaces it (one file per kind in a draft).
    post_step(
        client,
        e2_draft,
        "photo",
        {"regles_comprises": "on", "photo": upload("moi2.jpg", jpeg_bytes())},
    )
    stored = DemarcheFile.objects.get(demarche=e2_draft, kind="photo")
    assert stored.pk != first.pk and stored.content_type == uploads.JPEG
    # The step again without a file keeps the stored one.
    post_step(client, e2_draft, "photo", {"regles_comprises": "on"})
    assert DemarcheFile.objects.get(demarche=e2_draft, kind="photo").pk == stored.pk

    url = reverse("demarches:download", args=[stored.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="moi2.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
