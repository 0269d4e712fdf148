"""FEATURES F3 pages: « Prendre un rendez-vous », « Mes rendez-vous », detail and cancellation.

Anonymous visitors go to « Me connecter », agents to the admin; someone else's appointment is
a 404; a double submission books once; a full slot is refused with a French message next to
the field and nothing saved; every page answers in a bounded number of SQL queries.
"""

import datetime
import html
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgentFactory
from messagerie.models import OutboundMessage
from rendezvous import rules, services
from rendezvous.enums import Mode, Reason, Status
from rendezvous.models import Appointment

from .conftest import make_slot

pytestmark = pytest.mark.django_db

LIST = reverse("rendezvous:list")
CHOOSE = reverse("rendezvous:choose")
SLOTS = reverse("rendezvous:slots")


def slots_url(place, mode=Mode.PHYSIQUE, reason=Reason.REMBOURSEMENTS, **extra):
    query = "&".join(
        f"{k}={v}" for k, v in {"motif": reason, "mode": mode, "lieu": place.pk, **extra}.items()
    )
    return f"{SLOTS}?{query}"


def text_of(response):
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def sent(user=None, **filters):
    """Outbox rows of the rendez-vous (a login also sends its security e-mail, A5)."""
    rows = OutboundMessage.objects.filter(template__startswith="rendezvous_", **filters)
    return rows.filter(user=user) if user else rows


def booked(user, slot, reason=Reason.REMBOURSEMENTS):
    return services.book(user, slot_id=slot.pk, reason=reason)[0]


def object_urls(appointment):
    return {
        "detail": reverse("rendezvous:detail", args=[appointment.public_id]),
        "cancel": reverse("rendezvous:cancel", args=[appointment.public_id]),
        "ics": reverse("rendezvous:ics", args=[appointment.public_id]),
    }


