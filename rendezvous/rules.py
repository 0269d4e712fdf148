"""The booking rules of F3, as plain functions of their inputs (no database), tested alone.

Choices (FEATURES F3 is silent on them; this is what a caisse's accueil usually does):

* **Booking window**: from tomorrow (a slot of today is never offered: the accueil prepares
  its day the evening before) to `BOOKING_WINDOW_WEEKS` weeks ahead, in Paris time — e.g.
  on Monday 11 May, from Tuesday 12 May 00:00 to Monday 22 June 23:59.
* **Cancellation**: allowed until the start of the slot (afterwards it is a past appointment).
  Agents cancel under the same rule (an accueil closed for the day).
* **At most one upcoming appointment per reason** (an advisor sees the whole file): a second
  one for the same reason is refused with the date of the first; cancel it to take another.
* **No two upcoming appointments at overlapping times.**
* **Capacity**: a slot takes `capacity` bookings at most (enforced again by the database).
* A slot must be open, at an active place of the person's own caisse (checked by the query).
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone

from .enums import Reason, Status

BOOKING_FIRST_DAY_OFFSET = 1  # from tomorrow
BOOKING_WINDOW_WEEKS = 6

SLOT_FULL = "Ce créneau n'est plus disponible : il vient d'être réservé. Choisissez-en un autre."
SLOT_CLOSED = "Ce créneau n'est plus proposé par l'accueil. Choisissez-en un autre."
SLOT_OUTSIDE_WINDOW = (
    "Ce créneau n'est pas ouvert à la réservation : les rendez-vous se prennent "
    f"à partir de demain et jusqu'à {BOOKING_WINDOW_WEEKS} semaines."
)
CANCEL_TOO_LATE = "Ce rendez-vous a déjà commencé ou est passé : il ne peut plus être annulé."
CANCEL_ALREADY = "Ce rendez-vous est déjà annulé."


def booking_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last days (inclusive) on which an appointment can be booked `today`."""
    first = today + datetime.timedelta(days=BOOKING_FIRST_DAY_OFFSET)
    last = today + datetime.timedelta(weeks=BOOKING_WINDOW_WEEKS)
    return first, last


def window_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The window as aware datetimes [start, end) in the current (Paris) time zone."""
    first, last = booking_window(today)
    return start_of_day(first), start_of_day(last + datetime.timedelta(days=1))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_booking_window(starts_at: datetime.datetime, today: datetime.date) -> bool:
    first, last = booking_window(today)
    return first <= timezone.localtime(starts_at).date() <= last


def slot_refusal(slot, now: datetime.datetime) -> str | None:
    """Why `slot` cannot be booked at `now` (a French sentence), or None if it can."""
    if not slot.is_open or not slot.place.is_active:
        return SLOT_CLOSED
    if not in_booking_window(slot.starts_at, timezone.localtime(now).date()):
        return SLOT_OUTSIDE_WINDOW
    if slot.booked_count >= slot.capacity:
        return SLOT_FULL
    return None


def is_upcoming(appointment, now: datetime.datetime) -> bool:
    """Booked and not started yet: listed « À venir », still cancellable."""
    return appointment.status == Status.BOOKED and appointment.slot.starts_at > now


def cancel_refusal(appointment, now: datetime.datetime) -> str | None:
    if appointment.status == Status.CANCELLED:
        return CANCEL_ALREADY
    if appointment.slot.starts_at <= now:
        return CANCEL_TOO_LATE
    return None


def can_cancel(appointment, now: datetime.datetime) -> bool:
    return cancel_refusal(appointment, now) is None


def describe_when(
    starts_at: datetime.datetime, ends_at: datetime.datetime | None = None, *, prefix="le "
) -> str:
    """« le mardi 12 mai 2026 de 9 h 30 à 10 h 00 » (Paris time, French)."""
    start = timezone.localtime(starts_at)
    text = f"{prefix}{formats.date_format(start, 'l j F Y')}"
    if ends_at is None:
        return f"{text} à {_hour(start)}"
    return f"{text} de {_hour(start)} à {_hour(timezone.localtime(ends_at))}"


def _hour(moment) -> str:
    """« 9 h 30 » (French typography: no leading zero on the hour)."""
    return f"{moment.hour} h {moment:%M}"


def reason_conflict(upcoming, reason) -> str | None:
    """One upcoming appointment per reason: the refusal when `upcoming` holds one already."""
    for appointment in upcoming:
        if appointment.status == Status.BOOKED and appointment.reason == reason:
            return (
                f"Vous avez déjà un rendez-vous pour « {Reason(reason).label} » "
                f"{describe_when(appointment.slot.starts_at)}. "
                "Annulez-le dans « Mes rendez-vous » pour en prendre un autre."
            )
    return None


def overlap_conflict(upcoming, slot) -> str | None:
    """No two appointments at the same time: the refusal when one of `upcoming` overlaps."""
    for appointment in upcoming:
        other = appointment.slot
        if appointment.status == Status.BOOKED and (
            other.starts_at < slot.ends_at and slot.starts_at < other.ends_at
        ):
            return (
                f"Vous avez déjà un rendez-vous {describe_when(other.starts_at)} : "
                "choisissez un autre horaire."
            )
    return None


def series_starts(
    first_day: datetime.date,
    last_day: datetime.date,
    weekdays,
    start_time: datetime.time,
    end_time: datetime.time,
    duration_minutes: int,
) -> list[datetime.datetime]:
    """H1 slot series: every start from `start_time` (included) while the slot ends by
    `end_time`, on the chosen `weekdays` (0 = Monday) of [first_day, last_day], in Paris time
    (the hour stays 9:00 across daylight-saving changes)."""
    weekdays = {int(d) for d in weekdays}
    step = datetime.timedelta(minutes=duration_minutes)
    starts = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            moment = datetime.datetime.combine(day, start_time)
            limit = datetime.datetime.combine(day, end_time)
            while moment + step <= limit:
                starts.append(timezone.make_aware(moment))
                moment += step
        day += datetime.timedelta(days=1)
    return starts
