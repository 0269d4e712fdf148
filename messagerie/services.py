"""Queue e-mails and SMS through the outbox (FEATURES F4, ARCHITECTURE decision 4).

Call these inside the transaction that causes the message: the row is written with the change
and the send task is queued only on commit. If the broker is down at that moment, the request
still succeeds; the periodic `requeue_unsent` task picks the row up later.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from .enums import Channel
from .models import OutboundMessage

logger = logging.getLogger(__name__)


def _enqueue_on_commit(message_id):
    def enqueue():
        from .tasks import send_outbound_message

        try:
            send_outbound_message.delay(message_id)
        except Exception:  # broker down: the row stays pending and is re-queued later
            logger.warning("Broker indisponible : envoi %s différé", message_id, exc_info=True)

    transaction.on_commit(enqueue)


def queue_email(*, to, subject, body_text, body_html="", template, user=None):
    message = OutboundMessage.objects.create(
        channel=Channel.EMAIL,
        user=user,
        to=to,
        template=template,
        subject=" ".join(subject.splitlines()).strip(),
        body_text=body_text,
        body_html=body_html,
    )
    _enqueue_on_commit(message.pk)
    return message


def send_templated_email(template, *, to, context, user=None):
    """Render templates/emails/<template>.{subject.txt,txt,html} and queue the e-mail.

    The HTML version extends `emails/base.html` (the portal's look); the text one is required.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context)
    return queue_email(
        to=to,
        subject=subject,
        body_text=render_to_string(f"emails/{template}.txt", context).strip(),
        body_html=render_to_string(f"emails/{template}.html", context),
        template=template,
        user=user,
    )


def queue_sms(*, to, text, template, user=None):
    message = OutboundMessage.objects.create(
        channel=Channel.SMS, user=user, to=str(to), template=template, body_text=text
    )
    _enqueue_on_commit(message.pk)
    return message
