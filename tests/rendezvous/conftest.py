"""Shared pieces of the rendez-vous tests (FEATURES F3, X5, H1, H5): caisses, accueils, slots,
insured people and agents, built with the factories (the demo data has its own tests)."""

import datetime

import pytest
from django.utils import timezone

from accounts.factories import AgentFactory, InsuredUserFactory
from accounts.roles import ensure_agent_groups
from assures.factories import CaisseFactory, PersonFactory
from rendezvous.enums import Mode
from rendezvous.models import Place, Slot


@pytest.fixture(autouse=True)
def _sms_to_tmp(settings, tmp_path):
    """SMS sent by the eager outbox land in a throw-away directory, never in var/sms."""
    settings.SMS_BACKEND = "messagerie.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")


def at(days, hour=10, minute=0):
    """An aware datetime `days` from today at hour:minute, Paris time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_place(caisse, name="Accueil du Centre", **fields):
    defaults = {
        "address_line1": "10 rue de la Paix",
        "postal_code": "75002",
        "city": "Paris",
        "access_info": "Métro Opéra.",
    }
    return Place.objects.create(caisse=caisse, name=name, **{**defaults, **fields})


def make_slot(place, days=3, hour=10, minute=0, mode=Mode.PHYSIQUE, capacity=1, **fields):
    return Slot.objects.create(
        place=place,
        starts_at=at(days, hour, minute),
        mode=mode,
        capacity=capacity,
        duration_minutes=fields.pop("duration_minutes", 30),
        **fields,
    )


@pytest.fixture
def caisse(db):
    return CaisseFactory(code="750", name="CPAM de Test")


@pytest.fixture
def other_caisse(db):
    return CaisseFactory(code="330", name="CPAM d'Ailleurs")


@pytest.fixture
def place(caisse):
    return make_place(caisse)


@pytest.fixture
def other_place(other_caisse):
    return make_place(
        other_caisse,
        name="Accueil Lointain",
        address_line1="1 quai Ailleurs",
        postal_code="33000",
        city="Bordeaux",
    )


@pytest.fixture
def slot(place):
    return make_slot(place)


@pytest.fixture
def insured(caisse):
    """An insured person of `caisse` who accepts e-mails and SMS."""
    return InsuredUserFactory(
        person=PersonFactory(caisse=caisse, first_name="Camille"),
        mobile_phone="+33612345678",
        contact_by_sms=True,
    )


@pytest.fixture
def neighbour(caisse):
    """Another insured person of the same caisse (e-mail only)."""
    return InsuredUserFactory(person=PersonFactory(caisse=caisse))


@pytest.fixture
def stranger(other_caisse):
    return InsuredUserFactory(person=PersonFactory(caisse=other_caisse))


def _agent(caisse, role):
    groups = ensure_agent_groups()  # accounts.roles has the F3 permissions
    return AgentFactory(caisse=caisse, groups=[groups[role]])


@pytest.fixture
def accueil_agent(caisse):
    return _agent(caisse, "Accueil")


@pytest.fixture
def instruction_agent(caisse):
    return _agent(caisse, "Instruction")


@pytest.fixture
def other_agent(other_caisse):
    return _agent(other_caisse, "Accueil")
