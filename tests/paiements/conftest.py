import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.factories import InsuredUserFactory
from assures.factories import BeneficiaryFactory

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 11, 24)  # a Tuesday


@pytest.fixture
def frozen():
    """The clock on 24 November 2026, 10:00 in Paris."""
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS), tick=False):
        yield TODAY


@pytest.fixture
def insured(db):
    return InsuredUserFactory()


@pytest.fixture
def child(insured):
    return BeneficiaryFactory(
        insured=insured.person, person__birth_date=datetime.date(2016, 6, 12)
    ).person


@pytest.fixture
def other(db):
    return InsuredUserFactory()
