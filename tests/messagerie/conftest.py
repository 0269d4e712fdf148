"""Shared pieces of the messagerie tests (FEATURES F1, B2, H3): files, people, storage."""

import io

import pytest
from PIL import Image

from accounts.factories import AgentFactory, InsuredUserFactory
from accounts.roles import ensure_agent_groups
from assures.factories import CaisseFactory, PersonFactory

# The smallest PDF validate_upload accepts: the magic header and the %%EOF trailer.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def png_bytes(size=(8, 8), color=(12, 65, 154)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploaded files go to a throw-away private directory, never to var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def caisse(db):
    return CaisseFactory(code="750", name="CPAM de Test")


@pytest.fixture
def other_caisse(db):
    return CaisseFactory(code="330", name="CPAM d'Ailleurs")


@pytest.fixture
def insured(caisse):
    return InsuredUserFactory(person=PersonFactory(caisse=caisse))


@pytest.fixture
def stranger(other_caisse):
    """Another insured person, of another caisse."""
    return InsuredUserFactory(person=PersonFactory(caisse=other_caisse))


@pytest.fixture
def neighbour(caisse):
    """Another insured person of the same caisse."""
    return InsuredUserFactory(person=PersonFactory(caisse=caisse))


@pytest.fixture
def messagerie_agent(caisse):
    groups = ensure_agent_groups()
    return AgentFactory(caisse=caisse, groups=[groups["Messagerie"]])


@pytest.fixture
def other_agent(other_caisse):
    groups = ensure_agent_groups()
    return AgentFactory(caisse=other_caisse, groups=[groups["Messagerie"]])
