"""FEATURES X2 « Historique des accès à mon dossier » and X3 « Mes appareils et sessions »."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import DEMO_PASSWORD, AgentFactory, InsuredUserFactory
from accounts.models import LoginEvent
from accounts.security.clients import describe_client, mask_ip
from assures.audit import log_access
from assures.enums import AccessAction
from messagerie.models import OutboundMessage

from .helpers import UA_FIREFOX_WINDOWS, log_in

pytestmark = pytest.mark.django_db

HISTORY = reverse("security:history")
DEVICES = reverse("security:devices")
UA_CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
UA_SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
UA_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


@pytest.fixture
def insured():
    return InsuredUserFactory()


@pytest.fixture
def agent():
    agent = AgentFactory(first_name="Paul", last_name="Agentsecret")
    agent.groups.add(Group.objects.create(name="Accueil"))
    return agent


# --- clients ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (UA_FIREFOX_WINDOWS, "Firefox sur Windows"),
        (UA_CHROME_ANDROID, "Chrome sur Android"),
        (UA_SAFARI_IPHONE, "Safari sur iOS"),
        (UA_EDGE, "Microsoft Edge sur Windows"),
        ("curl/8.5.0", "Navigateur inconnu"),
        ("", "Navigateur inconnu"),
    ],
)
def test_browser_and_system_from_the_user_agent(user_agent, expected):
    assert describe_client(user_agent) == expected


@pytest.mark.parametrize(
    ("ip", "masked"),
    [
        ("192.168.1.27", "192.168.1.x"),
        ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:x:x:x:x:x"),
        ("::ffff:10.1.2.3", "10.1.2.x"),
        (None, "adresse inconnue"),
        ("pas-une-ip", "adresse inconnue"),
    ],
)
def test_ip_addresses_are_masked(ip, masked):
    assert mask_ip(ip) == masked


# --- X2 ---------------------------------------------------------------------------------------
def test_history_shows_my_logins_with_browser_and_masked_ip(client, insured):
    LoginEvent.objects.create(
        user=insured,
        at=timezone.make_aware(datetime.datetime(2026, 1, 6, 16, 17)),
        ip_address="192.168.1.27",
        user_agent=UA_FIREFOX_WINDOWS,
    )
    client.force_login(insured)
    html = client.get(HISTORY).content.decode()
    assert "Historique des accès à mon dossier" in html
    assert "06/01/2026 à 16:17" in html
    assert "Firefox sur Windows" in html
    assert "192.168.1.x" in html and "192.168.1.27" not in html


def test_history_shows_agent_accesses_with_caisse_and_service_never_the_agent(
    client, insured, agent
):
    log_access(agent, insured.person, AccessAction.VIEW, object_type="coordonnées bancaires")
    log_access(agent, insured.person, AccessAction.CHANGE, object_type="adresse postale")
    client.force_login(insured)
    response = client.get(HISTORY)
    html = response.content.decode()
    assert agent.caisse.name in html and "Accueil" in html
    assert "Consultation" in html and "Coordonnées bancaires" in html
    assert "Modification" in html and "Adresse postale" in html
    assert "Agentsecret" not in html and agent.username not in html and "Paul" not in html


def test_history_never_shows_another_persons_file(client, insured, agent):
    someone = InsuredUserFactory()
    log_access(agent, someone.person, AccessAction.VIEW, object_type="dossier de quelqu'un")
    LoginEvent.objects.create(user=someone, ip_address="10.9.8.7", user_agent=UA_EDGE)
    client.force_login(insured)
    response = client.get(HISTORY)
    html = response.content.decode()
    assert "quelqu" not in html and "10.9.8.x" not in html and "Microsoft Edge" not in html
    assert list(response.context["accesses"]) == []


def test_history_is_paginated_with_bounded_queries(
    client, insured, agent, django_assert_max_num_queries
):
    for n in range(25):
        log_access(agent, insured.person, AccessAction.VIEW, object_type=f"objet {n}")
    for n in range(24):
        LoginEvent.objects.create(user=insured, ip_address=f"10.0.0.{n}")
    client.force_login(insured)  # the 25th login
    with django_assert_max_num_queries(10):
        first = client.get(HISTORY)
    assert len(first.context["logins"]) == 10 and len(first.context["accesses"]) == 10
    assert "Page 1 sur 3" in first.content.decode()
    with django_assert_max_num_queries(10):
        last = client.get(HISTORY, {"connexions": 3, "consultations": 2})
    assert len(last.context["logins"]) == 5
    assert last.context["accesses"].number == 2
    assert client.get(HISTORY, {"connexions": "abc"}).status_code == 200


def test_agents_are_sent_to_the_admin(client, agent):
    client.force_login(agent)
    assert client.get(HISTORY).url == reverse("admin:index")


# --- X3 ---------------------------------------------------------------------------------------
def login_elsewhere(user, **headers):
    other = Client(**headers)
    log_in(other, user)
    assert "_auth_user_id" in other.session
    return other


def test_devices_lists_my_open_sessions(client, insured):
    log_in(client, insured, HTTP_USER_AGENT=UA_FIREFOX_WINDOWS)
    login_elsewhere(insured, HTTP_USER_AGENT=UA_CHROME_ANDROID, REMOTE_ADDR="203.0.113.8")
    response = client.get(DEVICES)
    sessions = response.context["sessions"]
    assert [s.client for s in sessions] == ["Firefox sur Windows", "Chrome sur Android"]
    assert sessions[0].is_current and not sessions[1].is_current
    html = response.content.decode()
    assert "Cet appareil" in html and "203.0.113.x" in html and "203.0.113.8" not in html


def test_logged_out_or_expired_sessions_are_not_listed(client, insured):
    log_in(client, insured)
    gone = login_elsewhere(insured)
    gone.post(reverse("account_logout"))
    login_elsewhere(insured)
    latest = UserSession.objects.order_by("-pk").first()
    Session.objects.filter(session_key=latest.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    sessions = client.get(DEVICES).context["sessions"]
    assert len(sessions) == 1 and sessions[0].is_current
    assert UserSession.objects.filter(user=insured).count() == 1  # stale rows cleaned up


def test_end_another_session_logs_that_device_out(client, insured):
    log_in(client, insured)
    other = login_elsewhere(insured)
    assert other.get(reverse("portal:home")).status_code == 200
    target = next(s for s in client.get(DEVICES).context["sessions"] if not s.is_current)
    response = client.post(reverse("security:end_session", args=[target.pk]), follow=True)
    assert "La session a été fermée" in response.content.decode()
    assert other.get(reverse("portal:home")).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_someone_elses_session_is_a_404_and_stays_open(client, insured):
    someone = InsuredUserFactory()
    theirs = login_elsewhere(someone)
    row = UserSession.objects.get(user=someone)
    client.force_login(insured)
    response = client.post(reverse("security:end_session", args=[row.pk]))
    assert response.status_code == 404
    assert theirs.get(reverse("portal:home")).status_code == 200
    assert client.post(reverse("security:end_session", args=[999999])).status_code == 404


def test_the_current_session_is_not_ended_from_the_list(client, insured):
    log_in(client, insured)
    current = client.get(DEVICES).context["sessions"][0]
    response = client.post(reverse("security:end_session", args=[current.pk]), follow=True)
    assert "utilisez « Déconnexion »" in response.content.decode()
    assert client.get(reverse("portal:home")).status_code == 200


def test_ending_a_session_needs_a_post(client, insured):
    log_in(client, insured)
    other = login_elsewhere(insured)
    target = next(s for s in client.get(DEVICES).context["sessions"] if not s.is_current)
    assert client.get(reverse("security:end_session", args=[target.pk])).status_code == 405
    assert other.get(reverse("portal:home")).status_code == 200


def test_end_all_other_sessions(client, insured):
    log_in(client, insured)
    others = [login_elsewhere(insured) for _ in range(2)]
    client.post(reverse("security:end_other_sessions"))
    assert all(o.get(reverse("portal:home")).status_code == 302 for o in others)
    assert len(client.get(DEVICES).context["sessions"]) == 1


def test_devices_page_bounded_queries(client, insured, django_assert_max_num_queries):
    log_in(client, insured)
    for _ in range(4):
        login_elsewhere(insured)
    with django_assert_max_num_queries(10):
        response = client.get(DEVICES)
    assert len(response.context["sessions"]) == 5


def test_devices_lists_my_passkeys_only(client, insured):
    Authenticator.objects.create(
        user=insured, type=Authenticator.Type.WEBAUTHN, data={"name": "Téléphone de Camille"}
    )
    Authenticator.objects.create(
        user=InsuredUserFactory(), type=Authenticator.Type.WEBAUTHN, data={"name": "Pas à moi"}
    )
    client.force_login(insured)
    html = client.get(DEVICES).content.decode()
    assert "Téléphone de Camille" in html and "Pas à moi" not in html


def test_removing_a_passkey_needs_reauthentication_then_sends_a_notice(client, insured):
    key = Authenticator.objects.create(
        user=insured, type=Authenticator.Type.WEBAUTHN, data={"name": "Téléphone de Camille"}
    )
    client.force_login(insured)
    remove = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})
    response = client.post(f"{remove}?next={DEVICES}")
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(pk=key.pk).exists()
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    page = client.get(remove)
    assert "Supprimer la clé d'accès « Téléphone de Camille »" in page.content.decode()
    response = client.post(f"{remove}?next={DEVICES}")
    assert response.url == DEVICES
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    (notice,) = OutboundMessage.objects.filter(template="security_passkey")
    assert "a été supprimée" in notice.body_text and "Téléphone de Camille" in notice.body_text


def test_someone_elses_passkey_cannot_be_removed(client, insured):
    theirs = Authenticator.objects.create(
        user=InsuredUserFactory(), type=Authenticator.Type.WEBAUTHN, data={"name": "Pas à moi"}
    )
    client.force_login(insured)
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404
    assert Authenticator.objects.filter(pk=theirs.pk).exists()
