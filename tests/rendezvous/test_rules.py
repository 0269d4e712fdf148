"""FEATURES F3: the booking rules (rendezvous/rules.py) as plain functions — booking window,
cancellation deadline, capacity, one upcoming appointment per reason, no overlap — and the
H1 slot series. No database: unsaved model instances."""

import datetime
import zoneinfo

import pytest

from rendezvous import rules
from rendezvous.enums import Mode, Reason, Status
from rendezvous.models import Appointment, Place, Slot

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY = datetime.date(2026, 5, 11)


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def slot(start, *, capacity=1, booked=0, is_open=True, active=True, duration=30):
    return Slot(
        place=Place(name="Accueil", is_active=active),
        starts_at=start,
        duration_minutes=duration,
        mode=Mode.PHYSIQUE,
        capacity=capacity,
        booked_count=booked,
        is_open=is_open,
    )


def appointment(start, reason=Reason.REMBOURSEMENTS, status=Status.BOOKED, duration=30):
    return Appointment(slot=slot(start, duration=duration), reason=reason, status=status)


# --- booking window: from tomorrow to 6 weeks -------------------------------------------------
def test_f3_window_runs_from_tomorrow_to_six_weeks():
    assert rules.booking_window(MONDAY) == (datetime.date(2026, 5, 12), datetime.date(2026, 6, 22))


@pytest.mark.parametrize(
    ("start", "inside"),
    [
        (paris(2026, 5, 11, 16, 0), False),  # today: never offered
        (paris(2026, 5, 12, 0, 0), True),  # tomorrow, first minute
        (paris(2026, 6, 22, 17, 30), True),  # last day of the 6th week
        (paris(2026, 6, 23, 9, 0), False),  # one day too far
        (paris(2026, 5, 10, 9, 0), False),  # the past
    ],
)
def test_f3_window_boundaries(start, inside):
    assert rules.in_booking_window(start, MONDAY) is inside


def test_f3_window_is_counted_in_paris_time():
    # 00:30 in Paris on Tuesday is still Monday 22:30 in UTC: it is tomorrow for the insured.
    start = paris(2026, 5, 12, 0, 30).astimezone(datetime.UTC)
    assert start.date() == MONDAY
    assert rules.in_booking_window(start, MONDAY)


def test_f3_window_bounds_are_paris_midnights(settings):
    start, end = rules.window_bounds(MONDAY)
    assert start == paris(2026, 5, 12, 0, 0)
    assert end == paris(2026, 6, 23, 0, 0)


# --- a slot can be booked when open, in the window and not full -------------------------------
NOW = paris(2026, 5, 11, 14, 0)


def test_f3_free_slot_is_bookable():
    assert rules.slot_refusal(slot(paris(2026, 5, 13, 9, 0)), NOW) is None


@pytest.mark.parametrize(
    ("capacity", "booked", "refused"),
    [(1, 0, False), (1, 1, True), (3, 2, False), (3, 3, True)],
)
def test_f3_capacity(capacity, booked, refused):
    refusal = rules.slot_refusal(slot(paris(2026, 5, 13, 9), capacity=capacity, booked=booked), NOW)
    assert (refusal == rules.SLOT_FULL) is refused
    assert (refusal is None) is not refused


def test_f3_closed_slot_or_closed_place_is_refused():
    assert rules.slot_refusal(slot(paris(2026, 5, 13, 9), is_open=False), NOW) == rules.SLOT_CLOSED
    assert rules.slot_refusal(slot(paris(2026, 5, 13, 9), active=False), NOW) == rules.SLOT_CLOSED


def test_f3_slot_outside_the_window_is_refused():
    refusal = rules.slot_refusal(slot(paris(2026, 5, 11, 17)), NOW)  # later today
    assert refusal == rules.SLOT_OUTSIDE_WINDOW
    assert "à partir de demain" in refusal


