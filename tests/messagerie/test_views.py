"""« Ma messagerie » (F1) and « Mes notifications » (B2) pages: permissions, errors, queries.

Every object URL with another person's session is a 404, anonymous visitors go to « Me
connecter », agents go to the admin. Bad input gets a French message next to the field and
saves nothing; a double submission creates nothing twice.
"""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import AgentFactory
from messagerie import services
from messagerie.enums import ThreadStatus
from messagerie.models import Attachment, Message, Notification, Thread
from portal.uploads import validate_upload

from .conftest import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


def question_of(user, **overrides):
    fields = {"theme": "remboursements", "subject": "Ma question", "body": "Bonjour", **overrides}
    return services.ask_question(user, **fields)


def with_attachment(user):
    info = validate_upload(SimpleUploadedFile("ordonnance.pdf", PDF_BYTES))
    thread = question_of(user, files=[info])
    return thread, Attachment.objects.get(message__thread=thread)


def object_urls(user):
    thread, attachment = with_attachment(user)
    notification = services.notify(user.person, kind="paiement", text="Un paiement.")
    return {
        "thread": reverse("messagerie:thread", args=[thread.public_id]),
        "attachment": reverse("messagerie:attachment", args=[attachment.public_id]),
        "notification_read": reverse("messagerie:notification_read", args=[notification.public_id]),
    }


PAGES = ["messagerie:inbox", "messagerie:question", "messagerie:notifications"]


# --- permissions matrix ------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_anonymous_goes_to_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_anonymous_goes_to_login_for_objects_too(client, insured):
    for url in object_urls(insured).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login")), url


@pytest.mark.parametrize("page", PAGES)
def test_agents_are_sent_to_the_admin(client, page):
    client.force_login(AgentFactory())
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_another_persons_objects_are_404(client, insured, neighbour):
    urls = object_urls(insured)
    client.force_login(neighbour)
    assert client.get(urls["thread"]).status_code == 404
    assert client.post(urls["thread"], {"body": "Intrus"}).status_code == 404
    assert client.get(urls["attachment"]).status_code == 404
    assert client.post(urls["notification_read"]).status_code == 404
    assert Message.objects.filter(body="Intrus").count() == 0
    assert Notification.objects.get().is_unread


def test_unknown_ids_are_404(client, insured):
    client.force_login(insured)
    missing = uuid.uuid4()
    for name in ("messagerie:thread", "messagerie:attachment"):
        assert client.get(reverse(name, args=[missing])).status_code == 404


def test_marking_read_needs_a_post(client, insured):
    urls = object_urls(insured)
    client.force_login(insured)
    assert client.get(urls["notification_read"]).status_code == 405
    assert client.get(reverse("messagerie:notifications_read_all")).status_code == 405
    assert Notification.objects.get().is_unread


# --- inbox ---------------------------------------------------------------------------------------
class TestInbox:
    def test_received_and_sent_folders(self, client, insured, neighbour):
        thread = question_of(insured, subject="Ma carte Vitale ne marche plus")
        services.post_to_insured(insured.person, subject="Accusé de réception E4", body="Reçu")
        services.post_to_insured(neighbour.person, subject="Pas pour moi", body="Secret")
        client.force_login(insured)

        received = client.get(reverse("messagerie:inbox"))
        sent = client.get(reverse("messagerie:inbox"), {"dossier": "envoyes"})

        received_subjects = [m.display_subject for m in received.context["page"]]
        assert received_subjects == [
            "Accusé de réception E4",
            "Accusé de réception de votre message",
        ]
        assert [m.thread for m in sent.context["page"]] == [thread]
        html = received.content.decode()
        assert "Pas pour moi" not in html
        assert "Non lu : </span>Accusé de réception E4" in html
        assert "Ma carte Vitale ne marche plus" in sent.content.decode()

    def test_unknown_folder_falls_back_to_received(self, client, insured):
        client.force_login(insured)
        response = client.get(reverse("messagerie:inbox"), {"dossier": "../../etc"})
        assert response.status_code == 200
        assert response.context["folder"] == "recus"

    def test_paginated_with_bounded_queries(self, client, insured, django_assert_max_num_queries):
        for i in range(45):
            services.post_to_insured(insured.person, subject=f"Message {i}", body="b")
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            first = client.get(reverse("messagerie:inbox"))
        with django_assert_max_num_queries(10):
            last = client.get(reverse("messagerie:inbox"), {"page": 3})
        assert len(first.context["page"]) == 20
        assert first.context["page"].paginator.count == 45
        assert len(last.context["page"]) == 5
        assert "Page 1 sur 3" in first.content.decode()

    def test_empty(self, client, insured):
        client.force_login(insured)
        assert "Aucun message reçu." in client.get(reverse("messagerie:inbox")).content.decode()


