"""FEATURES A5 hardening, A6 (e-mail code every 6 months) and A14 (login notice) through the
real views: « Me connecter » → code page → logged in."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.factories import DEMO_PASSWORD, InsuredUserFactory
from accounts.models import LoginEvent
from accounts.security import email_check
from messagerie.models import OutboundMessage

from .helpers import (
    EMAIL_CHECK,
    LOGIN,
    UA_FIREFOX_WINDOWS,
    code_emails,
    last_code,
    log_in,
    post_password,
)

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
T0 = datetime.datetime(2026, 3, 2, 8, 15, tzinfo=datetime.UTC)  # 09:15 in Paris


@pytest.fixture
def insured():
    return InsuredUserFactory(email="camille.test@example.org", first_name="Camille")


def is_logged_in(client):
    return "_auth_user_id" in client.session


def login_notices(user):
    return OutboundMessage.objects.filter(user=user, template="security_login")


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


# --- A6 ---------------------------------------------------------------------------------------
def test_password_alone_does_not_log_in_from_a_new_browser(client, insured):
    response = post_password(client, insured)
    assert response.status_code == 302 and response.url == EMAIL_CHECK
    assert not is_logged_in(client)
    assert not LoginEvent.objects.filter(user=insured).exists()
    assert not login_notices(insured).exists()
    (message,) = code_emails(insured)
    assert message.to == insured.email
    assert len(last_code(insured)) == 6
    page = client.get(EMAIL_CHECK)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Saisissez le code reçu par e-mail" in html
    assert "c•••••••••••@example.org" in html  # the address, masked
    assert last_code(insured) not in html


def test_the_right_code_completes_the_login_and_trusts_the_browser(client, insured):
    post_password(client, insured)
    response = client.post(EMAIL_CHECK, {"code": last_code(insured)})
    assert response.status_code == 302 and response.url == HOME
    assert client.session["_auth_user_id"] == str(insured.pk)
    assert LoginEvent.objects.filter(user=insured).count() == 1
    cookie = response.cookies[email_check.COOKIE_NAME]
    assert cookie["max-age"] == 183 * 86400 and cookie["httponly"]


def test_code_with_spaces_is_accepted(client, insured):
    post_password(client, insured)
    code = last_code(insured)
    response = client.post(EMAIL_CHECK, {"code": f" {code[:3]} {code[3:]} "})
    assert response.url == HOME and is_logged_in(client)


def test_next_login_from_the_same_browser_skips_the_code_for_6_months(client, insured):
    with time_machine.travel(T0, tick=False) as traveller:
        log_in(client, insured)
        client.post(reverse("account_logout"))
        assert not is_logged_in(client)
        traveller.shift(datetime.timedelta(days=150))
        response = post_password(client, insured)
        assert response.url == HOME and is_logged_in(client)
        assert code_emails(insured).count() == 1
        client.post(reverse("account_logout"))
        traveller.shift(datetime.timedelta(days=34))  # 184 days after the check
        response = post_password(client, insured)
        assert response.url == EMAIL_CHECK and not is_logged_in(client)
        assert code_emails(insured).count() == 2


def test_another_browser_is_checked_again(client, insured):
    from django.test import Client

    log_in(client, insured)
    other = Client()
    assert post_password(other, insured).url == EMAIL_CHECK


def test_another_person_on_the_same_browser_is_checked(client, insured):
    log_in(client, insured)
    client.post(reverse("account_logout"))
    someone = InsuredUserFactory()
    assert post_password(client, someone).url == EMAIL_CHECK


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez le code de sécurité reçu par e-mail."),
        ("12345", "Le code de sécurité comporte 6 chiffres."),
        ("abcdef", "Le code de sécurité comporte 6 chiffres."),
        ("1234567", "Le code de sécurité comporte 6 chiffres."),
    ],
)
def test_badly_typed_code_is_explained_and_costs_no_attempt(client, insured, typed, message):
    post_password(client, insured)
    response = client.post(EMAIL_CHECK, {"code": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [message]
    response = client.post(EMAIL_CHECK, {"code": last_code(insured)})
    assert response.url == HOME


def test_wrong_code_says_how_many_tries_are_left(client, insured):
    post_password(client, insured)
    code = last_code(insured)
    first = client.post(EMAIL_CHECK, {"code": wrong(code)})
    assert first.context["form"].errors["code"] == [
        "Le code saisi est incorrect. Il vous reste 2 essais."
    ]
    second = client.post(EMAIL_CHECK, {"code": wrong(code)})
    assert second.context["form"].errors["code"] == [
        "Le code saisi est incorrect. Il vous reste 1 essai."
    ]
    assert not is_logged_in(client)


def test_after_three_wrong_codes_a_new_code_is_needed(client, insured):
    post_password(client, insured)
    code = last_code(insured)
    for _ in range(2):
        client.post(EMAIL_CHECK, {"code": wrong(code)})
    third = client.post(EMAIL_CHECK, {"code": wrong(code)})
    assert third.context["form"].errors["code"] == [
        "Vous avez saisi trop de codes erronés. Demandez un nouveau code."
    ]
    refused = client.post(EMAIL_CHECK, {"code": code})
    assert refused.status_code == 200 and not is_logged_in(client)
    page = client.get(EMAIL_CHECK)
    assert "Recevoir un nouveau code" in page.content.decode()
    assert page.context["blocked"]
    client.post(EMAIL_CHECK, {"resend": "1"})
    assert code_emails(insured).count() == 2
    response = client.post(EMAIL_CHECK, {"code": last_code(insured)})
    assert response.url == HOME and is_logged_in(client)


def test_expired_code(client, insured):
    with time_machine.travel(T0, tick=False) as traveller:
        post_password(client, insured)
        code = last_code(insured)
        traveller.shift(datetime.timedelta(minutes=10, seconds=5))
        response = client.post(EMAIL_CHECK, {"code": code})
        assert response.context["form"].errors["code"] == [
            "Ce code a expiré. Demandez un nouveau code."
        ]
        assert not is_logged_in(client)
        client.post(EMAIL_CHECK, {"resend": "1"})
        response = client.post(EMAIL_CHECK, {"code": last_code(insured)})
        assert response.url == HOME


def test_a_new_code_invalidates_the_previous_one(client, insured):
    post_password(client, insured)
    first = last_code(insured)
    response = client.post(EMAIL_CHECK, {"resend": "1"}, follow=True)
    assert "Un nouveau code vient de vous être envoyé par e-mail." in response.content.decode()
    second = last_code(insured)
    if first != second:
        response = client.post(EMAIL_CHECK, {"code": first})
        assert response.status_code == 200 and not is_logged_in(client)
    assert client.post(EMAIL_CHECK, {"code": second}).url == HOME


def test_too_many_codes_ends_the_login(client, insured):
    post_password(client, insured)
    client.post(EMAIL_CHECK, {"resend": "1"})
    client.post(EMAIL_CHECK, {"resend": "1"})
    assert code_emails(insured).count() == 3
    response = client.post(EMAIL_CHECK, {"resend": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Vous avez demandé trop de codes" in response.content.decode()
    assert code_emails(insured).count() == 3
    assert client.get(EMAIL_CHECK).url == LOGIN


def test_cancel_goes_back_to_login(client, insured):
    post_password(client, insured)
    response = client.post(EMAIL_CHECK, {"cancel": "1"})
    assert response.url == LOGIN
    code = last_code(insured)
    assert client.post(EMAIL_CHECK, {"code": code}).url == LOGIN
    assert not is_logged_in(client)


def test_code_page_without_a_pending_login(client, insured):
    response = client.get(EMAIL_CHECK, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Votre demande de connexion a expiré" in response.content.decode()


def test_double_submission_of_the_code_logs_in_once(client, insured):
    post_password(client, insured)
    code = last_code(insured)
    first = client.post(EMAIL_CHECK, {"code": code})
    second = client.post(EMAIL_CHECK, {"code": code})
    assert first.url == HOME and second.url == HOME
    assert LoginEvent.objects.filter(user=insured).count() == 1
    assert login_notices(insured).count() == 1


def test_a_code_is_for_its_own_login_only(client, insured):
    """The code of one person's pending login is useless in another browser."""
    from django.test import Client

    post_password(client, insured)
    code = last_code(insured)
    thief = Client()
    post_password(thief, InsuredUserFactory())
    assert thief.post(EMAIL_CHECK, {"code": code}).status_code == 200
    assert "_auth_user_id" not in thief.session


