"""FEATURES H5: every agent read or change of an insured's record leaves an AccessLog row."""

import datetime

import pytest

from accounts.roles import ensure_agent_groups
from assures.audit import log_access
from assures.enums import AccessAction
from assures.factories import (
    LongTermConditionFactory,
    PersonFactory,
    VitaleCardFactory,
)
from assures.models import AccessLog, LongTermCondition, Person, VitaleCard
from paiements.models import Payment

from .conftest import admin_url


def test_h5_opening_camille_writes_one_consultation(client, demo):
    agent, camille = demo["agent_paris"], demo["camille"].person
    client.force_login(agent)
    assert client.get(admin_url(Person, "change", camille.pk)).status_code == 200
    row = AccessLog.objects.get()
    assert row.action == AccessAction.VIEW
    assert row.agent == agent
    assert row.caisse == agent.caisse
    assert row.person == camille
    assert row.object_type == "assuré ou bénéficiaire"
    assert row.object_id == str(camille.pk)
    assert row.service == ", ".join(sorted(agent.groups.values_list("name", flat=True)))
    assert row.service  # the agent has roles: the insured will read « Accueil, … » (X2)


def test_h5_changelist_and_search_are_not_logged(client, demo):
    client.force_login(demo["agent_paris"])
    client.get(admin_url(Person), {"q": "MARTIN"})
    client.get(admin_url(Payment))
    assert not AccessLog.objects.exists()


def test_h5_changing_a_field_writes_a_modification_with_its_name(client, demo, post_change_form):
    agent, camille = demo["agent_paris"], demo["camille"].person
    client.force_login(agent)
    url = admin_url(Person, "change", camille.pk)

    def edit(data):
        data["city"] = "Paris 19e"

    response = post_change_form(client, url, edit)
    assert response.status_code == 302, response.context["errors"]
    camille.refresh_from_db()
    assert camille.city == "Paris 19e"
    assert camille.nir == "2900375106123"  # the spaced NIR shown in the form was compacted
    change = AccessLog.objects.get(action=AccessAction.CHANGE)
    assert change.agent == agent
    assert change.person == camille
    assert change.object_id == str(camille.pk)
    assert change.detail == "Champs modifiés : city"
    # The GET before the POST was one consultation; unchanged inlines wrote nothing.
    assert list(AccessLog.objects.values_list("action", flat=True).order_by("at", "pk")) == [
        AccessAction.VIEW,
        AccessAction.CHANGE,
    ]


def test_h5_inline_changes_are_logged_per_object(client, paris_instruction_agent, post_change_form):
    person = PersonFactory(caisse=paris_instruction_agent.caisse)
    ald = LongTermConditionFactory(person=person, label="Affection psychiatrique")
    client.force_login(paris_instruction_agent)

    def edit(data):
        data["alds-0-label"] = "Affection psychiatrique de longue durée"
        data["alds-0-end"] = "2030-01-01"

    response = post_change_form(client, admin_url(Person, "change", person.pk), edit)
    assert response.status_code == 302, response.context["errors"]
    # Only the ALD changed: no row for the person's own (unchanged) fields.
    row = AccessLog.objects.get(action=AccessAction.CHANGE)
    assert row.person == person
    assert row.object_type == "ALD"
    assert row.object_id == str(ald.pk)
    assert "label" in row.detail and "end" in row.detail


def test_h5_adding_writes_a_creation(client, demo):
    camille = demo["camille"].person
    client.force_login(demo["agent_paris"])
    response = client.post(
        admin_url(LongTermCondition, "add"),
        {"person": camille.pk, "label": "Insuffisance cardiaque grave", "start": "2025-02-01"},
    )
    assert response.status_code == 302
    ald = LongTermCondition.objects.get(label="Insuffisance cardiaque grave")
    row = AccessLog.objects.get()
    assert (row.action, row.person, row.object_type, row.object_id) == (
        AccessAction.ADD,
        camille,
        "ALD",
        str(ald.pk),
    )


