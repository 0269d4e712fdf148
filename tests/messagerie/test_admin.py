"""FEATURES H3: agents answer the insured's messages from the admin, scoped to their caisse (H1)
and audited (H5)."""

import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import AgentFactory
from accounts.roles import ensure_agent_groups
from assures.enums import AccessAction
from assures.models import AccessLog
from messagerie import services
from messagerie.enums import Direction, NotificationKind, ThreadStatus
from messagerie.models import Message, Notification, OutboundMessage, Thread
from portal.uploads import validate_upload

from .conftest import PDF_BYTES

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:messagerie_thread_changelist")


def change_url(thread):
    return reverse("admin:messagerie_thread_change", args=[thread.pk])


def reply_url(thread):
    return reverse("admin:messagerie_thread_reply", args=[thread.pk])


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def question(insured):
    return services.ask_question(
        insured, theme="indemnites", subject="Mes IJ de mars", body="Pas encore payées ?"
    )


# --- scoping (H1) --------------------------------------------------------------------------------
def test_demo_agents_see_their_caisse_only(client, demo):
    jean_thread = services.post_to_insured(
        demo["jean"].person, subject="Déclaration de ressources reçue", body="Reçu."
    ).thread
    camille_threads = set(Thread.objects.filter(person=demo["camille"].person))
    assert camille_threads, "seed_demo gives Camille exchanges"

    client.force_login(demo["agent_paris"])
    assert set(listed(client)) == camille_threads
    assert "DUPUIS" not in client.get(CHANGELIST).content.decode()

    client.force_login(demo["agent_gironde"])
    assert listed(client) == [jean_thread]


def test_agent_of_another_caisse_can_neither_see_nor_answer(client, question, other_agent):
    client.force_login(other_agent)
    page = client.get(change_url(question))
    assert page.status_code == 302  # the admin's « this object does not exist »
    assert page.url == reverse("admin:index")
    response = client.post(reply_url(question), {"body": "Intrus", "client_token": uuid.uuid4()})
    assert response.status_code == 404
    attachment_url = reverse("admin:messagerie_thread_attachment", args=[question.pk, uuid.uuid4()])
    assert client.get(attachment_url).status_code == 404
    assert not question.messages.filter(author=other_agent).exists()
    assert AccessLog.objects.count() == 0


def test_staff_without_the_messagerie_role_sees_nothing(client, question, caisse):
    groups = ensure_agent_groups()
    client.force_login(AgentFactory(caisse=caisse, groups=[groups["Accueil"]]))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(question)).status_code == 403
    assert client.post(reply_url(question), {"body": "x"}).status_code == 403


def test_reading_without_the_reply_permission(client, question, caisse):
    readers = Group.objects.create(name="Lecture messagerie")
    readers.permissions.add(
        Permission.objects.get(codename="view_thread"),
        Permission.objects.get(codename="view_message"),
    )
    client.force_login(AgentFactory(caisse=caisse, groups=[readers]))
    page = client.get(change_url(question))
    assert page.status_code == 200
    assert "Envoyer la réponse" not in page.content.decode()
    response = client.post(reply_url(question), {"body": "x", "client_token": uuid.uuid4()})
    assert response.status_code == 403
    assert question.messages.count() == 2


# --- the change page (history) and its audit (H5) -----------------------------------------------
def test_opening_a_thread_is_logged_and_shows_the_history(client, question, messagerie_agent):
    info = validate_upload(SimpleUploadedFile("arret.pdf", PDF_BYTES))
    services.reply_as_insured(
        question.person.account, question, body="Voici l'arrêt.", files=[info]
    )
    client.force_login(messagerie_agent)

    page = client.get(change_url(question))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Pas encore payées ?" in html
    assert "Voici l&#x27;arrêt." in html
    assert "arret.pdf" in html
    assert "Envoyer la réponse" in html
    assert f"Échange {question.reference} avec {question.person}" in html
    log = AccessLog.objects.get()
    assert (log.agent, log.person, log.action) == (
        messagerie_agent,
        question.person,
        AccessAction.VIEW,
    )
    # Reading is not answering: the insured's messages still wait for a reply.
    assert question.messages.unread_by_caisse().count() == 2


