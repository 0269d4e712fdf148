"""FEATURES E13 « Faire ou révoquer une procuration »: mandataire ≥ 18 (any regime), valid one
month, revocable at any time from « Mes informations » and « Mes démarches »."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assures.models import Proxy
from demarches.engine import add_months
from demarches.enums import Status
from demarches.models import Demarche

from .conftest import post_step, start, summary_url

TYPE = "procuration"


def mandataire(born):
    return {
        "civilite": "Mme",
        "nom": "Durand",
        "prenom": "Alice",
        "date_naissance": born.isoformat(),
        "lien": "voisine",
    }


@pytest.mark.parametrize("days, ok", [(0, True), (-1, False)])
def test_e13_mandataire_must_be_18(client, family, days, ok):
    today = timezone.localdate()
    born = add_months(today, -18 * 12) - datetime.timedelta(days=days)  # 18 today, or tomorrow
    if days < 0:
        born = add_months(today, -18 * 12) + datetime.timedelta(days=1)
    client.force_login(family.user)
    demarche = start(client, TYPE, family.person)
    response = post_step(client, demarche, "mandataire", mandataire(born), expect_ok=False)
    if ok:
        assert response.status_code == 302
    else:
        assert "au moins 18 ans" in response.context["form"].errors["date_naissance"][0]


def test_e13_valid_one_month_then_revoked_from_mes_informations(client, family):
    client.force_login(family.user)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        demarche = start(client, TYPE, family.person)
        post_step(client, demarche, "mandataire", mandataire(datetime.date(1970, 1, 2)))
        page = client.get(summary_url(demarche))
        assert "Je valide ma demande" in page.content.decode()
        client.post(summary_url(demarche), {"attestation": "on"})
    demarche = Demarche.objects.get(pk=demarche.pk)
    assert demarche.status == Status.ACCEPTEE
    proxy = Proxy.objects.get(person=family.person)
    today = timezone.localdate(now)
    assert (proxy.start, proxy.end) == (today, add_months(today, 1))
    assert proxy.mandatary_name == "Mme Alice DURAND"
    # A second one is refused while this one is in force.
    start_page = client.get(reverse("demarches:start", args=[TYPE]))
    assert start_page.context["eligible"] == []
    info = client.get(reverse("portal:mes_informations")).content.decode()
    assert "Alice DURAND" in info
    response = client.post(
        reverse("demarches:revoke_proxy"), {"procuration": proxy.pk, "retour": "mes-informations"}
    )
    assert response.url == reverse("portal:mes_informations")
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    assert start(client, TYPE, family.person)  # a new one may be made


def test_e13_revoke_from_mes_demarches_and_not_someone_elses(client, family, other):
    today = timezone.localdate()
    proxy = Proxy.objects.create(
        person=family.person,
        mandatary_name="M. Paul MARTIN",
        mandatary_birth_date=datetime.date(1980, 1, 1),
        start=today,
        end=add_months(today, 1),
    )
    client.force_login(other)
    assert (
        client.post(reverse("demarches:revoke_proxy"), {"procuration": proxy.pk}).status_code == 404
    )
    assert client.post(reverse("demarches:revoke_proxy"), {"procuration": "abc"}).status_code == 404
    proxy.refresh_from_db()
    assert proxy.revoked_at is None
    client.force_login(family.user)
    page = client.get(reverse("demarches:start", args=[TYPE]))
    assert "Révoquer" in page.content.decode()
    response = client.post(reverse("demarches:revoke_proxy"), {"procuration": proxy.pk})
    assert response.url == reverse("demarches:start", args=[TYPE])
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    assert client.get(reverse("demarches:revoke_proxy")).status_code == 405
