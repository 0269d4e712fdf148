"""Fixed per-request costs (issue « performance »): the user comes with its person and caisse,
and the session is re-saved at most once a minute while the idle timeout still holds."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from accounts.backends import ModelBackend
from accounts.factories import InsuredUserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)


def test_get_user_loads_person_and_caisse_in_one_query(django_assert_num_queries):
    user = InsuredUserFactory()
    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(user.pk)
        assert loaded.person.caisse.pk == user.person.caisse.pk


def test_the_portal_backend_comes_first():
    assert settings.AUTHENTICATION_BACKENDS[0] == "accounts.backends.ModelBackend"
    assert "allauth.account.auth_backends.AuthenticationBackend" in settings.AUTHENTICATION_BACKENDS


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_session_is_saved_at_most_once_a_minute_and_idle_timeout_holds(client):
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    home = reverse("portal:home")
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(InsuredUserFactory())
        assert client.get(home).status_code == 200
        first = _expiry(client)
        clock.shift(30)
        assert client.get(home).status_code == 200
        assert _expiry(client) == first  # fresh: not written again
        clock.shift(31)
        assert client.get(home).status_code == 200
        refreshed = _expiry(client)
        assert refreshed == timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        clock.shift(settings.SESSION_COOKIE_AGE + 1)
        # Redis expires its copy on its own clock, which time_machine does not move.
        store = SessionStore(client.session.session_key)
        caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key)
        response = client.get(home)
        assert response.status_code == 302  # idle for longer than the timeout: logged out
        assert response.url.startswith(reverse("account_login"))