def test_attachment_download_is_logged(client, question, messagerie_agent):
    info = validate_upload(SimpleUploadedFile("arret.pdf", PDF_BYTES))
    message = services.reply_as_insured(
        question.person.account, question, body="Pièce", files=[info]
    )
    attachment = message.attachments.get()
    client.force_login(messagerie_agent)
    response = client.get(
        reverse("admin:messagerie_thread_attachment", args=[question.pk, attachment.public_id])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="arret.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES
    log = AccessLog.objects.get()
    assert log.action == AccessAction.VIEW
    assert log.object_type == "pièce jointe"


# --- the reply (H3) ------------------------------------------------------------------------------
def test_reply_from_the_admin(client, insured, question, messagerie_agent):
    client.force_login(messagerie_agent)
    token = str(uuid.uuid4())
    data = {
        "body": "Vos indemnités de mars ont été versées le 12.",
        "client_token": token,
        "attachments": [SimpleUploadedFile("releve.pdf", PDF_BYTES)],
    }

    response = client.post(reply_url(question), data)

    assert response.status_code == 302
    assert response.url == change_url(question)
    answer = question.messages.get(author=messagerie_agent)
    assert answer.direction == Direction.FROM_CAISSE
    assert answer.attachments.get().original_name == "releve.pdf"
    assert not question.messages.unread_by_caisse().exists()
    notification = Notification.objects.get(person=insured.person)
    assert notification.kind == NotificationKind.NOUVEAU_MESSAGE
    assert OutboundMessage.objects.filter(user=insured).count() == 1
    assert AccessLog.objects.filter(action=AccessAction.ADD, agent=messagerie_agent).count() == 1
    # Posted twice (double click): one answer.
    data["attachments"] = [SimpleUploadedFile("releve.pdf", PDF_BYTES)]
    client.post(reply_url(question), data)
    assert question.messages.filter(author=messagerie_agent).count() == 1
    followed = client.get(response.url).content.decode()
    assert "Votre réponse à" in followed and "a été envoyée" in followed


def test_reply_can_close_the_thread(client, question, messagerie_agent):
    client.force_login(messagerie_agent)
    client.post(
        reply_url(question),
        {"body": "C'est réglé.", "close": "on", "client_token": str(uuid.uuid4())},
    )
    question.refresh_from_db()
    assert question.status == ThreadStatus.CLOSED


def test_empty_reply_shows_the_error_and_sends_nothing(client, question, messagerie_agent):
    client.force_login(messagerie_agent)
    response = client.post(reply_url(question), {"body": "", "client_token": str(uuid.uuid4())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Écrivez la réponse." in html
    assert "la réponse n'a pas été envoyée" in html
    assert question.messages.count() == 2
    assert Notification.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_hostile_attachment_refused(client, question, messagerie_agent):
    client.force_login(messagerie_agent)
    evil = SimpleUploadedFile("note.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(
        reply_url(question),
        {"body": "Voir pièce", "client_token": str(uuid.uuid4()), "attachments": [evil]},
    )
    assert response.status_code == 200
    assert "« note.pdf » : Ce fichier n&#x27;est pas au format" in response.content.decode()
    assert question.messages.count() == 2


def test_get_on_the_reply_url_goes_back_to_the_thread(client, question, messagerie_agent):
    client.force_login(messagerie_agent)
    response = client.get(reply_url(question))
    assert response.status_code == 302
    assert response.url == change_url(question)


# --- list: filters, search, actions, queries -------------------------------------------------
def test_awaiting_reply_filter(client, insured, question, messagerie_agent):
    answered = services.ask_question(insured, theme="autre", subject="Déjà répondu", body="?")
    services.reply_as_agent(messagerie_agent, answered, body="Voilà.")
    client.force_login(messagerie_agent)
    assert listed(client, reponse="attendue") == [question]
    assert listed(client, reponse="faite") == [answered]
    assert listed(client, theme="indemnites") == [question]
    assert set(listed(client, status="ouvert")) == {question, answered}


def test_search_by_spaced_nir_name_or_subject(
    client, insured, neighbour, question, messagerie_agent
):
    for user, name in ((insured, "BERTHELOT"), (neighbour, "DUMAS")):
        user.person.last_name = name
        user.person.save()
    services.ask_question(neighbour, theme="autre", subject="Autre personne", body="?")
    client.force_login(messagerie_agent)
    assert listed(client, q=insured.person.nir_display) == [question]  # « 1 85 01 … 07 »
    assert listed(client, q="berthelot") == [question]
    assert listed(client, q="IJ de mars") == [question]


def test_close_and_reopen_actions(client, question, messagerie_agent):
    client.force_login(messagerie_agent)
    data = {"action": "close_threads", "_selected_action": [question.pk]}
    assert client.post(CHANGELIST, data).status_code == 302
    question.refresh_from_db()
    assert question.status == ThreadStatus.CLOSED
    client.post(CHANGELIST, {"action": "reopen_threads", "_selected_action": [question.pk]})
    question.refresh_from_db()
    assert question.status == ThreadStatus.OPEN
    assert AccessLog.objects.filter(action=AccessAction.CHANGE).count() == 2


def test_bounded_queries(client, insured, caisse, messagerie_agent, django_assert_max_num_queries):
    threads = [
        services.ask_question(insured, theme="autre", subject=f"Question {i}", body="?")
        for i in range(30)
    ]
    for thread in threads[:5]:
        for _ in range(5):
            services.reply_as_agent(messagerie_agent, thread, body="Réponse.")
    client.force_login(messagerie_agent)
    with django_assert_max_num_queries(12):
        assert len(listed(client)) == 30
    with django_assert_max_num_queries(16):
        page = client.get(change_url(threads[0]))
    assert page.status_code == 200
    assert Message.objects.filter(thread=threads[0]).count() == 7
