"""Services of « Ma messagerie » (FEATURES F1, H3) and of the bell (B2): the rules, in isolation.

`post_to_insured` and `notify` are what the démarches call (accusés de réception, decisions);
`ask_question` is « J'ai une question »; `reply_as_agent` is H3.
"""

import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.factories import InsuredUserFactory
from assures.enums import AccessAction
from assures.factories import PersonFactory
from assures.models import AccessLog
from messagerie import services
from messagerie.enums import Direction, NotificationKind, Theme, ThreadStatus
from messagerie.models import Attachment, Message, Notification, OutboundMessage, Thread
from portal.uploads import validate_upload

from .conftest import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


def checked(name, content):
    return validate_upload(SimpleUploadedFile(name, content))


# --- post_to_insured (F1: accusés de réception of the démarches) -----------------------------
class TestPostToInsured:
    def test_new_thread_from_the_caisse_unread_with_email_notice(self, insured):
        person = insured.person

        message = services.post_to_insured(
            person,
            subject="Accusé de réception de votre déclaration de changement d'adresse postale",
            body="Nous avons bien reçu votre déclaration du 3 mars (secret médical).",
        )

        thread = message.thread
        assert thread.person == person
        assert thread.caisse == person.caisse
        assert thread.theme == Theme.DEMARCHE
        assert thread.status == ThreadStatus.OPEN
        assert message.direction == Direction.FROM_CAISSE
        assert message.author is None and message.is_automatic
        assert message.read_at is None
        assert services.unread_counts(person) == (1, 0)
        email = OutboundMessage.objects.get(user=insured)
        assert email.to == insured.email
        assert email.template == services.NEW_MESSAGE_EMAIL
        assert email.subject == "Vous avez un nouveau message dans votre compte"
        # Never the content, nor the subject, in the e-mail: only a link to log in.
        for text in (email.body_text, email.body_html):
            assert "secret médical" not in text
            assert "changement d'adresse" not in text
        assert "/messagerie/" in email.body_text

    def test_same_reference_joins_the_same_thread_and_reopens_it(self, insured):
        person = insured.person
        first = services.post_to_insured(
            person, subject="Accusé de réception", body="Reçu.", related_reference="E4-000123"
        )
        Thread.objects.filter(pk=first.thread_id).update(status=ThreadStatus.CLOSED)

        second = services.post_to_insured(
            person,
            subject="Votre nouvelle adresse est enregistrée",
            body="C'est fait.",
            related_reference="E4-000123",
        )
        other = services.post_to_insured(
            person, subject="Autre démarche", body="Reçu.", related_reference="E5-000999"
        )

        assert second.thread_id == first.thread_id
        assert other.thread_id != first.thread_id
        thread = Thread.objects.get(pk=first.thread_id)
        assert thread.status == ThreadStatus.OPEN
        assert thread.last_message_at == second.created_at
        assert second.display_subject == "Votre nouvelle adresse est enregistrée"
        assert first.display_subject == thread.subject == "Accusé de réception"
        assert services.unread_counts(person) == (3, 0)
        assert OutboundMessage.objects.filter(user=insured).count() == 3

    def test_the_reference_belongs_to_one_person(self, insured, neighbour):
        mine = services.post_to_insured(
            insured.person, subject="A", body="a", related_reference="REF-1"
        )
        theirs = services.post_to_insured(
            neighbour.person, subject="B", body="b", related_reference="REF-1"
        )
        assert mine.thread_id != theirs.thread_id
        assert theirs.thread.person == neighbour.person

    def test_no_email_when_the_account_refuses_them_or_there_is_no_account(self, insured):
        insured.contact_by_email = False
        insured.save()
        services.post_to_insured(insured.person, subject="A", body="a")
        without_account = PersonFactory()
        services.post_to_insured(without_account, subject="B", body="b")
        assert OutboundMessage.objects.count() == 0
        assert Thread.objects.filter(person=without_account).count() == 1

    def test_written_in_the_callers_transaction(self, insured):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.post_to_insured(insured.person, subject="A", body="a")
            raise RuntimeError("la démarche échoue")
        assert Thread.objects.count() == Message.objects.count() == 0
        assert OutboundMessage.objects.count() == 0

    def test_email_leaves_on_commit(self, insured, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.post_to_insured(insured.person, subject="A", body="contenu privé")
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [insured.email]
        assert "contenu privé" not in mail.outbox[0].body

    def test_refuses_empty_subject_or_body_and_unknown_theme(self, insured):
        with pytest.raises(ValueError):
            services.post_to_insured(insured.person, subject=" ", body="a")
        with pytest.raises(ValueError):
            services.post_to_insured(insured.person, subject="A", body="  ")
        with pytest.raises(ValueError):
            services.post_to_insured(insured.person, subject="A", body="a", theme="inconnu")
        assert Thread.objects.count() == 0


# --- notify (B2) -----------------------------------------------------------------------------
class TestNotify:
    def test_creates_an_unread_notification(self, insured):
        notification = services.notify(
            insured.person,
            kind=NotificationKind.ARRET_RECU,
            text="Votre arrêt de travail a bien été reçu.",
            url="/mes-paiements/",
        )
        assert notification.person == insured.person
        assert notification.is_unread
        assert notification.get_kind_display() == "Arrêt de travail reçu"
        assert services.unread_counts(insured.person) == (0, 1)

    def test_kind_given_by_value(self, insured):
        notification = services.notify(insured.person, kind="chevauchement", text="Deux OC.")
        assert notification.kind == NotificationKind.CHEVAUCHEMENT

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"kind": "inconnu", "text": "x"},
            {"kind": "arret_recu", "text": "   "},
            {"kind": "arret_recu", "text": "x" * 301},
            {"kind": "arret_recu", "text": "x", "url": "https://ailleurs.example.com/"},
            {"kind": "arret_recu", "text": "x", "url": "//ailleurs.example.com/"},
        ],
    )
    def test_refuses_bad_input(self, insured, kwargs):
        with pytest.raises(ValueError):
            services.notify(insured.person, **kwargs)
        assert Notification.objects.count() == 0

    def test_mark_read_only_ones_own(self, insured, neighbour):
        mine = services.notify(insured.person, kind="arret_regle", text="Réglé.")
        theirs = services.notify(neighbour.person, kind="arret_regle", text="Réglé.")

        assert services.mark_notification_read(insured.person, theirs.public_id) is None
        assert services.mark_notification_read(insured.person, mine.public_id) == mine

        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.read_at is not None
        assert theirs.read_at is None

    def test_mark_all_read(self, insured, neighbour):
        for _ in range(3):
            services.notify(insured.person, kind="paiement", text="Un paiement.")
        services.notify(neighbour.person, kind="paiement", text="Un paiement.")
        assert services.mark_all_notifications_read(insured.person) == 3
        assert services.unread_counts(insured.person) == (0, 0)
        assert services.unread_counts(neighbour.person) == (0, 1)