# --- header counts -------------------------------------------------------------------------------
def test_header_shows_unread_counts_with_accessible_names(client, insured):
    services.post_to_insured(insured.person, subject="A", body="a")
    services.post_to_insured(insured.person, subject="B", body="b")
    services.notify(insured.person, kind="paiement", text="Un paiement.")
    client.force_login(insured)
    html = client.get(reverse("messagerie:notifications")).content.decode()
    assert '<span class="visually-hidden">Ma messagerie, 2 messages non lus</span>' in html
    assert '<span class="visually-hidden">Notifications, 1 non lue</span>' in html
    assert '<span class="header-tool__badge" aria-hidden="true">2</span>' in html


def test_header_without_unread(client, insured):
    client.force_login(insured)
    html = client.get(reverse("messagerie:inbox")).content.decode()
    assert "non lu" not in html
    assert 'class="header-tool__badge"' not in html


def test_header_counts_sql_matches_the_orm_definitions(client, insured, neighbour):
    """The header's one-statement SQL (context_processors.unread_sql) counts what the ORM
    querysets define as unread: caisse messages not read, notifications not read, mine only."""
    from django.test import RequestFactory

    from messagerie.context_processors import unread_counts_for

    def header_counts(user):
        request = RequestFactory().get("/")
        request.user = user
        counts = unread_counts_for(request)
        return counts.messages, counts.notifications

    assert header_counts(insured) == services.unread_counts(insured.person) == (0, 0)
    thread = question_of(insured)  # a message from me (unread by the caisse) + an automatic reply
    services.post_to_insured(insured.person, subject="A", body="a")
    read = services.post_to_insured(insured.person, subject="B", body="b")
    Message.objects.filter(pk=read.pk).update(read_at=read.created_at)
    services.notify(insured.person, kind="paiement", text="Un paiement.")
    seen = services.notify(insured.person, kind="paiement", text="Un autre.")
    Notification.objects.filter(pk=seen.pk).update(read_at=seen.created_at)
    services.post_to_insured(neighbour.person, subject="C", body="c")
    services.notify(neighbour.person, kind="paiement", text="Pas pour moi.")

    expected = services.unread_counts(insured.person)
    assert (
        expected[0]
        == Message.objects.filter(
            thread__person=insured.person, direction="caisse", read_at__isnull=True
        ).count()
    )
    assert header_counts(insured) == expected
    assert expected != (0, 0) and thread is not None
    assert header_counts(neighbour) == services.unread_counts(neighbour.person)


# --- thread --------------------------------------------------------------------------------------
class TestThread:
    def test_opening_marks_the_caisse_messages_read(self, client, insured, messagerie_agent):
        thread = question_of(insured)
        services.reply_as_agent(messagerie_agent, thread, body="Voici la réponse.")
        client.force_login(insured)
        assert services.unread_counts(insured.person) == (2, 1)

        response = client.get(reverse("messagerie:thread", args=[thread.public_id]))

        assert response.status_code == 200
        html = response.content.decode()
        assert "Voici la réponse." in html
        assert "Votre conseiller" in html
        assert messagerie_agent.last_name not in html  # the agent's identity is not shown
        assert html.count("Lu par votre caisse le") == 1  # the question, answered
        assert services.unread_counts(insured.person) == (0, 0)
        # The header of this very page already counts them as read.
        assert "non lu" not in html

    def test_reply_with_attachment(self, client, insured, _private_storage):
        thread = question_of(insured)
        client.force_login(insured)
        url = reverse("messagerie:thread", args=[thread.public_id])
        token = str(uuid.uuid4())
        data = {
            "body": "Voici ma facture.",
            "client_token": token,
            "attachments": [SimpleUploadedFile("facture.png", png_bytes())],
        }

        response = client.post(url, data)

        assert response.status_code == 302
        assert response.url == url
        message = thread.messages.get(body="Voici ma facture.")
        assert message.author == insured
        assert message.attachments.get().content_type == "image/png"
        # Posted again (double click, back button): nothing new.
        data["attachments"] = [SimpleUploadedFile("facture.png", png_bytes())]
        assert client.post(url, data).status_code == 302
        assert thread.messages.filter(body="Voici ma facture.").count() == 1
        assert Attachment.objects.count() == 1

    def test_empty_reply_is_refused_next_to_the_field(self, client, insured):
        thread = question_of(insured)
        client.force_login(insured)
        response = client.post(
            reverse("messagerie:thread", args=[thread.public_id]), {"body": "  "}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert re.search(r'id="id_body_error"><p>Écrivez votre message.</p>', html)
        assert 'aria-describedby="id_body_error"' in html
        assert thread.messages.count() == 2

    def test_closed_thread_takes_no_reply(self, client, insured):
        thread = question_of(insured)
        Thread.objects.filter(pk=thread.pk).update(status=ThreadStatus.CLOSED)
        client.force_login(insured)
        url = reverse("messagerie:thread", args=[thread.public_id])
        assert "Envoyer ma réponse" not in client.get(url).content.decode()
        response = client.post(url, {"body": "Encore une chose"})
        assert response.status_code == 400
        assert "Cet échange est clos" in response.content.decode()
        assert thread.messages.count() == 2

    def test_bounded_queries(self, client, insured, django_assert_max_num_queries):
        thread, _ = with_attachment(insured)
        for _ in range(10):
            services.reply_as_insured(insured, thread, body="encore")
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("messagerie:thread", args=[thread.public_id]))
        assert len(response.context["thread_messages"]) == 12


