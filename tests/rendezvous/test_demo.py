"""FEATURES F3 demo data (`seed_demo` → rendezvous.demo.seed): accueils and slots at the CPAM
de Paris and de la Gironde over the booking window, one booking for Jean, idempotent."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from rendezvous import rules
from rendezvous.enums import Mode, Status
from rendezvous.models import Appointment, Place, Slot

pytestmark = pytest.mark.django_db


def test_f3_demo_accueils_and_slots(demo):
    paris = Place.objects.filter(caisse__code="751")
    gironde = Place.objects.filter(caisse__code="331")
    assert paris.count() == 2 and gironde.count() == 2
    assert "Accueil Paris 19e – Georges Auric" in paris.values_list("name", flat=True)
    first, last = rules.booking_window(timezone.localdate())
    for places in (paris, gironde):
        slots = Slot.objects.filter(place__in=places)
        days = {timezone.localtime(s).date() for s in slots.values_list("starts_at", flat=True)}
        assert min(days) >= first and max(days) <= last
        assert len(days) >= 25  # the weekdays of six weeks
        assert set(slots.values_list("mode", flat=True)) == set(Mode.values)
        assert all(
            timezone.localtime(s).weekday() < 5 for s in slots.values_list("starts_at", flat=True)
        )


def test_f3_demo_booking_for_jean_only(demo):
    booking = Appointment.objects.get()
    assert booking.person == demo["jean"].person
    assert booking.status == Status.BOOKED and booking.mode == Mode.TELEPHONIQUE
    assert booking.slot.place.caisse.code == "331"
    assert booking.slot.booked_count == 1
    assert not Appointment.objects.filter(person=demo["camille"].person).exists()


def test_f3_demo_is_idempotent(demo):
    counts = (Place.objects.count(), Slot.objects.count(), Appointment.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Place.objects.count(), Slot.objects.count(), Appointment.objects.count()) == counts


def test_h1_demo_agents_work_with_their_caisse_bookings(client, demo):
    client.force_login(demo["agent_gironde"])
    url = reverse("admin:rendezvous_appointment_changelist")
    assert list(client.get(url).context["cl"].result_list) == [Appointment.objects.get()]
    client.force_login(demo["agent_paris"])
    assert list(client.get(url).context["cl"].result_list) == []
    assert client.get(reverse("admin:rendezvous_slot_generate")).status_code == 200
