"""FEATURES H1: an agent sees only the insured of their own caisse, everywhere in the admin."""

import json

from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.factories import AgentFactory
from assures.factories import LongTermConditionFactory, PersonFactory
from assures.models import AccessLog, LongTermCondition, Person, VitaleCard
from paiements.models import Payment

from .conftest import admin_url


def changelist_people(client, **params):
    response = client.get(admin_url(Person), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_h1_paris_agent_sees_camille_not_jean(client, demo):
    client.force_login(demo["agent_paris"])
    people = changelist_people(client)
    assert demo["camille"].person in people
    assert demo["thomas"].person in people
    assert demo["jean"].person not in people
    assert {p.caisse_id for p in people} == {demo["agent_paris"].caisse_id}
    page = client.get(admin_url(Person)).content.decode()  # nor must the page mention Jean
    assert "MARTIN" in page
    assert "DUPUIS" not in page


def test_h1_gironde_agent_sees_jean_only(client, demo):
    client.force_login(demo["agent_gironde"])
    people = changelist_people(client)
    assert demo["jean"].person in people
    assert demo["camille"].person not in people


def test_h1_other_caisse_person_by_url_is_like_a_missing_one(client, demo):
    """Jean's file (Gironde) is out of reach for a Paris agent, and it says nothing more
    than an id that does not exist: no existence oracle, no audit row for Jean."""
    client.force_login(demo["agent_paris"])
    jean = demo["jean"].person
    response = client.get(admin_url(Person, "change", jean.pk))
    missing = client.get(admin_url(Person, "change", 987654321))
    assert response.status_code == missing.status_code == 302
    assert response.url == missing.url == reverse("admin:index")
    for view in ("history", "delete"):
        assert client.get(admin_url(Person, view, jean.pk)).status_code in (302, 403)
    assert not AccessLog.objects.filter(person=jean).exists()


def test_h1_other_caisse_person_cannot_be_changed_by_post(client, demo):
    client.force_login(demo["agent_paris"])
    jean = demo["jean"].person
    response = client.post(admin_url(Person, "change", jean.pk), {"first_name": "Pirate"})
    assert response.status_code == 302
    jean.refresh_from_db()
    assert jean.first_name == "Jean"
    assert not AccessLog.objects.filter(person=jean).exists()


def test_h1_nir_search_with_spaces_and_key(client, demo):
    client.force_login(demo["agent_paris"])
    assert changelist_people(client, q="2 90 03 75 106 123 07") == [demo["camille"].person]
    assert changelist_people(client, q="1 62 01 33 063 087") == []  # Jean: other caisse
    by_name = changelist_people(client, q="martin camille")
    assert by_name == [demo["camille"].person]


def test_h1_payment_changelist_scoped(client, demo):
    agent = demo["agent_paris"]
    client.force_login(agent)
    response = client.get(admin_url(Payment))
    assert response.status_code == 200
    cl = response.context["cl"]
    expected = Payment.objects.filter(insured__caisse=agent.caisse)
    assert expected.exists()
    assert cl.queryset.count() == expected.count()
    assert not cl.queryset.filter(insured=demo["jean"].person).exists()
    jean_payment = Payment.objects.filter(insured=demo["jean"].person).first()
    assert client.get(admin_url(Payment, "change", jean_payment.pk)).status_code == 302


def test_h1_payment_change_page_in_own_caisse(client, demo):
    payment = Payment.objects.filter(insured=demo["jean"].person).first()
    client.force_login(demo["agent_gironde"])
    response = client.get(admin_url(Payment, "change", payment.pk))
    assert response.status_code == 200
    assert response.context["original"] == payment


def test_h1_registry_parts_scoped(client, demo):
    """Vitale cards (and every part of a file) follow their person's caisse."""
    client.force_login(demo["agent_paris"])
    cards = list(client.get(admin_url(VitaleCard)).context["cl"].result_list)
    assert cards
    assert {c.person.caisse_id for c in cards} == {demo["agent_paris"].caisse_id}
    jean_card = VitaleCard.objects.get(person=demo["jean"].person)
    assert client.get(admin_url(VitaleCard, "change", jean_card.pk)).status_code == 302


def test_h1_autocomplete_limited_to_the_caisse(client, demo):
    client.force_login(demo["agent_paris"])
    url = reverse("admin:autocomplete")
    params = {"app_label": "paiements", "model_name": "payment", "field_name": "insured"}
    found = json.loads(client.get(url, {**params, "term": "MARTIN"}).content)["results"]
    assert {r["id"] for r in found} >= {str(demo["camille"].person.pk)}
    hidden = json.loads(client.get(url, {**params, "term": "DUPUIS"}).content)["results"]
    assert hidden == []
    by_nir = json.loads(client.get(url, {**params, "term": "1 62 01 33 063 087"}).content)
    assert by_nir["results"] == []


def test_h1_foreign_key_choice_from_another_caisse_is_refused(client, demo):
    """Adding an ALD to Jean's file from Paris fails like an unknown choice."""
    client.force_login(demo["agent_paris"])
    before = LongTermCondition.objects.count()
    data = {"label": "Mucoviscidose", "start": "2024-01-01"}
    refused = client.post(
        admin_url(LongTermCondition, "add"), {**data, "person": demo["jean"].person.pk}
    )
    assert refused.status_code == 200
    assert "person" in refused.context["adminform"].form.errors
    assert LongTermCondition.objects.count() == before
    accepted = client.post(
        admin_url(LongTermCondition, "add"), {**data, "person": demo["camille"].person.pk}
    )
    assert accepted.status_code == 302
    assert LongTermCondition.objects.count() == before + 1


def test_h1_staff_without_caisse_sees_nothing(client, demo):
    agent = AgentFactory(caisse=None, groups=list(Group.objects.all()))
    client.force_login(agent)
    assert changelist_people(client) == []
    assert client.get(admin_url(Payment)).context["cl"].queryset.count() == 0
    camille = demo["camille"].person
    assert client.get(admin_url(Person, "change", camille.pk)).status_code == 302
    assert not AccessLog.objects.filter(person=camille).exists()


def test_h1_superuser_sees_every_caisse(client, demo, superuser):
    client.force_login(superuser)
    people = changelist_people(client)
    assert demo["jean"].person in people
    assert demo["camille"].person in people


def test_h1_factory_built_agent_only_sees_own_caisse(client, paris_instruction_agent):
    mine = LongTermConditionFactory(person=PersonFactory(caisse=paris_instruction_agent.caisse))
    other = LongTermConditionFactory()
    client.force_login(paris_instruction_agent)
    listed = list(client.get(admin_url(LongTermCondition)).context["cl"].result_list)
    assert listed == [mine]
    assert client.get(admin_url(LongTermCondition, "change", other.pk)).status_code == 302
    assert client.get(admin_url(LongTermCondition, "change", mine.pk)).status_code == 200


def test_h1_admin_site_is_branded_in_french(client, demo):
    client.force_login(demo["agent_paris"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Espace agents — Assurance Maladie" in response.content.decode()
