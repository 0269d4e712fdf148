"""`services.issue()`: storage, verification codes, reuse and dedupe (FEATURES D8, X1)."""

import datetime
import threading
from unittest import mock

import pytest
import time_machine
from django.db import connection

from accounts.factories import InsuredUserFactory
from documents import services, verification
from documents.enums import DocumentKind
from documents.models import GeneratedDocument
from documents.renderers import RightsAttestation
from paiements.factories import PaymentFactory

from .conftest import PARIS

pytestmark = pytest.mark.django_db
RIGHTS = {"beneficiary": None}


def test_stored_privately_under_a_random_name(frozen, insured, private_storage):
    document = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    path = private_storage / document.file.name
    assert path.is_file()
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert document.size == len(data)
    name = document.file.name
    assert name.startswith("documents/2026/11/") and name.endswith(".pdf")
    for personal in (insured.person.nir, insured.person.last_name, str(insured.person.public_id)):
        assert personal.lower() not in name.lower()
    assert len(name.rsplit("/", 1)[1]) == len("0123456789abcdef0123456789abcdef.pdf")
    other = services.issue(InsuredUserFactory().person, DocumentKind.RIGHTS, RIGHTS)
    assert other.file.name != name


def test_verification_codes_are_unique_and_well_formed(frozen, insured, child):
    documents = [
        services.issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": b})
        for b in (None, str(child.public_id), str(insured.person.public_id))
    ]
    codes = {d.verification_code for d in documents}
    assert len(codes) == 3
    assert all(verification.is_well_formed(c) for c in codes)


def test_double_submission_gives_the_same_document(frozen, insured):
    first = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    again = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    assert again.pk == first.pk
    assert GeneratedDocument.objects.count() == 1


def test_a_situation_is_issued_again_after_the_window(insured):
    start = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
    with time_machine.travel(start, tick=False):
        first = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    with time_machine.travel(start + datetime.timedelta(minutes=9), tick=False):
        assert services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS).pk == first.pk
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        later = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    assert later.pk != first.pk
    assert later.verification_code != first.verification_code


def test_a_document_fixed_in_time_is_issued_once(insured):
    payment = PaymentFactory(insured=insured.person, paid_on=datetime.date(2026, 3, 1))
    parameters = {"payment": str(payment.public_id)}
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS), tick=False):
        first = services.issue(insured.person, DocumentKind.PAYMENT_STATEMENT, parameters)
    with time_machine.travel(datetime.datetime(2027, 2, 1, 10, 0, tzinfo=PARIS), tick=False):
        again = services.issue(insured.person, DocumentKind.PAYMENT_STATEMENT, parameters)
    assert again.pk == first.pk


def test_same_parameters_of_another_person_are_another_document(frozen, insured, other):
    mine = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    theirs = services.issue(other.person, DocumentKind.RIGHTS, RIGHTS)
    assert mine.pk != theirs.pk and theirs.owner == other.person


def test_nothing_half_saved_when_rendering_fails(frozen, insured, private_storage):
    with (
        mock.patch("documents.renderers.html_to_pdf", side_effect=OSError("disque plein")),
        pytest.raises(OSError),
    ):
        services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    assert not GeneratedDocument.objects.exists()
    assert not list(private_storage.rglob("*.pdf"))


def test_nothing_half_saved_when_the_row_cannot_be_written(frozen, insured, private_storage):
    with (
        mock.patch.object(GeneratedDocument, "save", side_effect=RuntimeError("base indisponible")),
        pytest.raises(RuntimeError),
    ):
        services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    assert not list(private_storage.rglob("*.pdf")), "the stored file must be removed"


def test_redownload_streams_identical_bytes_without_rendering(client, frozen, insured):
    document = services.issue(insured.person, DocumentKind.RIGHTS, RIGHTS)
    with document.file.open("rb") as handle:
        stored = handle.read()
    client.force_login(insured)
    with mock.patch.object(RightsAttestation, "render", side_effect=AssertionError("re-render")):
        bodies = [
            b"".join(client.get(f"/documents/{document.public_id}/telecharger/").streaming_content)
            for _ in range(3)
        ]
    assert bodies == [stored] * 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submission_creates_one_document(insured):
    """Two requests at the same time (a double click): one document, on SQLite and PostgreSQL."""
    person = insured.person
    results, errors = [], []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            results.append(services.issue(person, DocumentKind.RIGHTS, RIGHTS).pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert GeneratedDocument.objects.filter(owner=person).count() == 1
