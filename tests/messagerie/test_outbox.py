"""The outbox (FEATURES F4, ARCHITECTURE decision 4): written with the change, sent on commit,
idempotent, retried, re-queued; SMS through a pluggable backend."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from messagerie import services, tasks
from messagerie.enums import DeliveryStatus
from messagerie.models import OutboundMessage
from messagerie.sms import HttpSmsBackend, SmsError


def _queue(**overrides):
    fields = {
        "to": "camille.martin@example.org",
        "subject": "Objet",
        "body_text": "Bonjour",
        "template": "test",
        **overrides,
    }
    return services.queue_email(**fields)


@pytest.mark.django_db(transaction=True)
def test_sent_after_commit_and_marked_sent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        message = _queue(body_html="<p>Bonjour</p>")
        assert mail.outbox == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert mail.outbox[0].extra_headers["X-Portal-Message-Id"] == str(message.public_id)


@pytest.mark.django_db(transaction=True)
def test_rollback_leaves_nothing(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("la modification échoue")
    assert OutboundMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_task_is_idempotent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _queue()  # in a test transaction: on_commit never fires
    assert tasks.send_outbound_message.apply(args=[message.pk]).get() == "envoyé"
    assert tasks.send_outbound_message.apply(args=[message.pk]).get() == "déjà traité"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failure_keeps_the_row_pending_then_fails_for_good(settings, monkeypatch):
    def broken(message):
        raise ConnectionError("SMTP indisponible")

    monkeypatch.setattr(tasks, "_deliver", broken)
    message = _queue()
    with pytest.raises(tasks.TemporaryDeliveryError):
        tasks.send_outbound_message.run(message.pk)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.PENDING
    assert message.attempts == 1
    assert "SMTP indisponible" in message.last_error

    OutboundMessage.objects.filter(pk=message.pk).update(attempts=tasks.MAX_ATTEMPTS - 1)
    assert tasks.send_outbound_message.run(message.pk) == "échec"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_a_crashed_claim_is_taken_again_only_when_stale(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _queue()
    fresh = timezone.now()
    OutboundMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=fresh)
    assert tasks.send_outbound_message.run(message.pk) == "déjà traité"
    stale = fresh - tasks.STALE_CLAIM - datetime.timedelta(seconds=1)
    OutboundMessage.objects.filter(pk=message.pk).update(claimed_at=stale)
    assert tasks.send_outbound_message.run(message.pk) == "envoyé"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_requeue_picks_old_pending_and_stale_rows_only(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = timezone.now() - datetime.timedelta(minutes=10)
    left_behind = _queue(to="a@example.org")
    just_created = _queue(to="b@example.org")
    already_sent = _queue(to="c@example.org")
    OutboundMessage.objects.filter(pk__in=[left_behind.pk, already_sent.pk]).update(created_at=old)
    OutboundMessage.objects.filter(pk=already_sent.pk).update(status="sent", sent_at=old)

    assert tasks.requeue_unsent.apply().get() == 1  # eager: the send runs at once

    assert [m.to[0] for m in mail.outbox] == ["a@example.org"]
    just_created.refresh_from_db()
    assert just_created.status == DeliveryStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_sms_file_backend(settings, tmp_path):
    settings.SMS_BACKEND = "messagerie.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    with transaction.atomic():
        message = services.queue_sms(to="+33612345678", text="Votre code : 1234", template="test")
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    [written] = tmp_path.iterdir()
    assert json.loads(written.read_text(encoding="utf-8")) == {
        "to": "+33612345678",
        "text": "Votre code : 1234",
        "reference": str(message.public_id),
    }


# --- secrets (codes, personal links) are kept only until the message is sent or given up ------
@pytest.mark.django_db(transaction=True)
def test_sms_code_is_sent_in_clear_then_only_the_masked_copy_is_kept(settings, tmp_path):
    settings.SMS_BACKEND = "messagerie.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    with transaction.atomic():
        message = services.queue_sms(
            to="+33612345678",
            text="Votre code : 4821",
            redacted_text=f"Votre code : {services.MASK}",
            template="test",
        )
        pending = OutboundMessage.objects.get(pk=message.pk)
        assert pending.body_text == "Votre code : 4821"  # what the worker will send
        assert pending.shown_text == "Votre code : ••••"  # what anyone else may read
    [written] = tmp_path.iterdir()
    assert json.loads(written.read_text(encoding="utf-8"))["text"] == "Votre code : 4821"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert (message.body_text, message.redacted_text) == ("Votre code : ••••", "")
    assert message.shown_text == "Votre code : ••••"
    assert not OutboundMessage.objects.filter(body_text__contains="4821").exists()


@pytest.mark.django_db(transaction=True)
def test_templated_email_masks_the_secret_keys_in_the_kept_copy(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        message = services.send_templated_email(
            "demarche_code_securite",
            to="camille.martin@example.org",
            context={"code": "7305", "person": None, "minutes": 30},
            secret_keys=("code",),
        )
    assert "7305" in mail.outbox[0].body
    assert "7305" in mail.outbox[0].alternatives[0][0]
    message.refresh_from_db()
    assert message.has_secret and message.status == DeliveryStatus.SENT
    assert "7305" not in message.body_text + message.body_html + message.subject
    assert services.MASK in message.body_text and services.MASK in message.body_html


@pytest.mark.django_db
def test_a_message_given_up_keeps_only_its_masked_copy(monkeypatch):
    def broken(message):
        raise ConnectionError("passerelle indisponible")

    monkeypatch.setattr(tasks, "_deliver", broken)
    message = services.queue_sms(
        to="+33612345678", text="Code 4821", redacted_text="Code ••••", template="test"
    )
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=tasks.MAX_ATTEMPTS - 1)
    assert tasks.send_outbound_message.run(message.pk) == "échec"
    message.refresh_from_db()
    assert (message.status, message.body_text) == (DeliveryStatus.FAILED, "Code ••••")


@pytest.mark.django_db
def test_a_message_without_secret_is_kept_as_sent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _queue(body_text="Votre attestation est prête.")
    assert tasks.send_outbound_message.run(message.pk) == "envoyé"
    message.refresh_from_db()
    assert (message.has_secret, message.body_text) == (False, "Votre attestation est prête.")


class _FakeGateway(BaseHTTPRequestHandler):
    """A local SMS gateway speaking JSON over HTTP, like the production one."""

    received = []
    status = 202

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        """Silence http.server's request log: keep the test output clean."""


@pytest.fixture
def gateway():
    _FakeGateway.received = []
    _FakeGateway.status = 202
    server = HTTPServer(("127.0.0.1", 0), _FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", _FakeGateway
    server.shutdown()


def test_http_sms_backend_posts_json_with_token(settings, gateway):
    url, handler = gateway
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = url, "secret"
    HttpSmsBackend().send("+33612345678", "Code : 1234", "ref-1")
    assert handler.received == [
        (
            "Bearer secret",
            {"to": "+33612345678", "text": "Code : 1234", "sender": "AMELI", "reference": "ref-1"},
        )
    ]


def test_http_sms_backend_raises_on_gateway_error(settings, gateway):
    url, handler = gateway
    settings.SMS_GATEWAY_URL = url
    handler.status = 503
    with pytest.raises(SmsError):
        HttpSmsBackend().send("+33612345678", "Code : 1234", "ref-2")
