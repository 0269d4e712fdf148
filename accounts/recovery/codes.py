"""« Code provisoire » (FEATURES A3, A9, H4): issue, check, consume.

* `issue_code` — an agent at the desk (code shown once, or sent by SMS) or on the phone
  (SMS), or a « borne multiservices » (SMS): 4 random digits, valid 48 hours; any earlier
  code of the person still usable is replaced; only a keyed hash is stored; an agent's
  issuance is written to the audit trail (H5) and the code row keeps who, when, which channel.
* `check_code` — a wrong code counts one try; after `TemporaryCode.MAX_ATTEMPTS` it is burnt.
* `consume_code` — single use, even when two requests race (one conditional UPDATE).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assures.audit import log_access
from assures.enums import AccessAction
from messagerie.services import MASK, queue_sms
from portal.dates import fr_datetime as french_datetime

from ..enums import CodeChannel, CodeDelivery, CodePurpose
from ..models import TemporaryCode, User

SMS_TEMPLATE = "account_temporary_code"


def generate_code() -> str:
    return f"{secrets.randbelow(10**TemporaryCode.LENGTH):0{TemporaryCode.LENGTH}d}"


def sms_text(code: str, expires_at) -> str:
    return (
        f"Assurance Maladie : votre code provisoire est {code}. Il est valable 48 h, jusqu'au "
        f"{french_datetime(expires_at)}, pour créer votre compte ou choisir un nouveau mot de "
        "passe. Ne le communiquez à personne."
    )


def check_issuance(*, channel, delivery, issued_by, phone):
    if channel == CodeChannel.KIOSK:
        if issued_by is not None or delivery != CodeDelivery.SMS:
            raise ValidationError("Une borne multiservices envoie le code par SMS, sans agent.")
    else:
        if issued_by is None or not issued_by.is_staff:
            raise ValidationError("Un code provisoire est délivré par un agent de la caisse.")
        if channel == CodeChannel.PHONE and delivery != CodeDelivery.SMS:
            raise ValidationError(
                "Au téléphone, le code provisoire est envoyé par SMS : il ne peut pas être dicté."
            )
    if delivery == CodeDelivery.SMS and not phone:
        raise ValidationError("Indiquez le numéro de téléphone portable qui recevra le SMS.")


@transaction.atomic
def issue_code(person, *, channel, delivery, issued_by=None, phone="") -> tuple[TemporaryCode, str]:
    """Create a code for `person`; returns (row, clear code). The clear code exists only in
    this return value and, for an SMS, in the message queued in the outbox."""
    channel, delivery = CodeChannel(channel), CodeDelivery(delivery)
    check_issuance(channel=channel, delivery=delivery, issued_by=issued_by, phone=phone)
    now = timezone.now()
    TemporaryCode.objects.filter(person=person).usable(now).update(revoked_at=now)
    code = generate_code()
    row = TemporaryCode(
        person=person,
        channel=channel,
        delivery=delivery,
        phone=phone if delivery == CodeDelivery.SMS else "",
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + TemporaryCode.VALIDITY,
    )
    row.set_code(code)
    row.save()
    if delivery == CodeDelivery.SMS:
        queue_sms(
            to=row.phone.as_e164,
            text=sms_text(code, row.expires_at),
            redacted_text=sms_text(MASK, row.expires_at),  # kept once sent (F4)
            template=SMS_TEMPLATE,
            user=User.objects.filter(person=person).first(),
        )
    if issued_by is not None:
        log_access(
            issued_by,
            person,
            AccessAction.ADD,
            row,
            f"Code provisoire délivré ({channel.label}, {delivery.label.lower()})",
        )
    return row, code


def check_code(person, code: str, now=None) -> TemporaryCode | None:
    """The usable code of `person` equal to `code`, or None. A wrong code counts one try on
    the person's usable code (written even though the caller shows an error)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            TemporaryCode.objects.select_for_update()
            .filter(person=person)
            .usable(now)
            .order_by("-issued_at")
            .first()
        )
        if row is None:
            return None
        if row.matches(code):
            return row
        TemporaryCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        return None


def consume_code(row: TemporaryCode, purpose: CodePurpose, now=None) -> bool:
    """Mark the code used, once: False when another request used (or it lost) it first."""
    now = now or timezone.now()
    return bool(
        TemporaryCode.objects.filter(pk=row.pk, used_at__isnull=True, revoked_at__isnull=True)
        .filter(attempts__lt=TemporaryCode.MAX_ATTEMPTS, expires_at__gt=now)
        .update(used_at=now, used_for=purpose)
    )
