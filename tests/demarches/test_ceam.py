"""FEATURES E3 CEAM: « Commander ma carte » / « Renouveler ma carte » (only from 2 months
before expiry) / perte-vol, for the insured and each ayant droit; immediate order, card valid
2 years; « départ dans les 15 jours » → certificat provisoire valid 3 months (D4)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assures.models import Ceam
from demarches.engine import add_months
from demarches.enums import Status
from demarches.models import Demarche
from demarches.types.ceam import certificate_url

from .conftest import post_step, start, summary_url

TYPE = "ceam"


def ask(client, who, answers, expect_ok=True):
    demarche = start(client, TYPE, who)
    response = post_step(client, demarche, "demande", answers, expect_ok=expect_ok)
    return demarche, response


def test_e3_choices_depend_on_the_card_in_force(client, family):
    client.force_login(family.user)
    demarche = start(client, TYPE, family.person)
    form = client.get(
        reverse("demarches:step", args=[TYPE, demarche.public_id, "demande"])
    ).context["form"]
    assert [c[0] for c in form.fields["motif"].choices] == ["renouveler", "perte_vol"]
    child_draft = start(client, TYPE, family.child)
    form = client.get(
        reverse("demarches:step", args=[TYPE, child_draft.public_id, "demande"])
    ).context["form"]
    assert [c[0] for c in form.fields["motif"].choices] == ["commander"]


@pytest.mark.parametrize(
    "days_before_expiry, allowed",
    [(130, False), (62, None), (59, True), (1, True)],
)
def test_e3_renewal_only_from_two_months_before_expiry(client, family, days_before_expiry, allowed):
    expiry = family.ceam.expires_on
    today = expiry - datetime.timedelta(days=days_before_expiry)
    opens = add_months(expiry, -2)
    if allowed is None:
        allowed = today >= opens
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(10)), tick=False):
        client.force_login(family.user)
        _draft, response = ask(
            client,
            family.person,
            {"motif": "renouveler", "depart_15_jours": "non"},
            expect_ok=False,
        )
    if allowed:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        error = response.context["form"].errors["motif"][0]
        assert "2 mois avant" in error and opens.strftime("%Y") in error


def test_e3_renewal_immediate_with_certificate_when_leaving_within_15_days(client, family):
    today = family.ceam.expires_on - datetime.timedelta(days=40)
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(10)), tick=False):
        client.force_login(family.user)
        demarche, _ = ask(client, family.person, {"motif": "renouveler", "depart_15_jours": "oui"})
        assert client.post(summary_url(demarche)).status_code == 302
        demarche = Demarche.objects.get(pk=demarche.pk)
        assert demarche.status == Status.ACCEPTEE  # the order is immediate
        new = Ceam.objects.get(person=family.person, issued_on=today)
        assert new.expires_on == add_months(today, 24)
        assert (
            demarche.payload["carte"]["certificat_provisoire_jusqu_au"]
            == add_months(today, 3).isoformat()
        )
        page = client.get(reverse("demarches:confirmation", args=[TYPE, demarche.public_id]))
    html = page.content.decode()
    assert "certificat provisoire" in html
    url = certificate_url()
    if url:
        assert url in html
    family.ceam.refresh_from_db()
    assert family.ceam.expires_on > today  # the old card stays valid until its date


def test_e3_loss_ends_the_old_card_and_orders_for_a_child(client, family):
    client.force_login(family.user)
    demarche, _ = ask(client, family.person, {"motif": "perte_vol", "depart_15_jours": "non"})
    client.post(summary_url(demarche))
    family.ceam.refresh_from_db()
    today = timezone.localdate()
    assert not family.ceam.is_valid_on(today)
    assert Ceam.objects.filter(person=family.person, issued_on=today).count() == 1
    child, _ = ask(client, family.child, {"motif": "commander", "depart_15_jours": "non"})
    client.post(summary_url(child))
    assert Ceam.objects.get(person=family.child).is_valid_on(today)


def test_e3_commander_cannot_be_forced_when_a_card_is_in_force(client, family):
    client.force_login(family.user)
    _, response = ask(
        client, family.person, {"motif": "commander", "depart_15_jours": "non"}, expect_ok=False
    )
    assert "motif" in response.context["form"].errors
