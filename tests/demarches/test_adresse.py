"""FEATURES E4 « Changement d'adresse »: France or abroad; French postal code checked (format,
département) and the city compared with the chefs-lieux; confirm screen « C'est bien ça ! »;
for me and my ayants droit; the registry changes when the caisse accepts."""

import html

import pytest
from django.urls import reverse

from accounts.factories import AgentFactory
from demarches import services
from demarches.departements import PostalCodeError, city_warning, departement_of
from demarches.enums import Status
from demarches.models import Demarche

from .conftest import post_step, start, summary_url

TYPE = "changement-adresse"


@pytest.mark.parametrize(
    "code, dep",
    [
        ("75019", "75"),
        ("33000", "33"),
        ("20000", "2A"),
        ("20200", "2B"),
        ("97400", "974"),
        ("01000", "01"),
    ],
)
def test_e4_departement_of_postal_code(code, dep):
    assert departement_of(code) == dep


@pytest.mark.parametrize("code", ["7501", "750199", "ABCDE", "00100", "96000", "97900", "98000"])
def test_e4_impossible_postal_codes(code):
    with pytest.raises(PostalCodeError):
        departement_of(code)


def test_e4_city_warning_for_another_departement():
    assert "Paris" in city_warning("33000", "Paris") and "Gironde (33)" in city_warning(
        "33000", "paris"
    )
    assert city_warning("75019", "Paris") == ""
    assert city_warning("33600", "Pessac") == ""  # unknown to the check: no warning
    assert city_warning("93200", "Saint-Denis") == ""  # homonym of La Réunion's chef-lieu


def test_e4_form_errors_next_to_the_fields(client, family):
    client.force_login(family.user)
    demarche = start(client, TYPE, family.person)
    response = post_step(
        client,
        demarche,
        "adresse",
        {"residence": "france", "address_line1": "", "postal_code": "96000", "city": "Paris"},
        expect_ok=False,
    )
    errors = response.context["form"].errors
    assert "aucun département" in errors["postal_code"][0]
    assert "numéro et le nom de la voie" in errors["address_line1"][0]
    response = post_step(
        client,
        demarche,
        "adresse",
        {
            "residence": "etranger",
            "address_line1": "Calle Mayor 1",
            "postal_code": "28013",
            "city": "Madrid",
            "country": "",
        },
        expect_ok=False,
    )
    assert "pays" in response.context["form"].errors["country"][0]
    demarche.refresh_from_db()
    assert demarche.payload == {}


def test_e4_confirm_screen_then_agent_applies_to_me_and_chosen_children(client, family):
    client.force_login(family.user)
    demarche = start(client, TYPE, family.person)
    post_step(
        client,
        demarche,
        "adresse",
        {
            "residence": "france",
            "address_line1": "5 allées de Tourny",
            "postal_code": "33000",
            "city": "Paris",
            "ayants_droit": [str(family.teen.public_id)],
        },
    )
    page = client.get(summary_url(demarche))
    text = html.unescape(page.content.decode())
    assert "C'est bien ça !" in text
    assert "Gironde (33)" in text and "Vérifiez le code postal et la commune" in text
    assert family.teen.full_name in text and family.child.full_name not in text
    client.post(summary_url(demarche))
    demarche = Demarche.objects.get(pk=demarche.pk)
    assert demarche.status == Status.DEPOSEE
    family.person.refresh_from_db()
    assert family.person.postal_code != "33000"  # not before the caisse accepts
    services.accept(demarche, AgentFactory(caisse=family.person.caisse))
    for who in (family.person, family.teen):
        who.refresh_from_db()
        assert (who.address_line1, who.postal_code, who.city, who.country) == (
            "5 allées de Tourny",
            "33000",
            "PARIS",
            "France",
        )
    family.child.refresh_from_db()
    assert family.child.postal_code != "33000"


def test_e4_abroad(client, family):
    client.force_login(family.user)
    demarche = start(client, TYPE, family.person)
    post_step(
        client,
        demarche,
        "adresse",
        {
            "residence": "etranger",
            "address_line1": "Calle Mayor 1",
            "postal_code": "28013",
            "city": "Madrid",
            "country": "Espagne",
        },
    )
    client.post(summary_url(demarche))
    services.accept(Demarche.objects.get(pk=demarche.pk), AgentFactory(caisse=family.person.caisse))
    family.person.refresh_from_db()
    assert family.person.country == "Espagne"
    assert family.person.postal_address_lines[-1] == "ESPAGNE"
    page = client.get(reverse("portal:mes_informations"))
    assert "ESPAGNE" in page.content.decode()
