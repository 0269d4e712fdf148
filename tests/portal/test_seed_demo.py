"""`seed_demo` builds the demo people of FEATURES.md exactly, and is idempotent."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import DEMO_PASSWORD
from accounts.models import User
from assures.models import Beneficiary, Ceam, ComplementaryContract, Person, VitaleCard
from paiements.enums import Nature
from paiements.models import Payment

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Person, User, Payment, Beneficiary, VitaleCard, Ceam, ComplementaryContract)
    }


def test_idempotent():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first


def test_demo_people(demo):
    camille = demo["camille"]
    assert camille.check_password(DEMO_PASSWORD)
    assert camille.person.nir_display == "2 90 03 75 106 123 07"
    assert camille.person.birth_date == datetime.date(1990, 3, 14)
    assert camille.email == "camille.martin@example.org"
    assert camille.person.caisse.name == "CPAM de Paris"
    assert camille.person.vitale_cards.get().serial_number == "92157480312"
    children = {
        b.person.first_name: b.person.birth_date.year
        for b in camille.person.beneficiary_links.all()
    }
    assert children == {"Léa": 2016, "Hugo": 2022}
    today = timezone.localdate()
    ceam = camille.person.ceams.get()
    assert 40 <= (ceam.expires_on - today).days <= 43  # expiring in 6 weeks
    due = camille.person.pregnancies.get().expected_delivery
    assert 110 <= (due - today).days <= 130  # due in about 4 months
    payments = Payment.objects.for_person(camille.person)
    oldest = payments.order_by("paid_on").first().paid_on
    assert 26 <= (today.year - oldest.year) * 12 + today.month - oldest.month <= 27
    assert payments.filter(nature=Nature.DAILY_ALLOWANCE).exists()
    assert payments.exclude(beneficiary=camille.person).exists()  # children's care too

    jean = demo["jean"]
    assert jean.person.caisse.name == "CPAM de la Gironde"
    assert jean.person.alds.exists()
    assert ComplementaryContract.objects.filter(person=jean.person).in_force().count() == 2
    assert Payment.objects.filter(insured=jean.person, nature=Nature.INVALIDITY_PENSION).exists()
    assert Payment.objects.filter(insured=jean.person, nature=Nature.WORK_ACCIDENT_ANNUITY).exists()

    sophie = Person.objects.get(nir="2950744109034")
    assert not User.objects.filter(person=sophie).exists()
    assert sophie.vitale_cards.get().serial_number == "90071234567"
    assert sophie.bank_accounts.get(is_current=True).iban.endswith("4321")

    for agent, caisse in (
        ("agent_paris", "CPAM de Paris"),
        ("agent_gironde", "CPAM de la Gironde"),
    ):
        assert demo[agent].is_staff and not demo[agent].is_superuser
        assert demo[agent].caisse.name == caisse
        assert demo[agent].check_password("Agent-Demo-2026")
