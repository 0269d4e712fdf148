"""What the outbox actually delivered (FEATURES F4), for tests that read a code or a link as
the person would from their mailbox or phone.

A message with a secret keeps only its masked copy once sent (messagerie.tasks.REDACT), so the
clear text is read where it was delivered: Django's test mailbox (`mail.outbox`, the locmem
backend pytest-django installs) for e-mails, the SMS file for SMS (FileSmsBackend), both found by
the message's reference. A message not sent yet still holds its clear text in the row.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core import mail

from messagerie.enums import Channel, DeliveryStatus


def delivered_text(message) -> str:
    """The text `message` (an OutboundMessage) carried to its recipient."""
    message.refresh_from_db()
    if message.status != DeliveryStatus.SENT:
        return message.body_text
    reference = str(message.public_id)
    if message.channel == Channel.EMAIL:
        for email in reversed(mail.outbox):
            if email.extra_headers.get("X-Portal-Message-Id") == reference:
                return email.body
        raise AssertionError(f"e-mail {reference} not in the test mailbox")
    for path in Path(settings.SMS_FILE_PATH).glob(f"*-{reference}.json"):
        return json.loads(path.read_text(encoding="utf-8"))["text"]
    raise AssertionError(f"SMS {reference} not in {settings.SMS_FILE_PATH}")