def test_wrong_codes_are_limited_per_account_over_several_logins(client, insured):
    for _ in range(3):
        post_password(client, insured)
        code = last_code(insured)
        for _ in range(3):
            client.post(EMAIL_CHECK, {"code": wrong(code)})
        client.post(EMAIL_CHECK, {"cancel": "1"})
    post_password(client, insured)
    code = last_code(insured)
    client.post(EMAIL_CHECK, {"code": wrong(code)})  # the 10th wrong code this hour
    response = client.post(EMAIL_CHECK, {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Trop de codes erronés pour ce compte" in response.content.decode()
    assert not is_logged_in(client)


def test_account_without_email_cannot_receive_the_code(client):
    user = InsuredUserFactory(email="")
    response = post_password(client, user, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Votre compte n'a pas d'adresse e-mail" in " ".join(
        str(m) for m in response.context["messages"]
    )
    assert not is_logged_in(client)


def test_force_login_is_not_affected(client, insured):
    client.force_login(insured)
    assert client.get(HOME).status_code == 200


# --- A14 --------------------------------------------------------------------------------------
def test_login_notice_with_date_time_in_paris_browser_and_masked_ip(client, insured):
    with time_machine.travel(T0, tick=False):
        log_in(client, insured, HTTP_USER_AGENT=UA_FIREFOX_WINDOWS, REMOTE_ADDR="203.0.113.57")
    (notice,) = login_notices(insured)
    assert notice.to == insured.email
    assert notice.subject == "Connexion à votre compte"
    text = " ".join(notice.body_text.split())
    assert "le lundi 2 mars 2026 à 09:15 (heure de Paris)" in text
    assert "avec votre numéro de sécurité sociale et votre mot de passe" in text
    assert "Navigateur : Firefox sur Windows" in text
    assert "Adresse IP : 203.0.113.x" in text
    assert "203.0.113.57" not in notice.body_text + notice.body_html
    assert "09:15" in notice.body_html


def test_every_login_sends_a_notice(client, insured):
    log_in(client, insured)
    client.post(reverse("account_logout"))
    post_password(client, insured)  # trusted browser: no code
    assert login_notices(insured).count() == 2


# --- A5 hardening -----------------------------------------------------------------------------
def test_failed_logins_are_throttled_per_ip_whatever_the_account(client, insured):
    for n in range(10):
        client.post(LOGIN, {"login": f"18501750560{n:02d}", "password": "Mauvais-1"})
    response = post_password(client, insured)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Trop de tentatives de connexion. Pour votre sécurité, réessayez dans quelques minutes."
    ]
    assert not is_logged_in(client)
    assert not code_emails(insured).exists()


def test_another_ip_is_not_blocked_by_the_first_one(client, insured):
    from django.test import Client

    for n in range(10):
        client.post(LOGIN, {"login": f"18501750560{n:02d}", "password": "Mauvais-1"})
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert post_password(other, insured).url == EMAIL_CHECK


def test_throttled_account_answers_the_same_as_an_unknown_one(client, insured):
    from django.test import Client

    for _ in range(5):
        client.post(LOGIN, {"login": insured.username, "password": "Mauvais-1"})
    blocked = Client(REMOTE_ADDR="198.51.100.10")
    known = blocked.post(LOGIN, {"login": insured.username, "password": DEMO_PASSWORD})
    assert "Trop de tentatives" in known.content.decode()
    unknown_client = Client(REMOTE_ADDR="198.51.100.11")
    for _ in range(5):
        unknown_client.post(LOGIN, {"login": "1850175056001", "password": "Mauvais-1"})
    unknown = unknown_client.post(LOGIN, {"login": "1850175056001", "password": "Mauvais-1"})
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
