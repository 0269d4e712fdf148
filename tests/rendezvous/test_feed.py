"""FEATURES X5: the personal calendar subscription of « Mes rendez-vous » — an unguessable
token shown once, a feed of the upcoming appointments only (no reason), revocable (then 404)."""

import re

import pytest
from django.urls import reverse

from rendezvous import services
from rendezvous.enums import Reason
from rendezvous.models import CalendarFeed

from .conftest import make_slot
from .test_ics import assert_rfc5545_lines, unfold

pytestmark = pytest.mark.django_db

LIST = reverse("rendezvous:list")
SUBSCRIPTION = reverse("rendezvous:subscription")


def subscribe(client, user):
    client.force_login(user)
    response = client.post(SUBSCRIPTION, {"action": "creer"})
    assert response.status_code == 302
    page = client.get(LIST).content.decode()
    match = re.search(r'value="(http://testserver/rendez-vous/agenda/[^"]+\.ics)"', page)
    assert match, "the subscription URL is shown after its creation"
    return match.group(1).removeprefix("http://testserver")


def test_x5_subscription_url_is_shown_once(client, insured):
    path = subscribe(client, insured)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    again = client.get(LIST).content.decode()
    assert token not in again
    assert "Un lien d'abonnement est actif depuis" in again
    assert token not in CalendarFeed.objects.get().token_hash


def test_x5_feed_lists_upcoming_appointments_without_login(client, insured, neighbour, place):
    upcoming, _ = services.book(
        insured, slot_id=make_slot(place, days=2).pk, reason=Reason.INVALIDITE
    )
    cancelled, _ = services.book(insured, slot_id=make_slot(place, days=4).pk, reason=Reason.AUTRE)
    services.cancel(cancelled, by=insured)
    someone_else, _ = services.book(
        neighbour, slot_id=make_slot(place, days=3).pk, reason=Reason.AUTRE
    )
    path = subscribe(client, insured)
    client.logout()
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    text = response.content.decode()
    assert_rfc5545_lines(text)
    flat = unfold(text)
    assert flat.count("BEGIN:VEVENT") == 1
    assert f"UID:{upcoming.public_id}@" in flat
    assert str(cancelled.public_id) not in flat
    assert str(someone_else.public_id) not in flat
    assert "NAME:Mes rendez-vous — Assurance Maladie" in flat
    assert "invalidité" not in flat.lower()  # no reason in a feed polled by third parties
    assert CalendarFeed.objects.get().last_used_at is not None


def test_x5_revoked_feed_is_a_404(client, insured):
    path = subscribe(client, insured)
    assert client.get(path).status_code == 200
    response = client.post(SUBSCRIPTION, {"action": "supprimer"})
    assert response.status_code == 302
    assert client.get(path).status_code == 404
    assert "Créer mon lien d'abonnement" in client.get(LIST).content.decode()


def test_x5_replaced_feed_kills_the_old_url(client, insured):
    old = subscribe(client, insured)
    new = subscribe(client, insured)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_x5_unknown_token_is_a_404(client, insured):
    subscribe(client, insured)
    assert client.get(reverse("rendezvous:feed", args=["A" * 43])).status_code == 404


def test_x5_subscription_needs_a_login_and_a_known_action(client, insured):
    assert client.post(SUBSCRIPTION, {"action": "creer"}).status_code == 302
    assert not CalendarFeed.objects.exists()
    client.force_login(insured)
    assert client.post(SUBSCRIPTION, {"action": "pirater"}).status_code == 404
    assert client.get(SUBSCRIPTION).status_code == 405


def test_x5_feed_query_count(client, insured, place, django_assert_max_num_queries):
    for days in (2, 3, 4):
        services.book(
            insured,
            slot_id=make_slot(place, days=days).pk,
            reason=Reason([Reason.AUTRE, Reason.DROITS, Reason.C2S][days - 2]),
        )
    path = subscribe(client, insured)
    client.logout()
    with django_assert_max_num_queries(3):
        assert client.get(path).status_code == 200
