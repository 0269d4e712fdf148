"""FEATURES F3 (booking, cancellation, capacity), F4 (outbox), X5 (feeds), H1 (slot series),
H5 (agents' cancellations logged): rendezvous/services.py against the database."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.factories import InsuredUserFactory
from assures.enums import AccessAction
from assures.factories import PersonFactory
from assures.models import AccessLog
from messagerie.enums import Channel
from messagerie.models import OutboundMessage
from rendezvous import rules, services
from rendezvous.enums import CancelledBy, Mode, Reason, Status
from rendezvous.models import Appointment, CalendarFeed, Slot, hash_token
from tests.outbox import delivered_text

from .conftest import at, make_slot

pytestmark = pytest.mark.django_db


def book(user, slot, reason=Reason.REMBOURSEMENTS, **kwargs):
    return services.book(user, slot_id=slot.pk, reason=reason, **kwargs)


def outbox(user=None):
    rows = OutboundMessage.objects.order_by("created_at", "pk")
    return list(rows.filter(user=user) if user else rows)


# --- booking -----------------------------------------------------------------------------------
def test_f3_booking_writes_the_appointment_and_takes_a_seat(insured, slot):
    appointment, created = book(insured, slot, details="  Une question sur un décompte.  ")
    assert created
    assert appointment.person == insured.person
    assert appointment.status == Status.BOOKED
    assert appointment.mode == Mode.PHYSIQUE
    assert appointment.details == "Une question sur un décompte."
    assert appointment.reference.startswith("RDV-") and len(appointment.reference) == 13
    slot.refresh_from_db()
    assert slot.booked_count == 1


@pytest.mark.parametrize(
    ("email", "sms", "channels"),
    [
        (True, True, [Channel.EMAIL, Channel.SMS]),
        (True, False, [Channel.EMAIL]),
        (False, True, [Channel.SMS]),
        (False, False, []),
    ],
)
def test_f3_f4_confirmation_follows_the_contact_permissions(insured, slot, email, sms, channels):
    insured.contact_by_email, insured.contact_by_sms = email, sms
    insured.save()
    appointment, _ = book(insured, slot)
    sent = outbox(insured)
    assert [m.channel for m in sent] == channels
    assert {m.template for m in sent} <= {services.CONFIRMATION}
    for message in sent:
        text = delivered_text(message)
        assert appointment.reference in text
        assert "Mes rendez-vous" in text
        assert "Mes remboursements de soins" not in text  # no reason outside the account
    if Channel.EMAIL in channels:
        mail = sent[0]
        assert mail.to == insured.email
        assert mail.subject == "Votre rendez-vous avec votre caisse est confirmé"
        assert rules.describe_when(appointment.slot.starts_at, appointment.slot.ends_at) in (
            delivered_text(mail)
        )
        assert "10 rue de la Paix, 75002 Paris" in delivered_text(mail)
    if Channel.SMS in channels:
        assert sent[-1].to == "+33612345678"


def test_f3_same_token_twice_books_once(insured, slot):
    token = uuid.uuid4()
    first, created = book(insured, slot, client_token=token)
    again, created_again = book(insured, slot, client_token=token)
    assert created and not created_again
    assert again == first
    assert Appointment.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked_count == 1
    assert len(outbox(insured)) == 2  # one e-mail and one SMS, once


def test_f3_full_slot_is_refused_and_nothing_is_saved(insured, neighbour, slot):
    book(neighbour, slot)
    before = len(outbox())
    with pytest.raises(services.BookingRefused) as refused:
        book(insured, slot)
    assert refused.value.field == "creneau"
    assert refused.value.message == rules.SLOT_FULL
    assert not Appointment.objects.filter(person=insured.person).exists()
    assert len(outbox()) == before
    slot.refresh_from_db()
    assert slot.booked_count == 1


def test_f3_capacity_two_takes_two_people(insured, neighbour, place, caisse):
    shared = make_slot(place, capacity=2)
    third = InsuredUserFactory(person=PersonFactory(caisse=caisse))
    book(insured, shared)
    book(neighbour, shared)
    with pytest.raises(services.BookingRefused):
        book(third, shared)
    shared.refresh_from_db()
    assert shared.booked_count == shared.capacity == 2


def test_f3_database_refuses_a_counter_above_the_capacity(slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked_count=2)


def test_f3_database_refuses_the_same_person_twice_on_a_slot(insured, slot):
    book(insured, slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            person=insured.person, slot=slot, reason=Reason.AUTRE, mode=Mode.PHYSIQUE
        )


def test_f3_database_refuses_a_phone_appointment_without_a_number(insured, place):
    phone_slot = make_slot(place, mode=Mode.TELEPHONIQUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            person=insured.person, slot=phone_slot, reason=Reason.AUTRE, mode=Mode.TELEPHONIQUE
        )


def test_f3_one_upcoming_appointment_per_reason(insured, place):
    first, _ = book(insured, make_slot(place, days=2), reason=Reason.INDEMNITES)
    with pytest.raises(services.BookingRefused) as refused:
        book(insured, make_slot(place, days=4), reason=Reason.INDEMNITES)
    assert refused.value.field == "motif"
    assert "Vous avez déjà un rendez-vous pour « Mes indemnités" in refused.value.message
    book(insured, make_slot(place, days=5), reason=Reason.REMBOURSEMENTS)  # another reason: fine
    services.cancel(first, by=insured)
    book(insured, make_slot(place, days=6), reason=Reason.INDEMNITES)  # once cancelled: fine


def test_f3_overlap_is_refused(insured, place):
    book(insured, make_slot(place, days=3, hour=10), reason=Reason.DROITS)
    same_time_elsewhere = make_slot(place, days=3, hour=10, minute=15, mode=Mode.TELEPHONIQUE)
    with pytest.raises(services.BookingRefused) as refused:
        book(insured, same_time_elsewhere, reason=Reason.AUTRE, phone="+33612345678")
    assert refused.value.field == "creneau"


def test_h1_slot_of_another_caisse_is_refused_like_an_unknown_one(insured, other_place):
    foreign = make_slot(other_place)
    with pytest.raises(services.BookingRefused) as refused:
        book(insured, foreign)
    assert refused.value.message == "Choisissez l'un des créneaux proposés."
    foreign.refresh_from_db()
    assert foreign.booked_count == 0


def test_f3_slot_of_today_or_beyond_the_window_is_refused(insured, place):
    for days in (0, 7 * rules.BOOKING_WINDOW_WEEKS + 1):
        with pytest.raises(services.BookingRefused) as refused:
            book(insured, make_slot(place, days=days, hour=23))
        assert refused.value.message == rules.SLOT_OUTSIDE_WINDOW


def test_f3_phone_appointment_needs_a_number(insured, place):
    phone_slot = make_slot(place, mode=Mode.TELEPHONIQUE)
    with pytest.raises(services.BookingRefused) as refused:
        book(insured, phone_slot)
    assert refused.value.field == "telephone"
    appointment, _ = book(insured, phone_slot, phone="+33612345678")
    assert appointment.phone == "+33612345678"


def test_f3_f4_nothing_half_saved_when_the_outbox_fails(insured, slot, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(services, "send_templated_email", broken)
    with pytest.raises(RuntimeError):
        book(insured, slot)
    assert not Appointment.objects.exists()
    slot.refresh_from_db()
    assert slot.booked_count == 0
    assert not OutboundMessage.objects.exists()


# --- cancellation ------------------------------------------------------------------------------
def test_f3_cancellation_frees_the_seat_and_notifies(insured, slot):
    appointment, _ = book(insured, slot)
    cancelled, changed = services.cancel(appointment, by=insured)
    assert changed
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancelled_by == CancelledBy.INSURED
    assert cancelled.cancelled_at is not None
    slot.refresh_from_db()
    assert slot.booked_count == 0
    sent = [m for m in outbox(insured) if m.template == services.CANCELLATION]
    assert [m.channel for m in sent] == [Channel.EMAIL, Channel.SMS]
    assert sent[0].subject == "Votre rendez-vous avec votre caisse est annulé"
    assert "est annulé" in delivered_text(sent[1])
    assert not AccessLog.objects.exists()  # the insured's own action is not an agent access


def test_f3_cancelling_twice_changes_nothing(insured, slot):
    appointment, _ = book(insured, slot)
    services.cancel(appointment, by=insured)
    count = len(outbox())
    _again, changed = services.cancel(appointment, by=insured)
    assert not changed
    assert len(outbox()) == count
    slot.refresh_from_db()
    assert slot.booked_count == 0


def test_f3_no_cancellation_once_started(insured, slot):
    appointment, _ = book(insured, slot)
    with pytest.raises(services.CancellationRefused):
        services.cancel(appointment, by=insured, now=slot.starts_at)
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_f3_nobody_cancels_someone_else_s_appointment(insured, neighbour, slot):
    appointment, _ = book(insured, slot)
    with pytest.raises(PermissionError):
        services.cancel(appointment, by=neighbour)
    appointment.refresh_from_db()
    assert appointment.is_booked


def test_h5_cancellation_by_the_caisse_is_logged_and_explained(insured, slot, accueil_agent):
    appointment, _ = book(insured, slot)
    services.cancel(appointment, by=accueil_agent, reason="Fermeture exceptionnelle de l'accueil")
    appointment.refresh_from_db()
    assert appointment.cancelled_by == CancelledBy.CAISSE
    row = AccessLog.objects.get()
    assert (row.agent, row.person, row.action) == (
        accueil_agent,
        insured.person,
        AccessAction.CHANGE,
    )
    assert appointment.reference in row.detail
    mail = OutboundMessage.objects.get(template=services.CANCELLATION, channel=Channel.EMAIL)
    assert "par votre caisse" in delivered_text(mail)
    assert "Motif : Fermeture exceptionnelle de l'accueil" in delivered_text(mail)


# --- H1: series of slots -----------------------------------------------------------------------
def test_h1_generate_slots_is_idempotent(place):
    first = timezone.localdate() + datetime.timedelta(days=1)
    kwargs = {
        "first_day": first,
        "last_day": first + datetime.timedelta(days=13),
        "weekdays": [0, 1, 2, 3, 4],
        "start_time": datetime.time(9),
        "end_time": datetime.time(11),
        "duration_minutes": 30,
        "modes": [Mode.PHYSIQUE, Mode.TELEPHONIQUE],
        "capacity": 2,
    }
    created, existing = services.generate_slots(place, **kwargs)
    assert (created, existing) == (10 * 4 * 2, 0)  # 10 weekdays × 4 slots × 2 modes
    assert Slot.objects.filter(place=place, capacity=2).count() == 80
    assert services.generate_slots(place, **kwargs) == (0, 80)


# --- X5: subscription tokens -------------------------------------------------------------------
def test_x5_feed_token_is_stored_hashed_and_replaced(insured):
    person = insured.person
    token = services.create_feed(person)
    assert len(token) >= 43
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == hash_token(token) != token
    assert services.feed_for_token(token) == feed
    second = services.create_feed(person)
    assert services.feed_for_token(token) is None  # the old link stops working
    assert services.feed_for_token(second).person == person
    assert CalendarFeed.objects.active().count() == 1
    assert services.revoke_feed(person) == 1
    assert services.feed_for_token(second) is None


def test_x5_feed_of_a_closed_account_is_dead(insured):
    token = services.create_feed(insured.person)
    insured.is_active = False
    insured.save()
    assert services.feed_for_token(token) is None


def test_x5_unknown_or_silly_tokens(insured):
    services.create_feed(insured.person)
    assert services.feed_for_token("") is None
    assert services.feed_for_token("x" * 500) is None
    assert services.feed_for_token("not-a-token") is None


def test_b1_home_agenda_in_one_query(insured, place, django_assert_num_queries):
    from rendezvous.queries import home_agenda

    first, _ = book(insured, make_slot(place, days=2), reason=Reason.DROITS)
    book(insured, make_slot(place, days=5), reason=Reason.AUTRE)
    with django_assert_num_queries(1):
        agenda = home_agenda(insured.person)
        assert agenda["agenda_next"].slot.place.name == "Accueil du Centre"
    assert agenda["agenda_next"] == first
    assert len(agenda["agenda_upcoming"]) == 2
    assert agenda["agenda_book_url"] == "/rendez-vous/prendre/"
    assert at(2) == first.slot.starts_at
