"""Browser steps shared by the journeys that log in for real (FEATURES A5 + A6).

From a new browser, « Me connecter » asks for the 6-digit code sent by e-mail (A6); the step
reads it from the e-mail the outbox delivered (tests/outbox.py), as the person would from
their mailbox.
"""

import re

from django.urls import reverse
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from messagerie.models import OutboundMessage
from tests.outbox import delivered_text

CODE_RE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


def last_email_code() -> str:
    message = OutboundMessage.objects.filter(template="security_email_check").latest("pk")
    return CODE_RE.search(delivered_text(message)).group(1)


def pass_email_check_if_asked(page: Page, timeout=5000):
    """Type the A6 code when the login stopped on « Saisissez le code reçu par e-mail ».

    Call it right after clicking « Me connecter »: it first waits for that navigation to
    leave the login page (it stays there only when the login failed, then nothing is done)."""
    login, check = reverse("account_login"), reverse("security:email_check")
    try:
        page.wait_for_url(lambda url: check in url or login not in url, timeout=timeout)
    except PlaywrightTimeoutError:
        return  # still on « Me connecter »: wrong credentials, throttled…
    if check not in page.url:
        return
    page.get_by_label("Code de sécurité reçu par e-mail").fill(last_email_code())
    with page.expect_navigation():
        page.get_by_role("button", name="Valider le code").click()
