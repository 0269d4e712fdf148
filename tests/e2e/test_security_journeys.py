"""Browser journeys of the account security features, axe-core on every page shown:

* A6 + A5 + A14: « Me connecter » from a new browser, the 6-digit code read from the e-mail
  (outbox), then no code from the same browser;
* A10, A11, X2, X3: password change, phones (with re-authentication), history, devices;
* A7: register a passkey with Chromium's virtual authenticator (CDP WebAuthn), log out, log
  in with the passkey only;
* A4: « S'identifier avec FranceConnect » against the local fake provider (tests/fake_oidc);
  an account it creates has no password and confirms its identity with FranceConnect again
  before a change (A11 phones, A11 e-mail).

Set SECURITE_SHOTS=/some/dir to keep a screenshot of each page.
"""

import copy
import os
import re
from importlib import import_module
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.enums import CreationRoute
from accounts.models import LoginEvent, User
from assures.audit import log_access
from assures.enums import AccessAction
from messagerie.models import OutboundMessage
from tests.fake_oidc import FakeOIDCProvider

from .security_steps import last_email_code

CAMILLE_NIR = "2 90 03 75 106 123"
PASSWORD = "Ameli-Demo-2026"
NEW_PASSWORD = "Nouveau-Ameli-2026!"
SHOTS = os.environ.get("SECURITE_SHOTS")


def check(page: Page, axe, name):
    axe(page, name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def url_is(page, site, name):
    expect(page).to_have_url(re.compile("^" + re.escape(site.url(reverse(name))) + r"(\?.*)?$"))


def submit_password(page: Page, site, password=PASSWORD):
    page.goto(site.url(reverse("account_login")))
    page.get_by_label("Numéro de sécurité sociale").fill(CAMILLE_NIR)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Me connecter", exact=True).click()


def type_code(page: Page, code):
    page.get_by_label("Code de sécurité reçu par e-mail").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Valider le code").click()


def log_out(page: Page, site):
    page.get_by_role("button", name="Déconnexion").click()
    url_is(page, site, "accounts:logged_out")


def test_email_code_login_then_security_pages(page: Page, site, axe):
    camille = site.users["camille"]
    log_access(
        site.users["agent_paris"], camille.person, AccessAction.VIEW, object_type="carte Vitale"
    )

    # A6: password from a new browser → code page; a wrong code is explained next to the field.
    page.goto(site.url(reverse("account_login")))
    expect(page.get_by_role("button", name="Me connecter avec une clé d'accès")).to_be_visible()
    check(page, axe, "01-me-connecter")
    submit_password(page, site)
    url_is(page, site, "security:email_check")
    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu par e-mail")
    check(page, axe, "02-code-par-email")
    code = last_email_code()
    type_code(page, f"{(int(code) + 1) % 10**6:06d}")
    expect(page.locator(".field__errors")).to_have_text(
        "Le code saisi est incorrect. Il vous reste 2 essais."
    )
    expect(page.get_by_label("Code de sécurité reçu par e-mail")).to_have_attribute(
        "aria-invalid", "true"
    )
    check(page, axe, "03-code-errone")
    type_code(page, code)
    url_is(page, site, "portal:home")
    assert OutboundMessage.objects.filter(user=camille, template="security_login").count() == 1

    # « Mes informations » → the security section and the contact links.
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes informations"
    ).click()
    security = page.get_by_role("region", name="Sécurité et connexion")
    expect(security).to_be_visible()
    check(page, axe, "04-mes-informations")

    # A11 phones: re-authentication first, then a French error next to the field.
    page.get_by_role("link", name="Modifier mes numéros de téléphone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon identité")
    check(page, axe, "05-confirmer-mon-identite")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirmer", exact=True).click()
    url_is(page, site, "security:phones")
    page.get_by_label("Téléphone portable").fill("06 12")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".field--error .field__errors")).to_contain_text(
        "Ce numéro de téléphone portable n'est pas valide"
    )
    check(page, axe, "06-telephones-erreur")
    page.get_by_label("Téléphone portable").fill("06 98 76 54 32")
    page.get_by_role("button", name="Enregistrer").click()
    url_is(page, site, "portal:mes_informations")
    expect(page.get_by_role("main")).to_contain_text("06 98 76 54 32")

    # A10 « Modifier mon mot de passe personnel »
    page.get_by_role("link", name="Modifier mon mot de passe personnel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier mon mot de passe personnel")
    check(page, axe, "07-mot-de-passe")
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Valider le nouveau mot de passe").click()
    url_is(page, site, "portal:mes_informations")
    notice = OutboundMessage.objects.get(template="account_password_changed", user=camille)
    assert "(heure de Paris)" in notice.body_text

    # X3 and X2
    page.get_by_role("link", name="Mes appareils et sessions").click()
    expect(page.get_by_text("Cet appareil")).to_be_visible()
    check(page, axe, "08-appareils-et-sessions")
    page.get_by_role("link", name="Retour à Mes informations").click()
    page.get_by_role("link", name="Historique des accès à mon dossier").click()
    accesses = page.get_by_role("region", name="Consultations de mon dossier par ma caisse")
    expect(accesses).to_contain_text("CPAM de Paris")
    expect(accesses).to_contain_text("Carte Vitale")
    expect(page.get_by_role("region", name="Mes connexions")).to_contain_text("Chrome sur Linux")
    check(page, axe, "09-historique-des-acces")

    # Same browser, new password: no code this time (trusted for 6 months).
    log_out(page, site)
    codes = OutboundMessage.objects.filter(template="security_email_check").count()
    submit_password(page, site, NEW_PASSWORD)
    url_is(page, site, "portal:home")
    assert OutboundMessage.objects.filter(template="security_email_check").count() == codes