def test_h5_deleting_writes_a_suppression(client, demo, superuser):
    """Superusers are audited too (service « Administration », no caisse)."""
    card = VitaleCardFactory(
        person=demo["camille"].person, status="invalidee", issued_on=datetime.date(2010, 1, 1)
    )
    client.force_login(superuser)
    confirm = client.get(admin_url(VitaleCard, "delete", card.pk))
    assert confirm.status_code == 200
    response = client.post(admin_url(VitaleCard, "delete", card.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not VitaleCard.objects.filter(pk=card.pk).exists()
    view, deletion = AccessLog.objects.order_by("at", "pk")
    assert view.action == AccessAction.VIEW and "suppression" in view.detail
    assert deletion.action == AccessAction.DELETE
    assert deletion.object_id == str(card.pk)
    assert deletion.person == demo["camille"].person
    assert deletion.agent == superuser
    assert deletion.caisse is None
    assert deletion.service == "Administration"


def test_h5_view_only_agent_is_logged_too(client, demo):
    """An « Accueil » agent cannot change a Vitale card, but opening it is still a read."""
    groups = ensure_agent_groups()
    agent = demo["agent_paris"]
    agent.groups.set([groups["Accueil"]])
    card = VitaleCard.objects.get(serial_number="92157480312")
    client.force_login(agent)
    response = client.get(admin_url(VitaleCard, "change", card.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    row = AccessLog.objects.get()
    assert (row.action, row.service, row.object_type) == (
        AccessAction.VIEW,
        "Accueil",
        "carte Vitale",
    )


def test_h5_payment_consultation_is_logged_on_the_insured_file(client, demo):
    payment = Payment.objects.filter(insured=demo["camille"].person).exclude(
        beneficiary=demo["camille"].person
    )[0]
    client.force_login(demo["agent_paris"])
    assert client.get(admin_url(Payment, "change", payment.pk)).status_code == 200
    row = AccessLog.objects.get()
    assert row.person == demo["camille"].person
    assert row.object_type == "paiement"


def test_h5_person_cannot_be_deleted_from_the_admin(client, demo, superuser):
    client.force_login(superuser)
    camille = demo["camille"].person
    assert client.post(admin_url(Person, "delete", camille.pk), {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=camille.pk).exists()


def test_h5_log_access_service_for_later_features(demo):
    """The service other features call (H2 instruction, H4 code provisoire…)."""
    agent, jean = demo["agent_gironde"], demo["jean"].person
    row = log_access(agent, jean, AccessAction.VIEW, object_type="code provisoire", object_id=7)
    assert (row.caisse, row.person, row.object_id) == (agent.caisse, jean, "7")
    assert log_access(agent, None, AccessAction.VIEW, object_type="x") is None
    with pytest.raises(ValueError):
        log_access(agent, jean, AccessAction.VIEW)
    long = log_access(agent, jean, AccessAction.CHANGE, jean, "x" * 500)
    assert len(long.detail) == AccessLog._meta.get_field("detail").max_length


def test_h5_saving_without_change_is_no_modification(client, demo, post_change_form):
    camille = demo["camille"].person
    client.force_login(demo["agent_paris"])
    response = post_change_form(client, admin_url(Person, "change", camille.pk), lambda d: None)
    assert response.status_code == 302, response.context["errors"]
    assert list(AccessLog.objects.values_list("action", flat=True)) == [AccessAction.VIEW]


def test_h5_invalid_post_redisplays_the_file_and_counts_as_a_read(client, demo, post_change_form):
    camille = demo["camille"].person
    client.force_login(demo["agent_paris"])

    def edit(data):
        data["nir"] = "2 90 03 75 106 123 99"  # wrong key

    response = post_change_form(client, admin_url(Person, "change", camille.pk), edit)
    assert response.status_code == 200
    assert "nir" in response.context["adminform"].form.errors
    assert list(AccessLog.objects.values_list("action", flat=True)) == [
        AccessAction.VIEW,
        AccessAction.VIEW,
    ]
