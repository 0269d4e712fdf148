"""Fixtures of the account security tests: the local FranceConnect (tests/fake_oidc)."""

import datetime

import pytest

from assures.enums import Sex
from assures.factories import PersonFactory
from tests.fake_oidc import FakeOIDCProvider


@pytest.fixture
def provider(settings):
    """A local OpenID provider that behaves like FranceConnect, over real HTTP."""
    with FakeOIDCProvider() as fake:
        settings.SOCIALACCOUNT_PROVIDERS = fake.app_settings()
        yield fake


@pytest.fixture
def camille_person(db):
    """The registry person the fake provider's identity (CAMILLE) matches."""
    return PersonFactory(
        sex=Sex.FEMALE,
        last_name="Martin",
        first_name="Camille",
        birth_date=datetime.date(1990, 3, 14),
        nir="2900375106123",
    )
