"""Fixtures of the démarches tests: an insured account with a family, files to upload."""

import datetime
import io

import pytest
from PIL import Image

from accounts.factories import InsuredUserFactory
from assures.enums import Quality
from assures.factories import (
    BankAccountFactory,
    BeneficiaryFactory,
    CeamFactory,
    PersonFactory,
    VitaleCardFactory,
)
from demarches.engine import add_months


def png_bytes(width=360, height=480, color=(200, 210, 230)):
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(width=360, height=480, exif=None):
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (120, 140, 160))
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploaded files of the tests go to a temporary private directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def family(db):
    """An insured adult (account, active Vitale card, IBAN, CEAM) with two children:
    `teen` (13) and `child` (5)."""
    today = datetime.date.today()
    user = InsuredUserFactory(person=PersonFactory(birth_date=datetime.date(1985, 5, 10)))
    person = user.person
    teen = BeneficiaryFactory(
        insured=person,
        person__birth_date=add_months(today, -13 * 12) - datetime.timedelta(days=10),
        quality=Quality.CHILD,
    ).person
    child = BeneficiaryFactory(
        insured=person,
        person__birth_date=add_months(today, -5 * 12),
        quality=Quality.CHILD,
    ).person
    card = VitaleCardFactory(person=person)
    teen_card = VitaleCardFactory(person=teen)
    bank = BankAccountFactory(person=person)
    ceam = CeamFactory(
        person=person,
        issued_on=today - datetime.timedelta(days=600),
        expires_on=today + datetime.timedelta(days=130),
    )
    return type(
        "Family",
        (),
        {
            "user": user,
            "person": person,
            "teen": teen,
            "child": child,
            "card": card,
            "teen_card": teen_card,
            "bank": bank,
            "ceam": ceam,
        },
    )


@pytest.fixture
def other(db):
    """Somebody else (another account), for the permission tests."""
    return InsuredUserFactory()


def log_in_confirmed(client, user):
    """Logged in, and the identity just confirmed by password (allauth's re-authentication),
    as E5 asks before any of its pages (ARCHITECTURE « Password and session rules »)."""
    from django.urls import reverse

    from accounts.factories import DEMO_PASSWORD

    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    assert response.status_code == 302, response


def start(client, type_slug, beneficiary, **extra):
    """POST the start page; returns the draft démarche (asserting the redirect to a step)."""
    from django.urls import reverse

    from demarches.models import Demarche

    response = client.post(
        reverse("demarches:start", args=[type_slug]),
        {"beneficiary": str(beneficiary.public_id), **extra},
    )
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return Demarche.objects.get(type=type_slug, beneficiary=beneficiary, status="brouillon")


def step_url(demarche, step):
    from django.urls import reverse

    return reverse("demarches:step", args=[demarche.type, demarche.public_id, step])


def summary_url(demarche):
    from django.urls import reverse

    return reverse("demarches:summary", args=[demarche.type, demarche.public_id])


def post_step(client, demarche, step, data, expect_ok=True):
    response = client.post(step_url(demarche, step), data)
    if expect_ok:
        assert response.status_code == 302, response.context["form"].errors
    return response


def last_code(user):
    """The 4-digit security code of the last e-mail sent to `user` (read from the outbox)."""
    import re

    from messagerie.models import OutboundMessage

    message = OutboundMessage.objects.filter(user=user, template="demarche_code_securite").latest(
        "created_at"
    )
    return re.search(r"\b(\d{4})\b", message.body_text).group(1)