# --- attachments ---------------------------------------------------------------------------------
def test_attachment_download_for_its_owner(client, insured):
    _, attachment = with_attachment(insured)
    client.force_login(insured)
    response = client.get(reverse("messagerie:attachment", args=[attachment.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ordonnance.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


# --- « J'ai une question » -----------------------------------------------------------------------
class TestQuestion:
    def post(self, client, **overrides):
        data = {
            "theme": "carte_vitale",
            "subject": "Carte Vitale perdue",
            "body": "J'ai perdu ma carte.",
            "client_token": str(uuid.uuid4()),
            **overrides,
        }
        return client.post(reverse("messagerie:question"), data)

    def test_form_has_themes_and_a_token(self, client, insured):
        client.force_login(insured)
        response = client.get(reverse("messagerie:question"))
        html = response.content.decode()
        assert "Mes remboursements" in html and "Ma carte Vitale" in html
        assert re.search(r'name="client_token" value="[0-9a-f-]{36}"', html)
        assert 'enctype="multipart/form-data"' in html

    def test_sends_and_shows_the_acknowledgement(self, client, insured):
        client.force_login(insured)
        response = self.post(client, attachments=[SimpleUploadedFile("declaration.pdf", PDF_BYTES)])
        thread = Thread.objects.get(person=insured.person)
        assert response.status_code == 302
        assert response.url == reverse("messagerie:thread", args=[thread.public_id])
        page = client.get(response.url).content.decode()
        assert "Votre message a bien été envoyé" in page
        assert "Accusé de réception de votre message" in page
        assert "declaration.pdf" in page

    def test_double_submission_creates_one_thread(self, client, insured):
        client.force_login(insured)
        token = str(uuid.uuid4())
        first = self.post(client, client_token=token)
        second = self.post(client, client_token=token)
        assert first.url == second.url
        assert Thread.objects.count() == 1
        assert Message.objects.count() == 2

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"theme": ""}, "theme", "Choisissez le thème de votre question."),
            ({"theme": "piratage"}, "theme", "Choisissez un thème dans la liste."),
            ({"subject": ""}, "subject", "Indiquez l&#x27;objet de votre message."),
            ({"subject": "x" * 121}, "subject", "L&#x27;objet ne doit pas dépasser 120 caractères"),
            ({"body": ""}, "body", "Écrivez votre message."),
        ],
    )
    def test_bad_input_french_message_next_to_the_field(
        self, client, insured, overrides, field, message
    ):
        client.force_login(insured)
        response = self.post(client, **overrides)
        assert response.status_code == 400
        html = response.content.decode()
        errors = re.search(rf'id="id_{field}_error">(.*?)</div>', html, re.S)
        assert errors and message in errors.group(1)
        assert Thread.objects.count() == 0

    def test_hostile_file_refused_nothing_saved(self, client, insured, _private_storage):
        client.force_login(insured)
        hostile = SimpleUploadedFile(
            "ordonnance.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
        )
        response = self.post(client, attachments=[SimpleUploadedFile("ok.pdf", PDF_BYTES), hostile])
        assert response.status_code == 400
        errors = re.search(
            r'id="id_attachments_error">(.*?)</div>', response.content.decode(), re.S
        )
        assert errors
        assert "« ordonnance.pdf » : Ce fichier n&#x27;est pas au format" in errors.group(1)
        assert Thread.objects.count() == Attachment.objects.count() == 0
        assert not [p for p in _private_storage.rglob("*") if p.is_file()]
        # What the person typed is kept.
        assert "Carte Vitale perdue" in response.content.decode()

    def test_too_many_files(self, client, insured):
        client.force_login(insured)
        files = [SimpleUploadedFile(f"f{i}.pdf", PDF_BYTES) for i in range(4)]
        response = self.post(client, attachments=files)
        assert response.status_code == 400
        assert "Vous pouvez joindre au plus 3 fichiers" in response.content.decode()
        assert Thread.objects.count() == 0

    def test_too_big_file(self, client, insured, settings):
        settings.UPLOAD_MAX_BYTES = 1024
        client.force_login(insured)
        big = SimpleUploadedFile("gros.pdf", PDF_BYTES + b"0" * 2048 + b"\n%%EOF\n")
        response = self.post(client, attachments=[big])
        assert response.status_code == 400
        assert "dépasse la taille maximale autorisée" in response.content.decode()


