"""FEATURES F3 for agents (H1 scoping, H5 audit): accueils, slots and bookings in /agents/."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgentFactory
from assures.enums import AccessAction
from assures.models import AccessLog
from messagerie.models import OutboundMessage
from rendezvous import services
from rendezvous.enums import CancelledBy, Mode, Reason, Status
from rendezvous.models import Appointment, Place, Slot

from .conftest import make_place, make_slot

pytestmark = pytest.mark.django_db


def admin_url(model, view="changelist", *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


GENERATE = reverse("admin:rendezvous_slot_generate")


def listed(client, model, **params):
    response = client.get(admin_url(model), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def bookings(insured, stranger, place, other_place):
    """One booking at each caisse."""
    mine = services.book(insured, slot_id=make_slot(place).pk, reason=Reason.DROITS)[0]
    theirs = services.book(stranger, slot_id=make_slot(other_place).pk, reason=Reason.AUTRE)[0]
    return mine, theirs


# --- H1 ----------------------------------------------------------------------------------------
def test_h1_agent_sees_only_the_places_slots_and_bookings_of_their_caisse(
    client, accueil_agent, place, other_place, bookings
):
    mine, theirs = bookings
    client.force_login(accueil_agent)
    assert listed(client, Place) == [place]
    assert {s.place for s in listed(client, Slot)} == {place}
    assert listed(client, Appointment) == [mine]
    page = client.get(admin_url(Appointment)).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
    assert "Accueil Lointain" not in page  # not even in the « accueil » filter


def test_h1_an_agent_of_another_caisse_sees_nothing_of_mine(client, other_agent, bookings):
    mine, theirs = bookings
    client.force_login(other_agent)
    assert listed(client, Appointment) == [theirs]
    for model, obj in ((Appointment, mine), (Slot, mine.slot), (Place, mine.slot.place)):
        response = client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 302 and response.url == reverse("admin:index"), model
    assert not AccessLog.objects.filter(person=mine.person).exists()


def test_h1_superuser_sees_every_caisse(client, bookings):
    client.force_login(AgentFactory(caisse=None, is_superuser=True))
    assert set(listed(client, Appointment)) == set(bookings)


def test_h1_place_is_added_to_the_agent_s_caisse_only(client, accueil_agent, other_caisse):
    client.force_login(accueil_agent)
    form = client.get(admin_url(Place, "add")).context["adminform"].form
    assert form.initial["caisse"] == accueil_agent.caisse_id
    assert list(form.fields["caisse"].queryset) == [accueil_agent.caisse]
    data = {
        "name": "Accueil Nord",
        "address_line1": "1 rue du Nord",
        "postal_code": "75018",
        "city": "Paris",
        "is_active": "on",
    }
    refused = client.post(admin_url(Place, "add"), {**data, "caisse": other_caisse.pk})
    assert refused.status_code == 200 and "caisse" in refused.context["adminform"].form.errors
    accepted = client.post(admin_url(Place, "add"), {**data, "caisse": accueil_agent.caisse_id})
    assert accepted.status_code == 302
    assert Place.objects.get(name="Accueil Nord").caisse == accueil_agent.caisse


# --- H5 ----------------------------------------------------------------------------------------
def test_h5_opening_a_booking_is_logged(client, accueil_agent, bookings):
    mine, _ = bookings
    client.force_login(accueil_agent)
    response = client.get(admin_url(Appointment, "change", mine.pk))
    assert response.status_code == 200
    assert mine.reference in response.content.decode()
    row = AccessLog.objects.get()
    assert (row.agent, row.person, row.action, row.object_type, row.object_id) == (
        accueil_agent,
        mine.person,
        AccessAction.VIEW,
        "rendez-vous",
        str(mine.pk),
    )


def test_h5_opening_a_slot_logs_each_person_booked_on_it(
    client, accueil_agent, insured, neighbour, place
):
    shared = make_slot(place, capacity=3)
    for user in (insured, neighbour):
        services.book(user, slot_id=shared.pk, reason=Reason.AUTRE)
    client.force_login(accueil_agent)
    page = client.get(admin_url(Slot, "change", shared.pk))
    assert page.status_code == 200
    assert insured.person.full_name in page.content.decode()
    rows = AccessLog.objects.filter(action=AccessAction.VIEW)
    assert {r.person for r in rows} == {insured.person, neighbour.person}


def test_h5_changelists_are_not_per_person_reads(client, accueil_agent, bookings):
    client.force_login(accueil_agent)
    for model in (Place, Slot, Appointment):
        client.get(admin_url(model))
    assert not AccessLog.objects.exists()


# --- slots -------------------------------------------------------------------------------------
def series(place, **overrides):
    first = timezone.localdate() + datetime.timedelta(days=1)
    return {
        "place": place.pk,
        "first_day": first.isoformat(),
        "last_day": (first + datetime.timedelta(days=6)).isoformat(),
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_time": "09:00",
        "end_time": "10:00",
        "duration_minutes": "20",
        "modes": [Mode.PHYSIQUE, Mode.TELEPHONIQUE],
        "capacity": "2",
        **overrides,
    }


def test_h1_series_of_slots(client, accueil_agent, place):
    client.force_login(accueil_agent)
    form = client.get(GENERATE, {"accueil": place.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["place"] == place.pk
    response = client.post(GENERATE, series(place))
    assert response.status_code == 302
    assert Slot.objects.filter(place=place).count() == 5 * 3 * 2  # weekdays × 3 × 2 modes
    assert set(Slot.objects.values_list("capacity", flat=True)) == {2}
    again = client.post(GENERATE, series(place), follow=True)
    assert "0 créneau(x) créé(s)" in again.content.decode()
    assert Slot.objects.count() == 30


def test_h1_series_at_another_caisse_place_is_refused(client, accueil_agent, other_place):
    client.force_login(accueil_agent)
    response = client.post(GENERATE, series(other_place))
    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    assert "Accueil Lointain" not in response.content.decode()
    assert not Slot.objects.exists()


def test_h1_series_errors_in_french(client, accueil_agent, place):
    client.force_login(accueil_agent)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(GENERATE, series(place, first_day=yesterday, end_time="09:10"))
    errors = response.context["form"].errors
    assert errors["first_day"] == ["La série ne peut pas commencer dans le passé."]
    assert errors["end_time"] == ["Aucun créneau ne tient entre ces deux heures."]
    assert not Slot.objects.exists()


def test_h1_series_needs_the_add_permission(client, instruction_agent, place):
    client.force_login(instruction_agent)
    assert client.get(GENERATE).status_code == 403
    assert client.post(GENERATE, series(place)).status_code == 403
    assert not Slot.objects.exists()


def test_h1_capacity_cannot_go_below_the_bookings(client, accueil_agent, insured, neighbour, place):
    shared = make_slot(place, capacity=3)
    for user in (insured, neighbour):
        services.book(user, slot_id=shared.pk, reason=Reason.AUTRE)
    client.force_login(accueil_agent)
    response = client.post(admin_url(Slot, "change", shared.pk), {"capacity": "1", "is_open": "on"})
    assert response.status_code == 200
    assert (
        "2 rendez-vous sont déjà pris" in response.context["adminform"].form.errors["capacity"][0]
    )
    shared.refresh_from_db()
    assert shared.capacity == 3


def test_h1_closing_slots_keeps_the_bookings(client, accueil_agent, bookings):
    mine, _ = bookings
    client.force_login(accueil_agent)
    response = client.post(
        admin_url(Slot), {"action": "close_slots", ACTION_CHECKBOX_NAME: [mine.slot_id]}
    )
    assert response.status_code == 302
    mine.slot.refresh_from_db()
    mine.refresh_from_db()
    assert not mine.slot.is_open and mine.is_booked


# --- an agent cancels bookings -----------------------------------------------------------------
def test_f3_h5_agent_cancels_bookings_and_the_insured_is_told(client, accueil_agent, bookings):
    mine, _ = bookings
    client.force_login(accueil_agent)
    selected = {"action": "cancel_appointments", ACTION_CHECKBOX_NAME: [mine.pk]}
    confirm = client.post(admin_url(Appointment), selected)
    assert confirm.status_code == 200
    assert "Oui, annuler ces rendez-vous" in confirm.content.decode()
    mine.refresh_from_db()
    assert mine.is_booked  # nothing before the confirmation
    done = client.post(
        admin_url(Appointment), {**selected, "confirmer": "1", "reason": "Grève des transports"}
    )
    assert done.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.cancelled_by) == (Status.CANCELLED, CancelledBy.CAISSE)
    assert mine.cancellation_reason == "Grève des transports"
    log = AccessLog.objects.get(action=AccessAction.CHANGE)
    assert log.person == mine.person and log.agent == accueil_agent
    mail = OutboundMessage.objects.get(template="rendezvous_annulation", channel="email")
    assert "Grève des transports" in mail.body_text


def test_f3_instruction_agent_may_look_but_not_cancel(client, instruction_agent, bookings):
    mine, _ = bookings
    client.force_login(instruction_agent)
    response = client.get(admin_url(Appointment))
    assert response.status_code == 200
    assert "cancel_appointments" not in response.content.decode()
    client.post(
        admin_url(Appointment),
        {"action": "cancel_appointments", "confirmer": "1", ACTION_CHECKBOX_NAME: [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.is_booked


# --- queries -----------------------------------------------------------------------------------
def test_admin_changelists_query_counts(
    client, accueil_agent, insured, neighbour, place, django_assert_max_num_queries
):
    other = make_place(place.caisse, name="Accueil Bis")
    for days in range(1, 6):
        for where in (place, other):
            make_slot(where, days=days, hour=9)
    services.book(insured, slot_id=make_slot(place, days=8).pk, reason=Reason.AUTRE)
    services.book(neighbour, slot_id=make_slot(other, days=8).pk, reason=Reason.DROITS)
    client.force_login(accueil_agent)
    client.get(admin_url(Place))
    for model in (Place, Slot, Appointment):
        with django_assert_max_num_queries(12):
            assert client.get(admin_url(model)).status_code == 200


def test_h1_a_slot_with_bookings_is_not_deleted(client, accueil_agent, bookings, place):
    mine, _ = bookings
    empty = make_slot(place, days=9)
    client.force_login(accueil_agent)
    assert client.get(admin_url(Slot, "delete", mine.slot_id)).status_code == 403
    assert client.post(admin_url(Slot, "delete", empty.pk), {"post": "yes"}).status_code == 302
    assert not Slot.objects.filter(pk=empty.pk).exists()
    assert Slot.objects.filter(pk=mine.slot_id).exists()
