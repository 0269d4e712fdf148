"""FEATURES F3 under real concurrency (PostgreSQL row locks): two requests at the same moment
never overbook a slot nor give one person two upcoming appointments for the same reason.

SQLite serialises writers by itself and has no SELECT … FOR UPDATE: these tests run when
DATABASE_URL points at PostgreSQL (as in CI) and skip otherwise.
"""

import threading

import pytest
from django.db import connection

from rendezvous import rules, services
from rendezvous.enums import Reason
from rendezvous.models import Appointment

from .conftest import make_slot

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls in parallel threads, started together; returns their outcomes."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("réservé")
        except services.BookingRefused as refusal:
            outcomes.append(refusal.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_f3_two_people_racing_for_the_last_seat(insured, neighbour, slot):
    outcomes = race(
        *(
            lambda user=user: services.book(user, slot_id=slot.pk, reason=Reason.AUTRE)
            for user in (insured, neighbour)
        )
    )
    assert outcomes == sorted(["réservé", rules.SLOT_FULL])
    slot.refresh_from_db()
    assert slot.booked_count == 1 == Appointment.objects.count()


def test_f3_one_person_racing_for_the_same_reason_twice(insured, place):
    slots = [make_slot(place, days=2), make_slot(place, days=3)]
    outcomes = race(
        *(lambda s=s: services.book(insured, slot_id=s.pk, reason=Reason.INDEMNITES) for s in slots)
    )
    assert outcomes[-1] == "réservé"
    assert outcomes[0].startswith("Vous avez déjà un rendez-vous pour")
    assert Appointment.objects.count() == 1
