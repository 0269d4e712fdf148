"""`seed_demo` gives the demo people exchanges (F1) and notifications (B2), idempotently."""

import pytest
from django.core.management import call_command

from messagerie import services
from messagerie.enums import NotificationKind
from messagerie.models import Message, Notification, OutboundMessage, Thread
from messagerie.queries import home_blocks

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Thread, Message, Notification, OutboundMessage)]


def test_idempotent(demo):
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert first[3] == 0  # the seed sends no e-mail


def test_camille_has_a_new_message_and_an_answered_question(demo):
    camille = demo["camille"]
    blocks = home_blocks(camille.person)
    assert blocks["home_new_message"].display_subject == (
        "Accusé de réception de votre déclaration de changement d'adresse postale"
    )
    answered = Thread.objects.get(person=camille.person, theme="remboursements")
    assert answered.messages.filter(author=demo["agent_paris"]).exists()
    assert not answered.messages.unread_by_caisse().exists()
    assert services.unread_counts(camille.person) == (1, 1)
    kinds = set(Notification.objects.for_person(camille.person).values_list("kind", flat=True))
    assert {NotificationKind.ARRET_RECU, NotificationKind.ARRET_REGLE} <= kinds


def test_jean_is_told_about_his_complementaires_and_his_declaration(demo):
    jean = demo["jean"].person
    unread = set(Notification.objects.for_person(jean).unread().values_list("kind", flat=True))
    assert unread == {NotificationKind.CHEVAUCHEMENT, NotificationKind.RESSOURCES_INVALIDITE}


def test_demo_agents_may_answer(demo):
    assert demo["agent_paris"].has_perm("messagerie.reply_thread")
    assert demo["agent_gironde"].has_perm("messagerie.view_thread")
