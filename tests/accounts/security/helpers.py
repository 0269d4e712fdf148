"""Helpers for tests that log in through the real flow (FEATURES A5 + A6 code by e-mail).

`log_in(client, user)` posts « Me connecter », reads the 6-digit code from the e-mail queued in
the outbox (OutboundMessage) and types it, as the person would. Other apps' tests that only
need a logged-in person keep using `client.force_login(user)`, which skips the login stages.
"""

import re

import requests
from django.urls import reverse

from accounts.factories import DEMO_PASSWORD
from messagerie.models import OutboundMessage

LOGIN = reverse("account_login")
EMAIL_CHECK = reverse("security:email_check")
CODE_RE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)
UA_FIREFOX_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)


def code_emails(user):
    return OutboundMessage.objects.filter(user=user, template="security_email_check").order_by(
        "created_at", "pk"
    )


def last_code(user) -> str:
    """The code of the latest A6 e-mail to `user`, read from its text as the person would."""
    message = code_emails(user).last()
    assert message is not None, "no A6 code e-mail was queued"
    match = CODE_RE.search(message.body_text)
    assert match, message.body_text
    # F4: the copy kept once sent has the code masked.
    assert message.has_secret and match.group(1) not in message.redacted_text
    return match.group(1)


def post_password(client, user, password=DEMO_PASSWORD, **extra):
    return client.post(LOGIN, {"login": user.username, "password": password}, **extra)


def log_in(client, user, password=DEMO_PASSWORD, **extra):
    """Password + e-mail code; returns the response to the code."""
    response = post_password(client, user, password, **extra)
    assert response.status_code == 302, response
    if response.url != EMAIL_CHECK:
        return response
    return client.post(EMAIL_CHECK, {"code": last_code(user)}, **extra)


# --- A4 FranceConnect, against the local provider of tests/fake_oidc ----------------------------
FC_LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "franceconnect"})


def fc_start(client):
    """« S'identifier avec FranceConnect » (the button posts): returns the provider's URL."""
    response = client.post(FC_LOGIN)
    assert response.status_code == 302, response
    return response.url


def come_back(client, authorize_url):
    """The browser at the provider, then back to the portal's callback."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = answer.headers["Location"]
    return client.get(callback.split("://testserver", 1)[1])


def fc_login(client):
    return come_back(client, fc_start(client))


def logged_in_as(client):
    return client.session.get("_auth_user_id")
