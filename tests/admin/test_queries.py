"""ARCHITECTURE « query counts asserted per page »: the agents' pages do not grow with data."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import InsuredUserFactory
from assures.factories import (
    BankAccountFactory,
    BeneficiaryFactory,
    CeamFactory,
    ComplementaryContractFactory,
    LongTermConditionFactory,
    PersonFactory,
    PregnancyFactory,
    TreatingDoctorFactory,
    VitaleCardFactory,
)
from assures.models import Person
from paiements.models import Payment

from .conftest import admin_url


def full_file(person, size):
    """`size` rows in each part of `person`'s file (each with its own doctor, OC…)."""
    for i in range(size):
        BeneficiaryFactory(insured=person)
        VitaleCardFactory(person=person, status="active" if i == 0 else "invalidee")
        CeamFactory(person=person)
        BankAccountFactory(person=person, is_current=i == 0)
        ComplementaryContractFactory(person=person)
        TreatingDoctorFactory(person=person, ended_on=None if i == 0 else datetime.date(2017, 1, 1))
        LongTermConditionFactory(person=person)
        PregnancyFactory(person=person)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_person_changelist_query_count(
    client, paris_instruction_agent, django_assert_max_num_queries
):
    caisse = paris_instruction_agent.caisse
    for person in PersonFactory.create_batch(3, caisse=caisse):
        InsuredUserFactory(person=person)
    client.force_login(paris_instruction_agent)
    client.get(admin_url(Person))  # warm the session and permission caches
    few = count_queries(client, admin_url(Person))
    for person in PersonFactory.create_batch(30, caisse=caisse):
        InsuredUserFactory(person=person)
    # session, user, 2× permissions, count, rows (caisse and account joined), session save
    with django_assert_max_num_queries(8):
        response = client.get(admin_url(Person))
    assert len(response.context["cl"].result_list) == 33
    assert count_queries(client, admin_url(Person)) == few


def test_person_change_page_query_count(
    client, paris_instruction_agent, django_assert_max_num_queries
):
    caisse = paris_instruction_agent.caisse
    small, big = PersonFactory(caisse=caisse), PersonFactory(caisse=caisse)
    full_file(small, 1)
    full_file(big, 6)
    client.force_login(paris_instruction_agent)
    client.get(admin_url(Person, "change", small.pk))
    few = count_queries(client, admin_url(Person, "change", small.pk))
    # session, user, permissions, the person, one query per part of the file (9), the audit
    # row (agent's groups + insert), the caisse choices, session save
    with django_assert_max_num_queries(19):
        client.get(admin_url(Person, "change", big.pk))
    assert count_queries(client, admin_url(Person, "change", big.pk)) == few


def test_payment_changelist_query_count(client, demo, django_assert_max_num_queries):
    client.force_login(demo["agent_paris"])
    client.get(admin_url(Payment))
    with django_assert_max_num_queries(8):
        response = client.get(admin_url(Payment))
    assert len(response.context["cl"].result_list) > 20
