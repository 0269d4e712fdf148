"""State-changing functions of the rendez-vous (FEATURES F3, X5, H1, H5).

Each one is a single atomic block; the e-mails and SMS it causes are outbox rows written in
that same block (messagerie.services, F4), sent by Celery once it commits. When a rule refuses,
the block rolls back: nothing is half-saved.

* `book`: locks the person's row (their bookings are serialised, so « one upcoming appointment
  per reason » holds under concurrency) and the slot's row, checks the rules (rules.py), raises
  the slot's counter with a conditional UPDATE (the database also refuses a counter above the
  capacity), writes the appointment and queues the confirmation. A `client_token` already used
  returns the first appointment: a double submission books once.
* `cancel`: by the insured or by an agent (logged, H5), until the slot starts; the seat is
  given back and the cancellation e-mail/SMS queued. Cancelling twice changes nothing.
* `generate_slots`: a series of slots (days × hours) for a place (agents, H1).
* `create_feed` / `revoke_feed` / `feed_for_token`: the calendar subscription URL (X5).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from assures.models import Person
from messagerie.services import queue_sms, send_templated_email

from . import rules
from .enums import CancelledBy, Mode, Reason, Status
from .models import Appointment, CalendarFeed, Slot, hash_token

CONFIRMATION = "rendezvous_confirmation"
CANCELLATION = "rendezvous_annulation"


class BookingRefused(Exception):
    """A booking refused by a rule; `field` names the form field the message belongs to."""

    def __init__(self, field, message):
        self.field = field
        self.message = message
        super().__init__(message)


class CancellationRefused(Exception):
    pass


# --- notifications (F3 « confirmation e-mail/SMS », F4) ----------------------------------------
def channels_for(account) -> list[str]:
    """The channels the account accepts (« Autorisations de contact », A11): "email", "sms"."""
    if account is None or not account.is_active:
        return []
    channels = []
    if account.contact_by_email and account.email:
        channels.append("email")
    if account.contact_by_sms and account.mobile_phone:
        channels.append("sms")
    return channels


def phone_display(phone) -> str:
    if not phone:
        return ""
    try:
        return PhoneNumber.from_string(str(phone), region="FR").as_national
    except Exception:  # a number stored before validation: shown as is
        return str(phone)


def _context(appointment, account):
    slot = appointment.slot
    return {
        "first_name": appointment.person.first_name,
        "reference": appointment.reference,
        "when": rules.describe_when(slot.starts_at, slot.ends_at),
        "when_plain": rules.describe_when(slot.starts_at, slot.ends_at, prefix=""),
        "mode": appointment.mode,
        "mode_label": appointment.get_mode_display(),
        "telephonique": appointment.mode == Mode.TELEPHONIQUE,
        "phone": phone_display(appointment.phone),
        "place": slot.place,
        "caisse": slot.place.caisse.name,
        "by_caisse": appointment.cancelled_by == CancelledBy.CAISSE,
        "cancellation_reason": appointment.cancellation_reason,
        "list_path": reverse("rendezvous:list"),
        "book_path": reverse("rendezvous:choose"),
    }


def _sms_text(appointment, template):
    slot = appointment.slot
    start = timezone.localtime(slot.starts_at)
    when = f"le {start:%d/%m/%Y} à {start:%H}h{start:%M}"
    if template == CONFIRMATION:
        where = (
            "un conseiller vous appellera"
            if appointment.mode == Mode.TELEPHONIQUE
            else f"{slot.place.name}, {slot.place.one_line_address}"
        )
        text = (
            f"Assurance Maladie : votre rendez-vous {when} est confirmé ({where}). "
            f"Réf. {appointment.reference}. Pour l'annuler : Mon compte > Mes rendez-vous."
        )
    else:
        by = " par votre caisse" if appointment.cancelled_by == CancelledBy.CAISSE else ""
        text = (
            f"Assurance Maladie : votre rendez-vous {when} (réf. {appointment.reference}) "
            f"est annulé{by}. Pour en prendre un autre : Mon compte > Prendre un rendez-vous."
        )
    return text


def _notify(appointment, account, template):
    """Queue the e-mail and/or the SMS the account accepts; returns the channels used."""
    channels = channels_for(account)
    if "email" in channels:
        send_templated_email(
            template, to=account.email, context=_context(appointment, account), user=account
        )
    if "sms" in channels:
        queue_sms(
            to=account.mobile_phone.as_e164,
            text=_sms_text(appointment, template),
            template=template,
            user=account,
        )
    return channels


def _account_of(person):
    from accounts.models import User

    return User.objects.filter(person=person, is_active=True).first()


# --- booking -----------------------------------------------------------------------------------
def upcoming_for(person, now=None):
    return list(
        Appointment.objects.for_person(person)
        .upcoming(now)
        .select_related("slot__place")
        .order_by("slot__starts_at")
    )


def _existing(person, client_token):
    if client_token is None:
        return None
    return Appointment.objects.filter(person=person, client_token=client_token).first()


def book(user, *, slot_id, reason, phone="", details="", client_token=None, now=None):
    """Book `slot_id` for `user`'s person. Returns (appointment, created).

    Raises BookingRefused(field, French message) when a rule refuses; nothing is saved then.
    """
    person = user.person
    now = now or timezone.now()
    reason = Reason(reason)
    existing = _existing(person, client_token)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            # Serialise this person's bookings: the per-reason rule below holds under races.
            list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
            slot = (
                Slot.objects.select_for_update(of=("self",))
                .select_related("place__caisse")
                .filter(pk=slot_id, place__caisse_id=person.caisse_id)
                .first()
            )
            if slot is None:
                raise BookingRefused("creneau", "Choisissez l'un des créneaux proposés.")
            refusal = rules.slot_refusal(slot, now)
            if refusal:
                raise BookingRefused("creneau", refusal)
            upcoming = upcoming_for(person, now)
            refusal = rules.reason_conflict(upcoming, reason)
            if refusal:
                raise BookingRefused("motif", refusal)
            refusal = rules.overlap_conflict(upcoming, slot)
            if refusal:
                raise BookingRefused("creneau", refusal)
            if slot.mode == Mode.TELEPHONIQUE and not phone:
                raise BookingRefused(
                    "telephone", "Indiquez le numéro auquel le conseiller peut vous appeler."
                )
            seats = Slot.objects.filter(pk=slot.pk, booked_count__lt=F("capacity")).update(
                booked_count=F("booked_count") + 1
            )
            if not seats:
                raise BookingRefused("creneau", rules.SLOT_FULL)
            slot.booked_count += 1
            appointment = Appointment.objects.create(
                person=person,
                slot=slot,
                reason=reason,
                mode=slot.mode,
                phone=str(phone) if slot.mode == Mode.TELEPHONIQUE else "",
                details=(details or "").strip()[:500],
                booked_at=now,
                client_token=client_token,
            )
            _notify(appointment, user, CONFIRMATION)
    except IntegrityError:
        # The same form posted twice at the same moment: the other request won.
        existing = _existing(person, client_token)
        if existing is not None:
            return existing, False
        raise BookingRefused("creneau", "Vous avez déjà un rendez-vous sur ce créneau.") from None
    return appointment, True


# --- cancellation ------------------------------------------------------------------------------
def cancel(appointment, *, by, reason="", now=None):
    """Cancel `appointment` (by the insured, or by an agent: `by.is_staff`).

    Returns (appointment, changed): cancelling an already cancelled appointment changes
    nothing and sends nothing. Raises CancellationRefused once the slot has started."""
    from assures.audit import log_access
    from assures.enums import AccessAction

    now = now or timezone.now()
    by_caisse = bool(by.is_staff)
    if not by_caisse and appointment.person_id != by.person_id:
        raise PermissionError("Ce rendez-vous n'est pas le vôtre.")
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot__place__caisse", "person")
            .get(pk=appointment.pk)
        )
        if locked.status == Status.CANCELLED:
            return locked, False
        refusal = rules.cancel_refusal(locked, now)
        if refusal:
            raise CancellationRefused(refusal)
        locked.status = Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = CancelledBy.CAISSE if by_caisse else CancelledBy.INSURED
        locked.cancellation_reason = (reason or "").strip()[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
        Slot.objects.filter(pk=locked.slot_id, booked_count__gt=0).update(
            booked_count=F("booked_count") - 1
        )
        account = _account_of(locked.person) if by_caisse else by
        _notify(locked, account, CANCELLATION)
        if by_caisse:
            detail = f"Rendez-vous {locked.reference} annulé par la caisse"
            if locked.cancellation_reason:
                detail += f" : {locked.cancellation_reason}"
            log_access(by, locked.person, AccessAction.CHANGE, locked, detail)
    return locked, True


# --- slots (H1) --------------------------------------------------------------------------------
def generate_slots(
    place,
    *,
    first_day,
    last_day,
    weekdays,
    start_time,
    end_time,
    duration_minutes,
    modes,
    capacity,
):
    """Create the slots of a series (days × hours × modes) at `place`. Slots already there
    (same place, start and mode) are kept as they are. Returns (created, already_there)."""
    starts = rules.series_starts(
        first_day, last_day, weekdays, start_time, end_time, duration_minutes
    )
    modes = [Mode(m) for m in modes]
    wanted = {(start, mode) for start in starts for mode in modes}
    with transaction.atomic():
        present = set(
            Slot.objects.filter(place=place, starts_at__in=starts, mode__in=modes).values_list(
                "starts_at", "mode"
            )
        )
        new = [
            Slot(
                place=place,
                starts_at=start,
                mode=mode,
                duration_minutes=duration_minutes,
                capacity=capacity,
            )
            for start, mode in sorted(wanted - present)
        ]
        Slot.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new), len(wanted & present)


# --- calendar subscription (X5) ----------------------------------------------------------------
def create_feed(person, now=None):
    """A new subscription URL token for `person` (the previous one, if any, stops working).
    Returns the clear token: it is shown once, only its hash is kept."""
    now = now or timezone.now()
    token = CalendarFeed.new_token()
    with transaction.atomic():
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
        CalendarFeed.objects.filter(person=person).active().update(revoked_at=now)
        CalendarFeed.objects.create(person=person, token_hash=hash_token(token), created_at=now)
    return token


def revoke_feed(person, now=None) -> int:
    return (
        CalendarFeed.objects.filter(person=person).active().update(revoked_at=now or timezone.now())
    )


def feed_for_token(token):
    """The active feed of `token` whose person still has an active account, or None."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.active()
        .select_related("person")
        .filter(
            token_hash=hash_token(token),
            person__account__is_active=True,
        )
        .first()
    )


FEED_TOUCH_EVERY = datetime.timedelta(hours=1)


def touch_feed(feed, now=None):
    """Remember when the feed was last read (at most one write an hour)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
