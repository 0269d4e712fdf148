"""Browser journey of the agents' second factor (ARCHITECTURE decisions 1 and 9), axe-core on
every page of it: agent.paris logs in with the password, activates an authenticator app from
the user tools (QR code + key; the test plays the app: it reads the key from the page and
computes the codes with allauth's helpers), logs out, then logs in with the password and the
code: a spent code is refused, a wrong one too, the next one opens the admin.

Set AGENT_MFA_SHOTS=/some/dir to keep a screenshot of each page.
"""

import os
import re
import time
from pathlib import Path

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.factories import AGENT_DEMO_PASSWORD
from accounts.models import LoginEvent
from tests.admin.totp import code_for, fresh_code

SHOTS = os.environ.get("AGENT_MFA_SHOTS")
CODE_LABEL = "Code de l'application d'authentification"


def check(page: Page, axe, name):
    axe(page, name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def code_after(secret: str, used_at: float) -> str:
    """The app's next code: the one of the period after `used_at` (a code is accepted once)."""
    period = app_settings.TOTP_PERIOD
    next_period = (int(used_at) // period + 1) * period
    if time.time() < next_period:
        time.sleep(next_period - time.time() + 0.1)
    return fresh_code(secret)


def submit_password(page: Page, site, axe):
    page.goto(site.url(reverse("admin:login")))
    check(page, axe, "00-connexion")
    page.locator("#id_username").fill("agent.paris")
    page.locator("#id_password").fill(AGENT_DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()


def test_agent_activates_an_authenticator_app_then_logs_in_with_its_code(page: Page, site, axe):
    agent = site.users["agent_paris"]

    # Password only, as the demo agents do before activating anything.
    submit_password(page, site, axe)
    expect(page).to_have_url(site.url(reverse("admin:index")))
    check(page, axe, "01-accueil-agents")

    # « Application d'authentification » in the user tools.
    page.get_by_role("link", name="Application d'authentification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application d'authentification")
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    secret = page.locator("#agent-totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    check(page, axe, "02-activation")

    # A code of another key: refused next to the field.
    page.get_by_label(CODE_LABEL).fill(code_for("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
    page.get_by_role("button", name="Activer l'application d'authentification").click()
    expect(page.locator("#id_code_error")).to_contain_text("Ce code ne correspond pas")
    expect(page.get_by_label(CODE_LABEL)).to_have_attribute("aria-invalid", "true")
    check(page, axe, "03-activation-erreur")

    enrol_code = fresh_code(secret)
    page.get_by_label(CODE_LABEL).fill(enrol_code)
    page.get_by_role("button", name="Activer l'application d'authentification").click()
    enrolled_at = time.time()
    expect(page.locator(".messagelist")).to_contain_text(
        "L'application d'authentification est activée"
    )
    expect(page.get_by_role("button", name="Désactiver l'application d'authentification"))
    check(page, axe, "04-activee")
    assert Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists()

    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    logins_before = LoginEvent.objects.filter(user=agent).count()

    # Password, then « Code de l'application d'authentification ».
    submit_password(page, site, axe)
    expect(page).to_have_url(site.url(reverse("admin:login_code")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    check(page, axe, "05-code")
    assert LoginEvent.objects.filter(user=agent).count() == logins_before  # not logged in yet

    # The code spent on the activation is refused (or, if its period is over, wrong).
    page.get_by_label(CODE_LABEL).fill(enrol_code)
    page.get_by_role("button", name="Valider le code").click()
    expect(page.locator("#id_code_error")).to_contain_text(
        re.compile("Ce code a déjà été utilisé|Ce code est incorrect")
    )
    check(page, axe, "06-code-refuse")

    page.get_by_label(CODE_LABEL).fill(code_after(secret, enrolled_at))
    with page.expect_navigation():
        page.get_by_role("button", name="Valider le code").click()
    expect(page).to_have_url(site.url(reverse("admin:index")))
    expect(page.locator("#user-tools")).to_contain_text("Application d'authentification")
    assert LoginEvent.objects.filter(user=agent).count() == logins_before + 1

    page.get_by_role("link", name="Application d'authentification").click()
    expect(page.get_by_role("main")).to_contain_text("dernière connexion avec son code le")
    check(page, axe, "07-statut")
