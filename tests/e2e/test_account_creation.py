"""FEATURES A1, A2, A3 in a real browser, with axe-core on every page shown.

Sophie LEROY (demo registry, no account) creates her account: at once with her carte Vitale
and IBAN (A2) and lands on « Accueil »; or with her identity, then the link of the
confirmation e-mail (read from the outbox, as from her mailbox), then « Me connecter » (A1).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.enums import AccountState
from accounts.models import User
from accounts.recovery import codes
from assures.models import Person
from messagerie.models import OutboundMessage
from tests.outbox import delivered_text

from .security_steps import pass_email_check_if_asked

SOPHIE_NIR = "2950744109034"
SOPHIE_NIR_WITH_KEY = "2 95 07 44 109 034 80"
PASSWORD = "Nantes-Quai-44"
ACTIVATION_RE = re.compile(r"https?://\S+/compte/creer/activation/\S+/")


def sophie_user():
    return User.objects.filter(username=SOPHIE_NIR).first()


def fill_credentials(page: Page, email):
    page.get_by_role("checkbox", name="J'accepte les conditions").check()
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)


def test_a2_sophie_creates_her_account_at_once(page: Page, site, axe):
    page.goto(site.url(reverse("account_login")))
    page.get_by_role("link", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer mon compte")
    axe(page, "« Créer mon compte »")
    page.get_by_role("link", name="Créer immédiatement mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer immédiatement mon compte")
    axe(page, "A2 étape 1")

    page.get_by_label("Numéro de sécurité sociale").fill(SOPHIE_NIR_WITH_KEY)
    page.get_by_label("Date de naissance").fill("08/07/1995")
    page.get_by_label("Numéro de série de la carte Vitale").fill("90071234567")
    page.get_by_label("Les 4 derniers caractères de votre IBAN").fill("1234")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Les informations saisies ne nous permettent pas de vous identifier"
    )
    axe(page, "A2 étape 1 après une erreur")
    page.get_by_label("Les 4 derniers caractères de votre IBAN").fill("4321")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes identifiants")
    axe(page, "A2 « Mes identifiants »")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("vous devez accepter les conditions d'utilisation")).to_be_visible()
    axe(page, "A2 « Mes identifiants » avec erreurs")
    fill_credentials(page, "sophie.leroy@example.org")
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_url(site.url(reverse("portal:home")))
    expect(page.get_by_role("main")).to_contain_text("Sophie LEROY")
    expect(page.get_by_role("status").first).to_contain_text("Votre compte est créé")
    axe(page, "« Accueil » après la création")
    user = sophie_user()
    assert user.state == AccountState.ACTIVE
    assert OutboundMessage.objects.filter(to=user.email, template="account_opened").exists()


def test_a1_sophie_creates_her_account_with_the_email_link(page: Page, site, axe):
    page.goto(site.url(reverse("accounts:create")))
    page.get_by_role("link", name="Créer mon compte", exact=True).click()
    expect(page.get_by_text("Étape 1 sur 4")).to_be_visible()
    axe(page, "A1 étape 1")
    page.get_by_label("Nom de famille").fill("Leroy")
    page.get_by_label("Numéro de sécurité sociale").fill(SOPHIE_NIR_WITH_KEY)
    page.get_by_label("Date de naissance").fill("08/07/1995")
    page.get_by_label("Code postal").fill("44000")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "J'accepte les conditions d'utilisation"
    )
    axe(page, "A1 étape 2")
    page.get_by_role("checkbox", name="J'accepte les conditions").check()
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Je crée mon mot de passe")
    page.get_by_label("Mot de passe", exact=True).fill("sophie")
    page.get_by_label("Confirmation du mot de passe").fill("sophie")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Ce mot de passe est trop court")).to_be_visible()
    axe(page, "A1 étape 3 avec erreurs")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes informations de contact")
    axe(page, "A1 étape 4")
    page.get_by_label("Adresse e-mail").fill("sophie.leroy@example.org")
    page.get_by_label("Téléphone portable").fill("06 12 34 56 78")
    page.get_by_label("Par SMS").check()
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Je valide mon compte")
    expect(page.get_by_role("main")).to_contain_text("7 jours")
    axe(page, "A1 « Je valide mon compte »")
    assert sophie_user().state == AccountState.PENDING

    # Not validated yet: logging in explains what to do.
    page.goto(site.url(reverse("account_login")))
    page.get_by_label("Numéro de sécurité sociale").fill(SOPHIE_NIR)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Me connecter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre compte n'est pas encore validé"
    )
    axe(page, "compte pas encore validé")

    message = OutboundMessage.objects.get(template="account_activation")
    assert message.to == "sophie.leroy@example.org"
    link = ACTIVATION_RE.search(delivered_text(message)).group(0)
    page.goto(site.url(re.sub(r"^https?://[^/]+", "", link)))
    axe(page, "lien de confirmation")
    page.get_by_role("button", name="Valider la création de mon compte").click()
    expect(page).to_have_url(site.url(reverse("account_login")))
    expect(page.get_by_role("status").first).to_contain_text("Votre compte est activé")
    axe(page, "« Me connecter » après la validation")

    page.get_by_label("Numéro de sécurité sociale").fill(SOPHIE_NIR_WITH_KEY)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Me connecter", exact=True).click()
    pass_email_check_if_asked(page)
    expect(page).to_have_url(site.url(reverse("portal:home")))
    expect(page.get_by_role("main")).to_contain_text("Sophie LEROY")


def test_a3_sophie_creates_her_account_with_a_code_from_the_desk(page: Page, site, axe):
    sophie = Person.objects.get(nir=SOPHIE_NIR)
    agent = User.objects.get(username="agent.paris")
    agent.caisse = sophie.caisse  # an agent of Loire-Atlantique (the demo has none)
    agent.save()
    _, code = codes.issue_code(sophie, channel="guichet", delivery="affiche", issued_by=agent)
    page.goto(site.url(reverse("account_login")))
    page.get_by_role("link", name="J'ai un code provisoire").click()
    axe(page, "« J'ai un code provisoire »")
    page.get_by_label("Numéro de sécurité sociale").fill(SOPHIE_NIR)
    page.get_by_label("Date de naissance").fill("08/07/1995")
    page.get_by_label("Code provisoire", exact=True).fill(code)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes identifiants")
    fill_credentials(page, "sophie.leroy@example.org")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(site.url(reverse("portal:home")))


@pytest.mark.parametrize("width", [320])
def test_creation_pages_fit_small_screens(page: Page, site, width):
    page.set_viewport_size({"width": width, "height": 640})
    for name in (
        "accounts:create",
        "accounts:create_identity",
        "accounts:create_immediate",
        "accounts:code_provisoire",
        "accounts:password_reset",
    ):
        page.goto(site.url(reverse(name)))
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{name} scrolls horizontally at {width}px"
