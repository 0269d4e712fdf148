import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.factories import InsuredUserFactory
from assures.factories import BeneficiaryFactory

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Generated PDFs go to a private folder of the test (STORAGES["default"])."""
    storages = {name: dict(conf) for name, conf in settings.STORAGES.items()}
    storages["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    settings.STORAGES = storages
    return tmp_path / "private"


@pytest.fixture
def frozen():
    """The clock on 24 November 2026, 10:00 in Paris."""
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS), tick=False):
        yield TODAY


@pytest.fixture
def insured(db):
    return InsuredUserFactory(
        person__birth_date=datetime.date(1990, 3, 14),
        person__rights_start=datetime.date(2008, 3, 14),
    )


@pytest.fixture
def child(insured):
    return BeneficiaryFactory(
        insured=insured.person, person__birth_date=datetime.date(2016, 6, 12)
    ).person


@pytest.fixture
def other(db):
    return InsuredUserFactory()


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as `pdftotext` extracts it, in reading order (poppler-utils)."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def squash(text: str) -> str:
    return " ".join(text.split())


def document_text(document) -> str:
    with document.file.open("rb") as handle:
        return squash(pdf_text(handle.read()))
