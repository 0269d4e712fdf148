import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.factories import InsuredUserFactory
from assures.enums import Quality, Sex
from assures.factories import BeneficiaryFactory, PersonFactory, PregnancyFactory

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 11, 24)
DUE = datetime.date(2027, 3, 24)


@pytest.fixture
def frozen():
    """The clock on 24 November 2026, 10:00 in Paris."""
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS), tick=False):
        yield TODAY


@pytest.fixture
def family(db):
    """Like Camille MARTIN (FEATURES « Demo data »): pregnant, due on 24 March 2027, with Léa
    (2016) and Hugo (2022) on her NIR."""
    user = InsuredUserFactory(
        person__sex=Sex.FEMALE,
        person__first_name="Camille",
        person__birth_date=datetime.date(1990, 3, 14),
        person__rights_start=datetime.date(2008, 3, 14),
    )
    me = user.person

    def child(first_name, birth_date):
        return BeneficiaryFactory(
            insured=me,
            person__first_name=first_name,
            person__birth_date=birth_date,
            person__rights_start=birth_date,
        ).person

    lea = child("Léa", datetime.date(2016, 6, 12))
    hugo = child("Hugo", datetime.date(2022, 2, 3))
    pregnancy = PregnancyFactory(person=me, declared_on=TODAY, expected_delivery=DUE)
    return SimpleNamespace(user=user, me=me, lea=lea, hugo=hugo, pregnancy=pregnancy)


@pytest.fixture
def other(db):
    """Somebody else with a child of their own."""
    user = InsuredUserFactory()
    child = BeneficiaryFactory(
        insured=user.person, person__birth_date=datetime.date(2021, 5, 5)
    ).person
    return SimpleNamespace(user=user, child=child)


@pytest.fixture
def spouse(family):
    """A spouse attached to the family as ayant droit (qualité « conjoint »), not a child."""
    return BeneficiaryFactory(
        insured=family.me,
        quality=Quality.SPOUSE,
        person=PersonFactory(birth_date=datetime.date(1989, 1, 1)),
    ).person
