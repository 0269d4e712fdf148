"""Celery tasks that deliver the outbox (FEATURES F4).

Tasks take ids, are idempotent (a conditional UPDATE claims the row), retry with exponential
backoff, and `requeue_unsent` (beat, every minute) re-queues rows left behind by a broker
outage or a worker crash.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from .enums import Channel, DeliveryStatus
from .models import OutboundMessage
from .sms import get_sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A row still 'sending' after this long belongs to a worker that died: it may be retried.
STALE_CLAIM = datetime.timedelta(minutes=5)
# Pending rows younger than this are left to their own on-commit task.
PENDING_GRACE = datetime.timedelta(seconds=30)


# Once a message with a secret is sent or given up, its masked copy replaces the clear one:
# the code or personal link is no longer anywhere in the database (nor in its backups).
REDACT = {
    "body_text": F("redacted_text"),
    "body_html": F("redacted_html"),
    "redacted_text": "",
    "redacted_html": "",
}


class TemporaryDeliveryError(Exception):
    pass


def _deliver(message):
    if message.channel == Channel.EMAIL:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"X-Portal-Message-Id": str(message.public_id)},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        email.send()
    else:
        get_sms_backend().send(message.to, message.body_text, str(message.public_id))


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TemporaryDeliveryError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS,
)
def send_outbound_message(self, message_id):
    now = timezone.now()
    claimable = Q(status=DeliveryStatus.PENDING) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    claimed = OutboundMessage.objects.filter(claimable, pk=message_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "déjà traité"  # sent, failed, or being sent by another worker
    message = OutboundMessage.objects.get(pk=message_id)
    try:
        _deliver(message)
    except Exception as error:
        final = message.attempts >= MAX_ATTEMPTS
        OutboundMessage.objects.filter(pk=message_id).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            last_error=f"{error.__class__.__name__}: {error}"[:500],
            **(REDACT if final and message.has_secret else {}),
        )
        if final:
            logger.error("Envoi %s abandonné après %s tentatives", message_id, message.attempts)
            return "échec"
        raise TemporaryDeliveryError(str(error)) from error
    OutboundMessage.objects.filter(pk=message_id).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        **(REDACT if message.has_secret else {}),
    )
    return "envoyé"


@shared_task
def requeue_unsent():
    """Re-queue rows a broker outage or a dead worker left behind (beat, every minute)."""
    now = timezone.now()
    ids = list(
        OutboundMessage.objects.filter(
            Q(status=DeliveryStatus.PENDING, created_at__lt=now - PENDING_GRACE)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        send_outbound_message.delay(message_id)
    return len(ids)
