"""FEATURES E1 « Déclarer la perte ou le vol de carte Vitale » and E2 « Commander une carte
Vitale » + « Suivre la commande » (ages ≥ 12, card invalidated at once, 4-day window, photo
and identity document, tracking commandée → en fabrication → envoyée)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgentFactory
from assures.enums import VitaleStatus
from assures.models import VitaleCard
from demarches import services
from demarches.engine import Family, add_months
from demarches.enums import Status
from demarches.models import Demarche
from demarches.registry import get_type
from demarches.tasks import process_due
from messagerie.models import Message

from .conftest import PDF_BYTES, png_bytes, post_step, start, summary_url

E1 = "perte-carte-vitale"
E2 = "commande-carte-vitale"


def declare(client, family, who):
    demarche = start(client, E1, who)
    post_step(
        client,
        demarche,
        "declaration",
        {"motif": "perte", "coordonnees_exactes": "on", "engagement": "on"},
    )
    assert client.post(summary_url(demarche)).status_code == 302
    return Demarche.objects.get(pk=demarche.pk)


def order(client, family, who, follows=None):
    extra = {"follows": str(follows.public_id)} if follows else {}
    demarche = start(client, E2, who, **extra)
    post_step(client, demarche, "coordonnees", {"coordonnees_exactes": "on"})
    post_step(
        client,
        demarche,
        "photo",
        {"regles_comprises": "on", "photo": SimpleUploadedFile("photo.png", png_bytes())},
    )
    post_step(
        client,
        demarche,
        "piece-identite",
        {"regles_comprises": "on", "piece_identite": SimpleUploadedFile("cni.pdf", PDF_BYTES)},
    )
    response = client.post(summary_url(demarche), {"attestation": "on"})
    assert response.status_code == 302
    return Demarche.objects.get(pk=demarche.pk)


def eligibility(type_slug, family, member, today=None):
    kind = get_type(type_slug)
    return kind.beneficiary_eligibility(Family.load(family.person, today), member)


# --- ages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("type_slug", [E1, E2])
def test_e1_e2_beneficiary_must_be_12(family, type_slug):
    if type_slug == E2:
        family.teen_card.delete()
    today = timezone.localdate()
    family.teen.birth_date = add_months(today, -12 * 12) + datetime.timedelta(days=1)  # 12 tomorrow
    family.teen.save()
    verdict = eligibility(type_slug, family, family.teen, today)
    assert not verdict and "au moins 12 ans" in verdict.message
    with time_machine.travel(today + datetime.timedelta(days=1)):
        assert eligibility(type_slug, family, family.teen, today + datetime.timedelta(days=1))
    assert not eligibility(type_slug, family, family.child, today)  # 5 years old


def test_e1_requires_a_card_in_force(family):
    family.card.status = VitaleStatus.INVALIDATED
    family.card.save()
    verdict = eligibility(E1, family, family.person)
    assert not verdict and "pas de carte Vitale en cours de validité" in verdict.message


# --- E1 ------------------------------------------------------------------------------------------
def test_e1_card_invalidated_at_once_and_e2_offered(client, family):
    client.force_login(family.user)
    declaration = declare(client, family, family.teen)
    assert declaration.status == Status.ACCEPTEE
    assert [t.to_status for t in declaration.transitions.all()] == [
        Status.DEPOSEE,
        Status.EN_INSTRUCTION,
        Status.ACCEPTEE,
    ]
    family.teen_card.refresh_from_db()
    assert family.teen_card.status == VitaleStatus.INVALIDATED
    family.card.refresh_from_db()
    assert family.card.status == VitaleStatus.ACTIVE  # only the beneficiary's card
    accuse = Message.objects.get(thread__related_reference=declaration.reference)
    assert family.teen_card.serial_number in accuse.body and "4 jours" in accuse.body
    page = client.get(reverse("demarches:confirmation", args=[E1, declaration.public_id]))
    assert page.context["can_order"] is True
    html = page.content.decode()
    assert "Continuer" in html and reverse("demarches:start", args=[E2]) in html


def test_e1_missing_commitment_is_refused_next_to_the_field(client, family):
    client.force_login(family.user)
    demarche = start(client, E1, family.person)
    response = post_step(
        client,
        demarche,
        "declaration",
        {"motif": "vol", "coordonnees_exactes": "on"},
        expect_ok=False,
    )
    assert "restituer" in response.context["form"].errors["engagement"][0]
    family.card.refresh_from_db()
    assert family.card.status == VitaleStatus.ACTIVE


# --- E2 and the 4-day window --------------------------------------------------------------------
def test_e2_refused_while_the_card_is_in_force(family):
    verdict = eligibility(E2, family, family.person)
    assert not verdict and "déclarez d'abord sa perte" in verdict.message


def test_e2_within_four_days_of_e1_then_closed(client, family):
    client.force_login(family.user)
    start_time = timezone.now()
    with time_machine.travel(start_time, tick=False):
        declaration = declare(client, family, family.person)
    with time_machine.travel(start_time + datetime.timedelta(days=3, hours=23)):
        assert eligibility(E2, family, family.person)
    with time_machine.travel(start_time + datetime.timedelta(days=4, minutes=1)):
        verdict = eligibility(E2, family, family.person)
        assert not verdict and "4 jours" in verdict.message and "36 46" in verdict.message
        client.force_login(family.user)  # the session itself expired long ago
        page = client.get(reverse("demarches:confirmation", args=[E1, declaration.public_id]))
        assert page.context["can_order"] is False


def test_e2_draft_started_in_time_but_submitted_too_late_is_refused(client, family):
    client.force_login(family.user)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        declare(client, family, family.person)
        demarche = start(client, E2, family.person)
    with time_machine.travel(now + datetime.timedelta(days=5)):
        client.force_login(family.user)
        post_step(client, demarche, "coordonnees", {"coordonnees_exactes": "on"})
        post_step(
            client,
            demarche,
            "photo",
            {"regles_comprises": "on", "photo": SimpleUploadedFile("p.png", png_bytes())},
        )
        post_step(
            client,
            demarche,
            "piece-identite",
            {"regles_comprises": "on", "piece_identite": SimpleUploadedFile("c.pdf", PDF_BYTES)},
        )
        response = client.post(summary_url(demarche), {"attestation": "on"})
    assert response.status_code == 200 and "4 jours" in response.context["error"]
    demarche.refresh_from_db()
    assert demarche.status == Status.BROUILLON


def test_e2_never_had_a_card_may_order(family):
    family.teen_card.delete()
    assert eligibility(E2, family, family.teen)


def test_e1_then_e2_then_tracking_to_delivery(client, family):
    client.force_login(family.user)
    t0 = timezone.now()
    with time_machine.travel(t0, tick=False):
        declaration = declare(client, family, family.person)
        command = order(client, family, family.person, follows=declaration)
    assert command.status == Status.DEPOSEE and command.follows_id == declaration.pk
    assert {f.kind for f in command.files.all()} == {"photo", "piece_identite"}
    assert eligibility(E2, family, family.person).message.startswith(
        "Une demande est déjà en cours"
    )
    page = client.get(reverse("demarches:detail", args=[command.public_id]))
    assert "sera disponible dans 1 à 2 jours" in page.content.decode()
    # Nobody decided within a day: the periodic task accepts (photo checked) and orders the card.
    with time_machine.travel(t0 + datetime.timedelta(days=1, minutes=1), tick=False):
        process_due()
    command.refresh_from_db()
    assert command.status == Status.ACCEPTEE
    new_card = VitaleCard.objects.get(person=family.person, status=VitaleStatus.ORDERED)
    assert command.payload["commande"]["serial"] == new_card.serial_number
    stages = [
        (2, VitaleStatus.IN_PRODUCTION),
        (9, VitaleStatus.SENT),
        (13, VitaleStatus.ACTIVE),
    ]
    for days, expected in stages:
        with time_machine.travel(t0 + datetime.timedelta(days=days, hours=1), tick=False):
            process_due()
        new_card.refresh_from_db()
        assert new_card.status == expected, days
    client.force_login(family.user)
    page = client.get(reverse("demarches:detail", args=[command.public_id]))
    text = page.content.decode()
    for label in (
        "Carte commandée",
        "Carte en cours de fabrication",
        "Carte envoyée",
        "Carte reçue",
    ):
        assert label in text
    bodies = list(
        Message.objects.filter(thread__related_reference=command.reference).values_list(
            "body", flat=True
        )
    )
    assert any("a été envoyée" in b for b in bodies)


def test_e2_agent_advances_the_order_and_refusal_orders_nothing(client, family):
    family.teen_card.delete()
    client.force_login(family.user)
    command = order(client, family, family.teen)
    agent = AgentFactory(caisse=family.person.caisse)
    services.refuse(command, agent, "La photo n'est pas conforme : fond trop sombre.")
    assert not VitaleCard.objects.filter(person=family.teen).exists()
    assert eligibility(E2, family, family.teen)  # may order again
    second = order(client, family, family.teen)
    services.accept(second, agent)
    kind = get_type(E2)
    assert kind.advance_order(second) == VitaleStatus.IN_PRODUCTION
    assert kind.advance_order(second) == VitaleStatus.SENT
    assert VitaleCard.objects.get(person=family.teen).status == VitaleStatus.SENT
