"""C2: monthly relevés prepared in the background, idempotently (ARCHITECTURE decision 4)."""

import datetime

import pytest

from accounts.factories import InsuredUserFactory
from documents import tasks
from documents.enums import DocumentKind
from documents.models import GeneratedDocument
from paiements.factories import PaymentFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_prepares_last_months_relevé_for_whoever_had_payments(frozen, insured):
    quiet = InsuredUserFactory()  # no payment in October
    PaymentFactory(insured=insured.person, paid_on=D(2026, 10, 3))
    PaymentFactory(insured=insured.person, paid_on=D(2026, 10, 20))
    PaymentFactory(insured=quiet.person, paid_on=D(2026, 9, 3))

    assert tasks.prepare_monthly_statements.delay().get() == 1

    document = GeneratedDocument.objects.get()
    assert document.owner == insured.person
    assert document.kind == DocumentKind.MONTHLY_STATEMENT
    assert document.parameters == {"month": "2026-10"}


def test_running_twice_issues_nothing_twice(frozen, insured):
    PaymentFactory(insured=insured.person, paid_on=D(2026, 10, 3))
    tasks.prepare_monthly_statements.delay()
    assert tasks.prepare_monthly_statements.delay().get() == 0
    first = GeneratedDocument.objects.get()
    # A redelivered per-person task finds the relevé already issued.
    assert tasks.prepare_monthly_statement.delay(insured.person.pk, "2026-10").get() == str(
        first.public_id
    )
    assert GeneratedDocument.objects.count() == 1


def test_on_demand_download_reuses_the_prepared_relevé(client, frozen, insured):
    PaymentFactory(insured=insured.person, paid_on=D(2026, 10, 3))
    tasks.prepare_monthly_statements.delay()
    prepared = GeneratedDocument.objects.get()
    client.force_login(insured)
    response = client.get("/documents/releves-mensuels/2026-10/")
    assert response.url == f"/documents/{prepared.public_id}/telecharger/"
    assert GeneratedDocument.objects.count() == 1


def test_unknown_person_or_empty_month(frozen, insured):
    assert tasks.prepare_monthly_statement.delay(999_999, "2026-10").get() is None
    assert tasks.prepare_monthly_statement.delay(insured.person.pk, "2026-10").get() is None
    assert not GeneratedDocument.objects.exists()


def test_scheduled_by_beat(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "documents.tasks.prepare_monthly_statements" in tasks_scheduled