@pytest.fixture
def virtual_authenticator(page: Page):
    """Chromium's virtual platform authenticator (CDP WebAuthn), with a user who always
    verifies (fingerprint, face or PIN)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, result["authenticatorId"]
    cdp.send("WebAuthn.disable")


def test_passkey_registration_then_login_without_password(
    page: Page, site, axe, virtual_authenticator
):
    assert site.base.startswith("http://localhost:"), "WebAuthn needs a secure context"
    cdp, authenticator_id = virtual_authenticator
    camille = site.users["camille"]
    submit_password(page, site)
    type_code(page, last_email_code())
    url_is(page, site, "portal:home")

    page.goto(site.url(reverse("portal:mes_informations")))
    page.get_by_role(
        "link", name="Utiliser l'authentification biométrique pour me connecter"
    ).click()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirmer", exact=True).click()
    url_is(page, site, "security:passkey_add")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Utiliser l'authentification biométrique pour me connecter"
    )
    check(page, axe, "10-cle-d-acces")
    page.get_by_label("Nom de la clé d'accès").fill("Ordinateur de Camille")
    page.get_by_role("button", name="Créer ma clé d'accès").click()
    url_is(page, site, "security:devices")
    expect(page.get_by_role("main")).to_contain_text("Ordinateur de Camille")
    expect(page.get_by_role("main")).to_contain_text("Votre clé d'accès a été créée")
    check(page, axe, "11-cle-creee")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["isResidentCredential"]
    assert Authenticator.objects.filter(user=camille, type="webauthn").count() == 1

    log_out(page, site)
    codes = OutboundMessage.objects.filter(template="security_email_check").count()
    logins = LoginEvent.objects.filter(user=camille).count()
    page.goto(site.url(reverse("account_login")))
    with page.expect_navigation(url=re.compile(re.escape(site.url(reverse("portal:home"))))):
        page.get_by_role("button", name="Me connecter avec une clé d'accès").click()
    expect(page.get_by_role("main")).to_contain_text("Camille MARTIN")
    check(page, axe, "12-accueil-apres-cle")
    assert LoginEvent.objects.filter(user=camille).count() == logins + 1
    assert OutboundMessage.objects.filter(template="security_email_check").count() == codes
    notice = OutboundMessage.objects.filter(template="security_login").latest("pk")
    assert "avec une clé d'accès" in notice.body_text


@pytest.fixture
def franceconnect(settings):
    """The local fake FranceConnect, configured as portal/settings.py does from the
    FRANCECONNECT_* variables (app, and the CSP form-action the login form is redirected to)."""
    with FakeOIDCProvider(interactive=True) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.app_settings()
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(provider.issuer)
        settings.CONTENT_SECURITY_POLICY = policy
        yield provider


def test_franceconnect_login(page: Page, site, axe, franceconnect):
    camille = site.users["camille"]
    page.goto(site.url(reverse("account_login")))
    button = page.get_by_role("button", name="S'identifier avec FranceConnect")
    expect(button).to_be_visible()
    check(page, axe, "13-me-connecter-franceconnect")
    button.click()
    expect(page).to_have_url(re.compile("^" + re.escape(franceconnect.issuer + "/authorize")))
    (request,) = franceconnect.authorize_requests
    assert request["acr_values"] == "eidas1" and request["nonce"]
    page.get_by_role("link", name="Continuer sur le service").click()
    url_is(page, site, "portal:home")
    expect(page.get_by_role("main")).to_contain_text("Camille MARTIN")
    check(page, axe, "14-accueil-franceconnect")
    assert camille.socialaccount_set.get().provider == "franceconnect"
    assert not OutboundMessage.objects.filter(template="security_email_check").exists()


def test_franceconnect_unknown_identity(page: Page, site, axe, franceconnect):
    franceconnect.identity = {**franceconnect.identity, "family_name": "INCONNUE"}
    page.goto(site.url(reverse("account_login")))
    page.get_by_role("button", name="S'identifier avec FranceConnect").click()
    page.get_by_role("link", name="Continuer sur le service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nous n'avons pas trouvé votre dossier"
    )
    check(page, axe, "15-franceconnect-inconnu")
    expect(page.get_by_role("button", name="Déconnexion")).to_have_count(0)


# Sophie LEROY of the demo data (registry only, no account): FranceConnect creates her account.
SOPHIE_FC = {
    "sub": "fc-sub-sophie-leroy",
    "given_name": "Sophie",
    "family_name": "LEROY",
    "birthdate": "1995-07-08",
    "gender": "female",
    "birthplace": "44109",
    "birthcountry": "99100",
    "email": "sophie.leroy@example.org",
    "preferred_username": "LEROY",
}


def test_franceconnect_account_confirms_with_franceconnect_before_a_change(
    page: Page, site, axe, franceconnect
):
    franceconnect.identity = dict(SOPHIE_FC)
    page.goto(site.url(reverse("account_login")))
    page.get_by_role("button", name="S'identifier avec FranceConnect").click()
    page.get_by_role("link", name="Continuer sur le service").click()
    url_is(page, site, "portal:home")
    sophie = User.objects.get(username="2950744109034")
    assert not sophie.has_usable_password()
    assert sophie.created_via == CreationRoute.FRANCECONNECT

    # A11 phones: no password to type, so « Confirmer mon identité » goes through FranceConnect.
    page.goto(site.url(reverse("portal:mes_informations")))
    page.get_by_role("link", name="Modifier mes numéros de téléphone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon identité")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_count(0)
    check(page, axe, "16-confirmer-avec-franceconnect")
    page.get_by_role("button", name="S'identifier avec FranceConnect").click()
    expect(page).to_have_url(re.compile("^" + re.escape(franceconnect.issuer + "/authorize")))
    request = franceconnect.authorize_requests[-1]
    assert request["prompt"] == "login" and request["max_age"] == "0"
    page.get_by_role("link", name="Continuer sur le service").click()
    url_is(page, site, "security:phones")
    page.get_by_label("Téléphone portable").fill("06 12 34 56 78")
    page.get_by_role("button", name="Enregistrer").click()
    url_is(page, site, "portal:mes_informations")
    expect(page.get_by_role("main")).to_contain_text("06 12 34 56 78")

    # A11 e-mail, once the confirmation is 5 minutes old: asked again, then the change resumes.
    with_old_confirmation(sophie)
    page.get_by_role("link", name="Modifier mon adresse e-mail").click()
    page.get_by_label("Nouvelle adresse e-mail").fill("sophie.nouvelle@example.org")
    page.get_by_role("button", name="Recevoir le lien de confirmation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon identité")
    page.get_by_role("button", name="S'identifier avec FranceConnect").click()
    page.get_by_role("link", name="Continuer sur le service").click()
    url_is(page, site, "account_email")
    expect(page.get_by_role("main")).to_contain_text("sophie.nouvelle@example.org")
    check(page, axe, "17-adresse-email-en-attente")
    assert LoginEvent.objects.filter(user=sophie).count() == 1

    # A12 without a password: FranceConnect again, then a confirmation box instead.
    with_old_confirmation(sophie)
    page.goto(site.url(reverse("accounts:close")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon identité")
    page.get_by_role("button", name="S'identifier avec FranceConnect").click()
    page.get_by_role("link", name="Continuer sur le service").click()
    url_is(page, site, "accounts:close")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Résilier mon compte ameli").click()
    expect(page.get_by_text("Cochez la case pour confirmer la résiliation.")).to_be_visible()
    check(page, axe, "18-resilier-sans-mot-de-passe-erreur")
    sophie.refresh_from_db()
    assert sophie.is_active  # nothing closed without the box
    page.get_by_label("Je confirme vouloir résilier mon compte ameli").check()
    page.get_by_role("button", name="Résilier mon compte ameli").click()
    url_is(page, site, "accounts:closed")
    check(page, axe, "19-compte-resilie")
    sophie.refresh_from_db()
    assert not sophie.is_active


def with_old_confirmation(user):
    """Age what the user's sessions recorded (logins, re-authentications) by 6 minutes: the
    browser keeps its session, the confirmation is older than ACCOUNT_REAUTHENTICATION_TIMEOUT."""
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    for row in Session.objects.all():
        session = store(session_key=row.session_key)
        if session.get("_auth_user_id") != str(user.pk):
            continue
        records = session.get("account_authentication_methods", [])
        for record in records:
            record["at"] -= 6 * 60
        session["account_authentication_methods"] = records
        session.save()


CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def test_passkey_scripts_work_under_the_portals_csp(browser, site, live_server):
    """The other journeys bypass the CSP to inject axe-core; this one keeps it, and checks
    that allauth's WebAuthn scripts and ours (static files + JSON data blocks, no inline
    script) register a passkey and log in with it."""
    context = browser.new_context(locale="fr-FR", bypass_csp=False)
    page = context.new_page()
    page.add_init_script(CSP_PROBE)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    try:
        policy = page.request.get(site.url(reverse("account_login"))).headers
        assert "script-src 'self'" in policy["content-security-policy"]
        submit_password(page, site)
        type_code(page, last_email_code())
        page.goto(site.url(reverse("security:passkey_add")))
        page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirmer", exact=True).click()
        page.get_by_role("button", name="Créer ma clé d'accès").click()
        url_is(page, site, "security:devices")
        log_out(page, site)
        page.goto(site.url(reverse("account_login")))
        with page.expect_navigation(url=re.compile(re.escape(site.url(reverse("portal:home"))))):
            page.get_by_role("button", name="Me connecter avec une clé d'accès").click()
        assert page.evaluate("window.__cspViolations") == []
        assert errors == []
    finally:
        context.close()


def test_franceconnect_under_the_portals_csp(browser, site, franceconnect):
    """The button's form is redirected to FranceConnect: the CSP (form-action) must allow it."""
    context = browser.new_context(locale="fr-FR", bypass_csp=False)
    page = context.new_page()
    page.add_init_script(CSP_PROBE)
    try:
        page.goto(site.url(reverse("account_login")))
        page.get_by_role("button", name="S'identifier avec FranceConnect").click()
        page.get_by_role("link", name="Continuer sur le service").click()
        url_is(page, site, "portal:home")
        expect(page.get_by_role("main")).to_contain_text("Camille MARTIN")
    finally:
        context.close()