# --- cancellation until the slot starts -------------------------------------------------------
def test_f3_cancellation_allowed_until_the_start():
    booked = appointment(paris(2026, 5, 13, 9, 0))
    assert rules.can_cancel(booked, paris(2026, 5, 13, 8, 59, 59))
    assert rules.cancel_refusal(booked, paris(2026, 5, 13, 9, 0)) == rules.CANCEL_TOO_LATE
    assert not rules.can_cancel(booked, paris(2026, 5, 14, 9, 0))


def test_f3_cancelled_appointment_cannot_be_cancelled_again():
    cancelled = appointment(paris(2026, 5, 13, 9), status=Status.CANCELLED)
    assert rules.cancel_refusal(cancelled, NOW) == rules.CANCEL_ALREADY


def test_f3_upcoming_means_booked_and_not_started():
    start = paris(2026, 5, 13, 9)
    assert rules.is_upcoming(appointment(start), NOW)
    assert not rules.is_upcoming(appointment(start), start)
    assert not rules.is_upcoming(appointment(start, status=Status.CANCELLED), NOW)


# --- one upcoming appointment per reason, no overlap ------------------------------------------
def test_f3_second_appointment_for_the_same_reason_is_refused_with_the_first_date():
    first = appointment(paris(2026, 5, 13, 9, 30), reason=Reason.INDEMNITES)
    refusal = rules.reason_conflict([first], Reason.INDEMNITES)
    assert refusal == (
        "Vous avez déjà un rendez-vous pour « Mes indemnités journalières (arrêt de travail) » "
        "le mercredi 13 mai 2026 à 9 h 30. "
        "Annulez-le dans « Mes rendez-vous » pour en prendre un autre."
    )
    assert rules.reason_conflict([first], Reason.REMBOURSEMENTS) is None
    cancelled = appointment(paris(2026, 5, 13, 9), Reason.INDEMNITES, status=Status.CANCELLED)
    assert rules.reason_conflict([cancelled], Reason.INDEMNITES) is None


def test_f3_overlapping_appointments_are_refused():
    booked = [appointment(paris(2026, 5, 13, 9, 0), duration=60)]
    assert rules.overlap_conflict(booked, slot(paris(2026, 5, 13, 9, 30)))
    assert rules.overlap_conflict(booked, slot(paris(2026, 5, 13, 8, 45)))
    assert rules.overlap_conflict(booked, slot(paris(2026, 5, 13, 10, 0))) is None
    assert rules.overlap_conflict(booked, slot(paris(2026, 5, 13, 8, 30))) is None


def test_describe_when_in_french():
    start = paris(2026, 5, 12, 9, 5)
    end = paris(2026, 5, 12, 9, 35)
    assert rules.describe_when(start, end) == "le mardi 12 mai 2026 de 9 h 05 à 9 h 35"
    assert rules.describe_when(start, prefix="") == "mardi 12 mai 2026 à 9 h 05"


# --- H1: a series of slots --------------------------------------------------------------------
def test_h1_series_days_times_and_weekdays():
    starts = rules.series_starts(
        MONDAY,
        MONDAY + datetime.timedelta(days=6),
        weekdays=[0, 2],  # Monday and Wednesday
        start_time=datetime.time(9, 0),
        end_time=datetime.time(11, 0),
        duration_minutes=40,
    )
    assert [s.strftime("%a %H:%M") for s in starts] == [
        "Mon 09:00",
        "Mon 09:40",
        "Mon 10:20",
        "Wed 09:00",
        "Wed 09:40",
        "Wed 10:20",
    ]


def test_h1_series_keeps_the_local_hour_across_daylight_saving():
    # Summer time starts on Sunday 29 March 2026: 9:00 is 08:00 UTC before, 07:00 UTC after.
    starts = rules.series_starts(
        datetime.date(2026, 3, 27),
        datetime.date(2026, 3, 30),
        weekdays=[0, 4],
        start_time=datetime.time(9),
        end_time=datetime.time(9, 30),
        duration_minutes=30,
    )
    assert [s.astimezone(datetime.UTC).strftime("%d %H:%M") for s in starts] == [
        "27 08:00",
        "30 07:00",
    ]