# --- « J'ai une question » (F1) ----------------------------------------------------------------
class TestAskQuestion:
    def test_thread_with_question_attachments_and_acknowledgement(self, insured, _private_storage):
        thread = services.ask_question(
            insured,
            theme=Theme.CARTE_VITALE,
            subject="Carte Vitale abîmée",
            body="Ma carte ne fonctionne plus.",
            files=[checked("carte.pdf", PDF_BYTES), checked("photo.png", png_bytes())],
            client_token=uuid.uuid4(),
        )

        question, acknowledgement = thread.messages.order_by("pk")
        assert thread.person == insured.person
        assert thread.caisse == insured.person.caisse
        assert (thread.theme, thread.subject) == (Theme.CARTE_VITALE, "Carte Vitale abîmée")
        assert question.direction == Direction.FROM_INSURED
        assert question.author == insured
        assert question.read_at is None  # not yet read by the caisse
        assert acknowledgement.direction == Direction.FROM_CAISSE
        assert acknowledgement.is_automatic
        assert acknowledgement.subject == "Accusé de réception de votre message"
        assert "Ma carte Vitale" in acknowledgement.body
        assert thread.reference in acknowledgement.body
        attachments = list(question.attachments.order_by("pk"))
        assert [(a.original_name, a.content_type) for a in attachments] == [
            ("carte.pdf", "application/pdf"),
            ("photo.png", "image/png"),
        ]
        stored = attachments[0].file
        assert stored.name.startswith("messagerie/") and "carte" not in stored.name
        assert (_private_storage / stored.name).read_bytes() == PDF_BYTES
        # The person asked: no e-mail about their own question.
        assert OutboundMessage.objects.count() == 0

    def test_double_submission_creates_one_thread(self, insured):
        token = uuid.uuid4()
        fields = {"theme": "autre", "subject": "Question", "body": "Bonjour", "client_token": token}
        first = services.ask_question(insured, **fields)
        second = services.ask_question(insured, **fields)
        assert first == second
        assert Thread.objects.count() == 1
        assert Message.objects.count() == 2

    def test_without_token_each_call_is_a_new_question(self, insured):
        fields = {"theme": "autre", "subject": "Question", "body": "Bonjour"}
        services.ask_question(insured, **fields)
        services.ask_question(insured, **fields)
        assert Thread.objects.count() == 2

    def test_a_token_of_someone_else_is_not_theirs(self, insured, neighbour):
        token = uuid.uuid4()
        services.ask_question(neighbour, theme="autre", subject="A", body="a", client_token=token)
        with pytest.raises(IntegrityError):  # the token is unique: no reuse across people
            services.ask_question(insured, theme="autre", subject="B", body="b", client_token=token)
        assert not Thread.objects.filter(person=insured.person).exists()

    def test_files_removed_when_the_transaction_fails(self, insured, _private_storage, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("base indisponible")

        monkeypatch.setattr(services, "_acknowledgement_body", broken)
        with pytest.raises(RuntimeError):
            services.ask_question(
                insured,
                theme="autre",
                subject="A",
                body="a",
                files=[checked("scan.pdf", PDF_BYTES)],
            )
        assert Thread.objects.count() == Attachment.objects.count() == 0
        assert not [p for p in _private_storage.rglob("*") if p.is_file()]


# --- replies ---------------------------------------------------------------------------------
@pytest.fixture
def question(insured):
    return services.ask_question(insured, theme="remboursements", subject="Soins", body="Bonjour")


class TestReplies:
    def test_insured_reply_updates_the_thread(self, insured, question):
        message = services.reply_as_insured(insured, question, body="Une précision.")
        question.refresh_from_db()
        assert message.direction == Direction.FROM_INSURED
        assert question.last_message_at == message.created_at
        assert question.messages.count() == 3

    def test_insured_reply_is_idempotent(self, insured, question):
        token = uuid.uuid4()
        first = services.reply_as_insured(
            insured, question, body="Une précision.", client_token=token
        )
        again = services.reply_as_insured(
            insured, question, body="Une précision.", client_token=token
        )
        assert first == again
        assert question.messages.count() == 3

    def test_no_reply_in_a_closed_thread_nor_in_someone_elses(self, insured, neighbour, question):
        with pytest.raises(PermissionError):
            services.reply_as_insured(neighbour, question, body="Intrus")
        Thread.objects.filter(pk=question.pk).update(status=ThreadStatus.CLOSED)
        with pytest.raises(services.ThreadClosed):
            services.reply_as_insured(insured, question, body="Encore moi")
        assert question.messages.count() == 2

    def test_agent_reply_in_one_transaction(self, insured, question, messagerie_agent):
        message = services.reply_as_agent(
            messagerie_agent,
            question,
            body="Votre remboursement est parti.",
            files=[checked("decompte.pdf", PDF_BYTES)],
        )

        question.refresh_from_db()
        assert message.author == messagerie_agent
        assert message.direction == Direction.FROM_CAISSE and not message.is_automatic
        assert message.attachments.get().content_type == "application/pdf"
        assert not question.messages.unread_by_caisse().exists()
        assert question.status == ThreadStatus.OPEN
        assert question.last_message_at == message.created_at
        notification = Notification.objects.get(person=insured.person)
        assert notification.kind == NotificationKind.NOUVEAU_MESSAGE
        assert notification.url == services.thread_url(question)
        assert "Soins" in notification.text
        email = OutboundMessage.objects.get(user=insured)
        assert "Votre remboursement" not in email.body_text
        log = AccessLog.objects.get(agent=messagerie_agent)
        assert log.person == insured.person
        assert log.action == AccessAction.ADD
        assert log.caisse == messagerie_agent.caisse
        assert question.reference in log.detail
        # The automatic acknowledgement was read when shown; the answer is new.
        assert services.unread_counts(insured.person) == (2, 1)

    def test_agent_reply_can_close_and_is_idempotent(self, question, messagerie_agent):
        token = uuid.uuid4()
        first = services.reply_as_agent(
            messagerie_agent, question, body="Réponse.", close=True, client_token=token
        )
        again = services.reply_as_agent(
            messagerie_agent, question, body="Réponse.", close=True, client_token=token
        )
        question.refresh_from_db()
        assert first == again
        assert question.status == ThreadStatus.CLOSED
        assert question.messages.filter(author=messagerie_agent).count() == 1
        assert "clos" in AccessLog.objects.get().detail

    def test_agent_reply_rolls_back_entirely(self, question, messagerie_agent, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("outbox indisponible")

        monkeypatch.setattr(services, "_email_new_message", broken)
        with pytest.raises(RuntimeError):
            services.reply_as_agent(messagerie_agent, question, body="Réponse.")
        assert question.messages.count() == 2
        assert question.messages.unread_by_caisse().count() == 1
        assert Notification.objects.count() == AccessLog.objects.count() == 0

    def test_set_thread_status_logs_each_change(self, insured, question, messagerie_agent):
        other = services.ask_question(insured, theme="autre", subject="B", body="b")
        threads = Thread.objects.filter(pk__in=[question.pk, other.pk])
        assert services.set_thread_status(messagerie_agent, threads, ThreadStatus.CLOSED) == 2
        assert services.set_thread_status(messagerie_agent, threads, ThreadStatus.CLOSED) == 0
        assert set(threads.values_list("status", flat=True)) == {ThreadStatus.CLOSED}
        assert AccessLog.objects.filter(action=AccessAction.CHANGE).count() == 2


# --- reading ---------------------------------------------------------------------------------
class TestReading:
    def test_open_thread_marks_the_caisse_messages_and_their_notification_read(
        self, insured, question, messagerie_agent
    ):
        services.reply_as_agent(messagerie_agent, question, body="Réponse.")
        unrelated = services.notify(insured.person, kind="paiement", text="Un paiement.")
        assert services.unread_counts(insured.person) == (2, 2)

        assert services.open_thread(question) == 2

        assert services.unread_counts(insured.person) == (0, 1)
        unrelated.refresh_from_db()
        assert unrelated.is_unread
        # The insured's own message stays unread *by the caisse* until an agent answers.
        assert question.messages.unread_by_caisse().count() == 0
        assert services.open_thread(question) == 0

    def test_unread_counts_are_per_person(self, insured, neighbour):
        services.post_to_insured(insured.person, subject="A", body="a")
        services.post_to_insured(neighbour.person, subject="B", body="b")
        services.post_to_insured(neighbour.person, subject="C", body="c")
        services.notify(neighbour.person, kind="paiement", text="Un paiement.")
        assert services.unread_counts(insured.person) == (1, 0)
        assert services.unread_counts(neighbour.person) == (2, 1)


def test_a_person_without_account_gets_notifications_for_later():
    person = PersonFactory()
    services.notify(person, kind="c2s_recue", text="Votre demande de C2S a bien été reçue.")
    user = InsuredUserFactory(person=person)
    assert services.unread_counts(user.person) == (0, 1)
