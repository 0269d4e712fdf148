"""Fixtures of the account creation, recovery and closure tests (FEATURES A1-A3, A8, A12)."""

import datetime

import pytest

from accounts.factories import InsuredUserFactory
from assures.enums import Sex
from assures.factories import BankAccountFactory, CaisseFactory, PersonFactory, VitaleCardFactory

from .helpers import SOPHIE, SOPHIE_IBAN


@pytest.fixture
def sophie(db):
    """Sophie LEROY as `seed_demo` makes her (registry only, no account), from factories."""
    caisse = CaisseFactory(code="441", name="CPAM de Loire-Atlantique")
    person = PersonFactory(
        nir=SOPHIE["nir"],
        sex=Sex.FEMALE,
        last_name="LEROY",
        first_name="Sophie",
        birth_date=datetime.date(1995, 7, 8),
        postal_code=SOPHIE["postal_code"],
        city="Nantes",
        caisse=caisse,
    )
    VitaleCardFactory(person=person, serial_number=SOPHIE["vitale"])
    BankAccountFactory(person=person, iban=SOPHIE_IBAN, holder="MME SOPHIE LEROY")
    return person


@pytest.fixture
def camille(db):
    """An insured person with an active account, a carte Vitale and a current IBAN."""
    user = InsuredUserFactory(
        email="camille.martin@example.org",
        person__last_name="MARTIN",
        person__first_name="Camille",
        person__sex=Sex.FEMALE,
    )
    VitaleCardFactory(person=user.person)
    BankAccountFactory(person=user.person)
    return user