# --- who may see what --------------------------------------------------------------------------
def test_f3_anonymous_goes_to_login(client, insured, slot, place):
    urls = [LIST, CHOOSE, slots_url(place), *object_urls(booked(insured, slot)).values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_f3_agents_go_to_the_admin(client, insured, slot, place):
    client.force_login(AgentFactory())
    urls = [LIST, CHOOSE, slots_url(place), *object_urls(booked(insured, slot)).values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("admin:index"), url


def test_f3_someone_else_s_appointment_is_a_404(client, insured, neighbour, slot):
    appointment = booked(insured, slot)
    client.force_login(neighbour)
    for name, url in object_urls(appointment).items():
        assert client.get(url).status_code == 404, name
    assert client.post(object_urls(appointment)["cancel"]).status_code == 404
    appointment.refresh_from_db()
    assert appointment.is_booked
    assert client.get(reverse("rendezvous:detail", args=[uuid.uuid4()])).status_code == 404


# --- « Prendre un rendez-vous » ----------------------------------------------------------------
def test_f3_step_one_offers_the_accueils_of_my_caisse_only(client, insured, place, other_place):
    client.force_login(insured)
    response = client.get(CHOOSE)
    assert response.status_code == 200
    page = text_of(response)
    assert "Prendre un rendez-vous" in page
    assert "Accueil du Centre — 10 rue de la Paix, 75002 Paris" in page
    assert "Accueil Lointain" not in page
    for label in ("Motif du rendez-vous", "Type de rendez-vous", "Rendez-vous téléphonique"):
        assert label in page


def test_f3_step_one_errors_next_to_the_fields(client, insured, place, other_place):
    client.force_login(insured)
    response = client.get(SLOTS, {"mode": "physique", "lieu": other_place.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["motif"] == ["Choisissez le motif de votre rendez-vous."]
    assert form.errors["lieu"] == ["Choisissez l'un des accueils proposés."]
    page = response.content.decode()
    assert 'id="id_motif_error"' in page
    assert "Accueil Lointain" not in page


def test_f3_step_one_refuses_a_second_appointment_for_the_same_reason(client, insured, place):
    first = booked(insured, make_slot(place, days=2), Reason.C2S)
    client.force_login(insured)
    response = client.get(slots_url(place, reason=Reason.C2S))
    error = response.context["form"].errors["motif"][0]
    assert error == rules.reason_conflict([first], Reason.C2S)
    assert "Annulez-le dans « Mes rendez-vous »" in text_of(response)


def test_f3_step_two_shows_free_slots_of_the_place_and_mode(client, insured, place, other_place):
    free = make_slot(place, days=2, hour=9)
    full = make_slot(place, days=2, hour=10)
    full.booked_count = 1
    full.save()
    closed = make_slot(place, days=2, hour=11, is_open=False)
    phone = make_slot(place, days=2, hour=12, mode=Mode.TELEPHONIQUE)
    today = make_slot(place, days=0, hour=23)
    elsewhere = make_slot(other_place, days=2, hour=9)
    client.force_login(insured)
    response = client.get(slots_url(place))
    assert response.status_code == 200
    listed = [s for day in response.context["days"] for s in day["slots"]]
    assert listed == [free]
    page = response.content.decode()
    for hidden in (full, closed, phone, today, elsewhere):
        assert f'value="{hidden.pk}"' not in page
    assert "9 h 00" in page
    assert 'name="telephone"' not in page  # physique: no number asked


def test_f3_step_two_week_navigation(client, insured, place):
    soon = make_slot(place, days=1)
    later = make_slot(place, days=22)
    client.force_login(insured)
    response = client.get(slots_url(place))
    listed = [s for day in response.context["days"] for s in day["slots"]]
    assert listed == [soon]
    assert response.context["previous_url"] is None
    assert "semaine=" in response.context["next_url"]
    later_day = timezone.localtime(later.starts_at).date()
    monday = later_day - datetime.timedelta(days=later_day.weekday())
    far = client.get(slots_url(place, semaine=monday.isoformat()))
    assert [s for day in far.context["days"] for s in day["slots"]] == [later]
    assert far.context["previous_url"]


def test_f3_booking_journey(client, insured, slot, place):
    client.force_login(insured)
    page = client.get(slots_url(place))
    token = page.context["form"]["jeton"].value()
    response = client.post(
        slots_url(place), {"creneau": slot.pk, "jeton": token, "precisions": "Décompte de mars"}
    )
    appointment = Appointment.objects.get(person=insured.person)
    assert response.status_code == 302
    assert response.url == reverse("rendezvous:detail", args=[appointment.public_id])
    assert appointment.reason == Reason.REMBOURSEMENTS
    assert appointment.details == "Décompte de mars"
    detail = client.get(response.url)
    page = text_of(detail)
    assert (
        "Votre rendez-vous est confirmé. Une confirmation vous est envoyée par e-mail et par SMS."
        in page
    )
    assert appointment.reference in page
    assert "Ajouter à mon agenda (.ics)" in page
    assert "Annuler ce rendez-vous" in page
    assert sent(insured).count() == 2


def test_f3_double_post_books_once(client, insured, slot, place):
    client.force_login(insured)
    data = {"creneau": slot.pk, "jeton": str(uuid.uuid4())}
    first = client.post(slots_url(place), data)
    second = client.post(slots_url(place), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Appointment.objects.count() == 1
    slot.refresh_from_db()
    assert slot.booked_count == 1
    assert sent(insured, channel="email").count() == 1


def test_f3_full_slot_refused_next_to_the_field_nothing_saved(
    client, insured, neighbour, slot, place
):
    booked(neighbour, slot)
    messages_before = sent().count()
    client.force_login(insured)
    response = client.post(slots_url(place), {"creneau": slot.pk, "jeton": str(uuid.uuid4())})
    assert response.status_code == 200
    assert response.context["form"].errors["creneau"] == [rules.SLOT_FULL]
    page = response.content.decode()
    error = re.search(r'<div class="field__errors" id="creneau-error">(.*?)</div>', page, re.S)
    assert error and "vient d&#x27;être réservé" in error.group(1)
    assert 'aria-describedby="creneau-error"' in page
    assert not Appointment.objects.filter(person=insured.person).exists()
    assert sent().count() == messages_before
    slot.refresh_from_db()
    assert slot.booked_count == 1


def test_f3_no_slot_chosen(client, insured, slot, place):
    client.force_login(insured)
    response = client.post(slots_url(place), {"jeton": str(uuid.uuid4())})
    assert response.context["form"].errors["creneau"] == ["Choisissez un créneau."]
    assert not Appointment.objects.exists()


def test_f3_phone_appointment_asks_for_a_valid_number(client, insured, place):
    phone_slot = make_slot(place, mode=Mode.TELEPHONIQUE)
    client.force_login(insured)
    url = slots_url(place, mode=Mode.TELEPHONIQUE)
    page = client.get(url)
    assert page.context["form"]["telephone"].value() == insured.mobile_phone  # prefilled
    data = {"creneau": phone_slot.pk, "jeton": str(uuid.uuid4()), "telephone": "12"}
    response = client.post(url, data)
    assert (
        "Ce numéro de téléphone n'est pas valide" in response.context["form"].errors["telephone"][0]
    )
    assert not Appointment.objects.exists()
    response = client.post(url, {**data, "telephone": "01 23 45 67 89"})
    assert response.status_code == 302
    assert Appointment.objects.get().phone == "+33123456789"
    assert "01 23 45 67 89" in text_of(client.get(response.url))


def test_f3_slot_of_another_caisse_by_post(client, insured, place, other_place):
    foreign = make_slot(other_place)
    client.force_login(insured)
    response = client.post(slots_url(place), {"creneau": foreign.pk, "jeton": str(uuid.uuid4())})
    assert response.context["form"].errors["creneau"] == ["Choisissez l'un des créneaux proposés."]
    foreign.refresh_from_db()
    assert foreign.booked_count == 0


# --- « Mes rendez-vous », detail, cancellation -------------------------------------------------
def test_f3_mes_rendez_vous_lists_upcoming_past_and_cancelled(client, insured, place):
    upcoming = booked(insured, make_slot(place, days=2), Reason.DROITS)
    cancelled = booked(insured, make_slot(place, days=3), Reason.AUTRE)
    services.cancel(cancelled, by=insured)
    past = booked(insured, make_slot(place, days=4), Reason.C2S)
    Appointment.objects.filter(pk=past.pk).update(slot=make_slot(place, days=-3))
    client.force_login(insured)
    response = client.get(LIST)
    assert response.context["upcoming"] == [upcoming]
    assert set(response.context["past"]) == {cancelled, past}
    page = text_of(response)
    assert "Mes rendez-vous" in page and "À venir" in page and "Passés et annulés" in page
    assert "Annulé par l'assuré" in page
    assert page.count(reverse("rendezvous:cancel", args=[upcoming.public_id])) == 1
    assert reverse("rendezvous:cancel", args=[past.public_id]) not in page


def test_f3_cancel_confirm_then_post(client, insured, slot):
    appointment = booked(insured, slot)
    urls = object_urls(appointment)
    client.force_login(insured)
    confirm = client.get(urls["cancel"])
    assert confirm.status_code == 200
    assert "Oui, annuler le rendez-vous" in text_of(confirm)
    appointment.refresh_from_db()
    assert appointment.is_booked  # a GET changes nothing
    response = client.post(urls["cancel"])
    assert response.status_code == 302 and response.url == LIST
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    page = text_of(client.get(LIST))
    assert f"Votre rendez-vous {rules.describe_when(slot.starts_at)} est annulé." in page
    again = client.post(urls["cancel"])
    assert again.status_code == 302
    assert "était déjà annulé" in text_of(client.get(LIST))
    assert sent(insured, template="rendezvous_annulation").count() == 2  # e-mail + SMS, once
    assert "Annuler ce rendez-vous" not in text_of(client.get(urls["detail"]))


def test_f3_cancel_after_the_start_is_refused(client, insured, slot):
    appointment = booked(insured, slot)
    Appointment.objects.filter(pk=appointment.pk).update(slot=make_slot(slot.place, days=-1))
    client.force_login(insured)
    urls = object_urls(appointment)
    for response in (client.get(urls["cancel"]), client.post(urls["cancel"])):
        assert response.status_code == 302 and response.url == urls["detail"]
    appointment.refresh_from_db()
    assert appointment.is_booked
    assert rules.CANCEL_TOO_LATE in text_of(client.get(urls["detail"]))


# --- bounded SQL queries per page --------------------------------------------------------------
def test_f3_query_counts(client, insured, place, django_assert_max_num_queries):
    for days in range(1, 8):
        for hour in (9, 10, 11):
            make_slot(place, days=days, hour=hour)
    appointments = [
        booked(insured, make_slot(place, days=10 + i, hour=14), reason)
        for i, reason in enumerate([Reason.DROITS, Reason.AUTRE, Reason.C2S])
    ]
    services.cancel(appointments[1], by=insured)
    client.force_login(insured)
    client.get(LIST)  # the session is warm
    urls = [LIST, CHOOSE, slots_url(place), *object_urls(appointments[0]).values()]
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200, url


def test_f3_changing_the_choices_keeps_them(client, insured, place):
    client.force_login(insured)
    slots_page = client.get(slots_url(place, mode=Mode.TELEPHONIQUE, reason=Reason.C2S))
    back = client.get(slots_page.context["change_url"])
    page = back.content.decode()
    for name, value in (("motif", "c2s"), ("mode", "telephonique"), ("lieu", place.pk)):
        assert re.search(rf'name="{name}" value="{value}"[^>]*checked', page), name