# --- notifications ----------------------------------------------------------------------
class TestNotifications:
    def test_unread_first_and_marked(self, client, insured, neighbour):
        old_unread = services.notify(insured.person, kind="arret_recu", text="Arrêt reçu.")
        read = services.notify(insured.person, kind="arret_regle", text="Arrêt réglé.")
        services.mark_notification_read(insured.person, read.public_id)
        new_unread = services.notify(insured.person, kind="paiement", text="Un paiement.")
        services.notify(neighbour.person, kind="paiement", text="Pas pour moi.")
        client.force_login(insured)

        response = client.get(reverse("messagerie:notifications"))

        assert list(response.context["page"]) == [new_unread, old_unread, read]
        html = response.content.decode()
        assert html.count("Non lue</span>") == 2
        assert "Pas pour moi" not in html
        assert "Tout marquer comme lu" in html

    def test_mark_one_read(self, client, insured):
        notification = services.notify(insured.person, kind="paiement", text="Un paiement.")
        client.force_login(insured)
        response = client.post(
            reverse("messagerie:notification_read", args=[notification.public_id]), {"page": "2"}
        )
        assert response.status_code == 302
        assert response.url == reverse("messagerie:notifications") + "?page=2"
        notification.refresh_from_db()
        assert not notification.is_unread

    def test_mark_all_read(self, client, insured, neighbour):
        for _ in range(3):
            services.notify(insured.person, kind="paiement", text="Un paiement.")
        theirs = services.notify(neighbour.person, kind="paiement", text="Un paiement.")
        client.force_login(insured)
        response = client.post(reverse("messagerie:notifications_read_all"))
        assert response.status_code == 302
        assert not Notification.objects.filter(person=insured.person).unread().exists()
        theirs.refresh_from_db()
        assert theirs.is_unread
        page = client.get(response.url).content.decode()
        assert "Toutes vos notifications sont marquées comme lues." in page
        assert "Tout marquer comme lu" not in page

    def test_bounded_queries(self, client, insured, django_assert_max_num_queries):
        for i in range(30):
            services.notify(insured.person, kind="paiement", text=f"Paiement {i}.")
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("messagerie:notifications"))
        assert len(response.context["page"]) == 20


# --- « Accueil » (B1 with B2 and F1 blocks) ---------------------------------------------
class TestHome:
    def test_notification_and_new_message_blocks(self, client, insured):
        services.notify(insured.person, kind="arret_recu", text="Votre arrêt de travail est reçu.")
        services.post_to_insured(
            insured.person,
            subject="Accusé de réception de votre déclaration de changement d'adresse postale",
            body="Reçu.",
        )
        client.force_login(insured)
        response = client.get(reverse("portal:home"))
        html = response.content.decode()
        assert "Votre arrêt de travail est reçu." in html
        assert (
            "Accusé de réception de votre déclaration de changement d&#x27;adresse postale" in html
        )
        assert response.context["home_new_message"].thread.person == insured.person

    def test_empty_blocks(self, client, insured, neighbour):
        services.post_to_insured(neighbour.person, subject="Pas pour moi", body="b")
        services.notify(neighbour.person, kind="paiement", text="Pas pour moi non plus.")
        client.force_login(insured)
        html = client.get(reverse("portal:home")).content.decode()
        assert "Aucune notification." in html
        assert "Aucun nouveau message." in html
        assert "Pas pour moi" not in html
