"""Agents' second factor at /agents/: an authenticator app (TOTP), ARCHITECTURE decisions 1, 9.

The clock is frozen 10 s into a 30-second TOTP period (`clock`), so a code computed by the test
is the one the server expects, and `clock.shift()` moves to later periods.
"""

import time

import pytest
import time_machine
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.urls import NoReverseMatch, reverse

from accounts.factories import AGENT_DEMO_PASSWORD, InsuredUserFactory
from accounts.models import LoginEvent
from assures import agent_mfa
from assures.admin_login import PENDING_SESSION_KEY, PENDING_TIMEOUT
from assures.models import Person

from .conftest import admin_url
from .totp import SECRET, activate_totp, code_for, secret_of

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE = reverse("admin:login_code")
TOTP_PAGE = reverse("admin:agent_totp")
DEACTIVATE = reverse("admin:agent_totp_deactivate")
INDEX = reverse("admin:index")
LABEL = "Code de l&#x27;application d&#x27;authentification"


@pytest.fixture
def clock():
    start = (int(time.time()) // 30) * 30 + 10
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def agent(paris_instruction_agent):
    """An agent who may open the insured's records (the « Instruction » role)."""
    return paris_instruction_agent


@pytest.fixture
def agent_with_totp(agent):
    activate_totp(agent)
    return agent


def password_step(client, user, password=AGENT_DEMO_PASSWORD, next_url=INDEX):
    return client.post(LOGIN, {"username": user.username, "password": password, "next": next_url})


def code_step(client, code):
    return client.post(CODE, {"code": code})


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def page(response):
    return response.content.decode()


# --- login without an authenticator app: unchanged ------------------------------------------------
def test_agent_without_totp_logs_in_with_the_password_as_before(client, agent):
    response = password_step(client, agent)
    assert response.status_code == 302
    assert response.url == INDEX
    assert logged_in_user_id(client) == str(agent.pk)
    assert PENDING_SESSION_KEY not in client.session
    assert client.get(INDEX).status_code == 200
    assert LoginEvent.objects.filter(user=agent).count() == 1


# --- two-step login ---------------------------------------------------------------------------
def test_right_password_opens_no_session_before_the_code(client, agent_with_totp, clock):
    response = password_step(client, agent_with_totp)
    assert response.status_code == 302
    assert response.url == CODE
    assert logged_in_user_id(client) is None
    assert client.session[PENDING_SESSION_KEY]["user"] == agent_with_totp.pk
    # The admin itself still sends to the login page.
    assert client.get(INDEX).url.startswith(LOGIN)
    form = client.get(CODE)
    assert form.status_code == 200
    assert LABEL in page(form)
    assert 'autocomplete="one-time-code"' in page(form)
    assert LoginEvent.objects.filter(user=agent_with_totp).count() == 0


def test_right_code_logs_the_agent_in(client, agent_with_totp, clock):
    password_step(client, agent_with_totp, next_url=admin_url(Person))
    response = code_step(client, code_for(SECRET))
    assert response.status_code == 302
    assert response.url == admin_url(Person)
    assert logged_in_user_id(client) == str(agent_with_totp.pk)
    assert PENDING_SESSION_KEY not in client.session
    assert client.get(INDEX).status_code == 200
    authenticator = Authenticator.objects.get(user=agent_with_totp)
    assert authenticator.last_used_at is not None
    assert LoginEvent.objects.filter(user=agent_with_totp).count() == 1


def test_wrong_code_is_refused_with_a_message_next_to_the_field(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    wrong = f"{(int(code_for(SECRET)) + 1) % 1_000_000:06d}"
    response = code_step(client, wrong)
    assert response.status_code == 200
    html = page(response)
    assert '<ul class="errorlist" id="id_code_error"><li>Ce code est incorrect.' in html
    assert 'aria-describedby="id_code_helptext id_code_error"' in html
    assert 'aria-invalid="true"' in html
    assert logged_in_user_id(client) is None
    # The pending login is still there: the right code then works.
    assert code_step(client, code_for(SECRET)).status_code == 302
    assert logged_in_user_id(client) == str(agent_with_totp.pk)


def test_a_code_that_is_not_six_digits_is_refused(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    response = code_step(client, "12a456")
    assert "Saisissez les 6 chiffres du code" in page(response)
    assert logged_in_user_id(client) is None


def test_spaces_in_the_code_are_accepted(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    code = code_for(SECRET)
    code_step(client, f"{code[:3]} {code[3:]}")
    assert logged_in_user_id(client) == str(agent_with_totp.pk)


def test_wrong_codes_are_throttled_like_passwords(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    right = code_for(SECRET)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert "Trop de tentatives" not in page(code_step(client, wrong))
    response = code_step(client, right)  # the limit is reached: even the right code
    assert "Trop de tentatives de connexion" in page(response)
    assert logged_in_user_id(client) is None
    # Same budget as the password: the password step is refused too.
    again = password_step(client, agent_with_totp)
    assert again.status_code == 200
    assert "Trop de tentatives de connexion" in page(again)


def test_a_used_code_cannot_be_replayed(client, agent_with_totp, clock):
    code = code_for(SECRET)
    password_step(client, agent_with_totp)
    code_step(client, code)
    assert logged_in_user_id(client) == str(agent_with_totp.pk)
    client.post(reverse("admin:logout"))
    assert logged_in_user_id(client) is None

    password_step(client, agent_with_totp)
    response = code_step(client, code)  # same period, same code
    assert "Ce code a déjà été utilisé" in page(response)
    assert logged_in_user_id(client) is None
    clock.shift(30)  # the app shows the next code
    code_step(client, code_for(SECRET))
    assert logged_in_user_id(client) == str(agent_with_totp.pk)


def test_the_code_of_another_period_is_refused(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    response = code_step(client, code_for(SECRET, time.time() - 60))
    assert "Ce code est incorrect" in page(response)
    assert logged_in_user_id(client) is None


def test_the_pending_step_expires(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    clock.shift(PENDING_TIMEOUT + 1)
    response = code_step(client, code_for(SECRET))
    assert response.status_code == 302
    assert response.url == LOGIN
    assert logged_in_user_id(client) is None
    assert PENDING_SESSION_KEY not in client.session
    assert "Le délai pour saisir le code" in page(client.get(LOGIN))
    # The code page is gone too.
    assert client.get(CODE).url == LOGIN


def test_the_pending_step_is_still_valid_just_before_expiry(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    clock.shift(PENDING_TIMEOUT - 5)
    code_step(client, code_for(SECRET))
    assert logged_in_user_id(client) == str(agent_with_totp.pk)


def test_code_page_without_a_password_step_sends_to_the_login(client, agent_with_totp, clock):
    assert client.get(CODE).url == LOGIN
    response = code_step(client, code_for(SECRET))
    assert response.url == LOGIN
    assert logged_in_user_id(client) is None


def test_cancelling_forgets_the_pending_login(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    client.get(LOGIN)  # « Annuler et revenir à l'identifiant et au mot de passe »
    assert PENDING_SESSION_KEY not in client.session
    assert code_step(client, code_for(SECRET)).url == LOGIN
    assert logged_in_user_id(client) is None


def test_a_password_change_voids_the_pending_login(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    agent_with_totp.set_password("Autre-Mot-2026")
    agent_with_totp.save()
    assert code_step(client, code_for(SECRET)).url == LOGIN
    assert logged_in_user_id(client) is None


def test_wrong_password_never_reaches_the_code_step(client, agent_with_totp, clock):
    response = password_step(client, agent_with_totp, password="Mauvais-1")
    assert response.status_code == 200
    assert PENDING_SESSION_KEY not in client.session
    assert client.get(CODE).url == LOGIN


def test_an_unsafe_next_url_is_ignored(client, agent_with_totp, clock):
    password_step(client, agent_with_totp, next_url="https://evil.example/")
    assert code_step(client, code_for(SECRET)).url == INDEX


# --- enrolment and deactivation ---------------------------------------------------------------
def test_enrolment_page_shows_a_qr_code_and_the_secret(client, agent, rf):
    client.force_login(agent)
    response = client.get(TOTP_PAGE)
    assert response.status_code == 200
    html = page(response)
    secret = client.session[agent_mfa.ENROLL_SECRET_SESSION_KEY]
    assert agent_mfa.grouped_secret(secret) in html
    assert '<svg width="' in html and 'class="agent-totp-qr"' in html
    assert "<img" not in html.split('id="content-main"')[1]  # nothing fetched for the QR code
    assert agent.email in html  # the account name the app shows
    assert LABEL in html
    with context.request_context(rf.get("/")):
        url = agent_mfa.otpauth_url(agent, secret)
    assert url.startswith(f"otpauth://totp/{agent.email.replace('@', '%40')}?secret={secret}")
    # Reloading keeps the secret (a QR code already scanned stays good).
    client.get(TOTP_PAGE)
    assert client.session[agent_mfa.ENROLL_SECRET_SESSION_KEY] == secret


def test_enrolment_is_confirmed_by_a_first_code(client, agent, clock):
    client.force_login(agent)
    client.get(TOTP_PAGE)
    secret = client.session[agent_mfa.ENROLL_SECRET_SESSION_KEY]

    wrong = client.post(TOTP_PAGE, {"code": code_for(SECRET)})
    assert wrong.status_code == 200
    assert "Ce code ne correspond pas" in page(wrong)
    assert not Authenticator.objects.filter(user=agent).exists()

    response = client.post(TOTP_PAGE, {"code": code_for(secret)})
    assert response.status_code == 302
    assert response.url == TOTP_PAGE
    authenticator = Authenticator.objects.get(user=agent, type=Authenticator.Type.TOTP)
    assert secret_of(authenticator) == secret
    assert agent_mfa.ENROLL_SECRET_SESSION_KEY not in client.session
    assert client.session[agent_mfa.VERIFIED_SESSION_KEY] == authenticator.pk
    entry = LogEntry.objects.get(object_id=str(agent.pk))
    assert entry.user == agent
    assert entry.change_message == agent_mfa.ACTIVATED_LOG
    status = page(client.get(TOTP_PAGE))
    assert "est <strong>activée</strong>" in status
    assert "L&#x27;application d&#x27;authentification est activée" in status  # the message


def test_the_enrolment_code_cannot_open_a_session(client, agent, clock):
    client.force_login(agent)
    client.get(TOTP_PAGE)
    secret = client.session[agent_mfa.ENROLL_SECRET_SESSION_KEY]
    code = code_for(secret)
    client.post(TOTP_PAGE, {"code": code})
    client.post(reverse("admin:logout"))
    password_step(client, agent)
    assert "Ce code a déjà été utilisé" in page(code_step(client, code))
    assert logged_in_user_id(client) is None


def test_deactivation_requires_a_current_code(client, agent_with_totp, clock):
    password_step(client, agent_with_totp)
    code_step(client, code_for(SECRET))
    clock.shift(30)
    right = code_for(SECRET)
    html = page(client.get(TOTP_PAGE))
    assert "Désactiver l'application d'authentification" in html

    wrong = client.post(DEACTIVATE, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200
    assert "Ce code est incorrect" in page(wrong)
    assert Authenticator.objects.filter(user=agent_with_totp).exists()
    assert "Saisissez le code à 6 chiffres" in page(client.post(DEACTIVATE, {"code": ""}))

    response = client.post(DEACTIVATE, {"code": right})
    assert response.url == TOTP_PAGE
    assert not Authenticator.objects.filter(user=agent_with_totp).exists()
    assert agent_mfa.VERIFIED_SESSION_KEY not in client.session
    entry = LogEntry.objects.get(object_id=str(agent_with_totp.pk))
    assert entry.change_message == agent_mfa.DEACTIVATED_LOG
    # Back to the enrolment page; the next login asks for the password only.
    assert "Confirmez avec un premier code" in page(client.get(TOTP_PAGE))
    client.post(reverse("admin:logout"))
    password_step(client, agent_with_totp)
    assert logged_in_user_id(client) == str(agent_with_totp.pk)


def test_deactivation_codes_are_throttled(client, agent_with_totp, clock):
    client.force_login(agent_with_totp)
    right = code_for(SECRET)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(DEACTIVATE, {"code": wrong})
    response = client.post(DEACTIVATE, {"code": right})
    assert "Trop de tentatives" in page(response)
    assert Authenticator.objects.filter(user=agent_with_totp).exists()


def test_the_pages_need_an_agent_session(client, agent):
    assert client.get(TOTP_PAGE).url.startswith(LOGIN)
    insured = InsuredUserFactory()
    client.force_login(insured)
    assert client.get(TOTP_PAGE).url.startswith(LOGIN)
    assert client.post(TOTP_PAGE, {"code": "123456"}).url.startswith(LOGIN)
    assert not Authenticator.objects.exists()


def test_the_admin_links_to_the_page(client, agent):
    client.force_login(agent)
    assert f'<a href="{TOTP_PAGE}">Application d\'authentification</a>' in page(client.get(INDEX))


def test_insured_people_are_not_offered_totp():
    """allauth's TOTP pages are not mounted: MFA_SUPPORTED_TYPES stays passkeys only."""
    with pytest.raises(NoReverseMatch):
        reverse("mfa_activate_totp")


# --- AGENTS_MFA_REQUIRED ------------------------------------------------------------------------
@pytest.fixture
def required(settings):
    settings.AGENTS_MFA_REQUIRED = True


def test_required_sends_an_agent_without_totp_to_the_enrolment(client, agent, required, clock):
    response = password_step(client, agent, next_url=admin_url(Person))
    assert response.status_code == 302
    assert response.url == f"{TOTP_PAGE}?next=%2Fagents%2Fassures%2Fperson%2F"
    for url in (INDEX, admin_url(Person), reverse("admin:password_change")):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked.url.startswith(TOTP_PAGE), url
    enrol = client.get(response.url)
    assert enrol.status_code == 200
    assert "La double authentification est obligatoire" in page(enrol)
    assert 'id="nav-sidebar"' not in page(enrol)  # no links to pages out of reach

    secret = client.session[agent_mfa.ENROLL_SECRET_SESSION_KEY]
    done = client.post(TOTP_PAGE, {"code": code_for(secret), "next": admin_url(Person)})
    assert done.url == admin_url(Person)
    assert client.get(admin_url(Person)).status_code == 200
    assert client.get(INDEX).status_code == 200


def test_required_applies_to_superusers(client, superuser, required):
    password_step(client, superuser)
    assert client.get(INDEX).url.startswith(TOTP_PAGE)


def test_required_lets_the_agent_log_out(client, agent, required):
    password_step(client, agent)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_required_with_totp_uses_the_two_step_login(client, agent_with_totp, required, clock):
    password_step(client, agent_with_totp)
    assert logged_in_user_id(client) is None
    code_step(client, code_for(SECRET))
    assert client.get(INDEX).status_code == 200


def test_required_refuses_a_session_that_never_passed_the_code(client, agent_with_totp, required):
    # E.g. a session opened with the password before the app was activated elsewhere.
    client.force_login(agent_with_totp)
    response = client.get(admin_url(Person))
    assert response.url.startswith(LOGIN)
    assert logged_in_user_id(client) is None
    assert "reconnectez-vous" in page(client.get(response.url))


def test_required_deactivating_sends_back_to_enrolment(client, agent_with_totp, required, clock):
    password_step(client, agent_with_totp)
    code_step(client, code_for(SECRET))
    clock.shift(30)
    client.post(DEACTIVATE, {"code": code_for(SECRET)})
    assert not Authenticator.objects.filter(user=agent_with_totp).exists()
    assert client.get(INDEX).url.startswith(TOTP_PAGE)
    assert "obligatoire : activez-en une" in page(client.get(TOTP_PAGE))


def test_not_required_by_default_for_agents_without_totp(client, agent, settings):
    assert settings.AGENTS_MFA_REQUIRED is False
    client.force_login(agent)
    assert client.get(INDEX).status_code == 200
    assert client.get(admin_url(Person)).status_code == 200
