"""FEATURES A8 « Mot de passe oublié ? » in a real browser, with axe-core on every page: Camille
copies the captcha, receives the e-mail (read from the outbox), follows the link, sets a new
password, gets the confirmation screen and e-mail, then logs in with the new password."""

import re

from captcha.models import CaptchaStore
from django.urls import reverse
from playwright.sync_api import Page, expect

from messagerie.models import OutboundMessage
from tests.outbox import delivered_text

from .security_steps import pass_email_check_if_asked

CAMILLE_NIR = "2 90 03 75 106 123"
NEW_PASSWORD = "Paris-Mars-2026!"
RESET_LINK_RE = re.compile(r"https?://\S+/compte/password/reset/key/\S+/")


def copy_captcha(page: Page):
    """Read the image as a person would: here, its stored answer."""
    key = page.locator("input[name=captcha_0]").input_value()
    challenge = CaptchaStore.objects.get(hashkey=key).challenge
    page.get_by_label("Recopiez les caractères de l'image ou de l'extrait sonore").fill(challenge)


def test_a8_camille_renews_her_password(page: Page, site, axe):
    page.goto(site.url(reverse("account_login")))
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié ?")
    image = page.get_by_role("img", name=re.compile("Image du code de sécurité"))
    expect(image).to_be_visible()
    # The image really loads (a decoded PNG, not a broken icon): wait for it, its first
    # rendering in a new server process loads the captcha fonts.
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10000
    )
    axe(page, "« Mot de passe oublié ? »")

    page.get_by_label("Numéro de sécurité sociale").fill(CAMILLE_NIR)
    page.get_by_label("Date de naissance").fill("14/03/1990")
    page.get_by_label("Recopiez les caractères de l'image ou de l'extrait sonore").fill("ZZZZZ")
    page.get_by_role("button", name="Recevoir le mail").click()
    expect(page.get_by_text("Les caractères recopiés ne correspondent pas")).to_be_visible()
    axe(page, "« Mot de passe oublié ? » après une erreur")
    copy_captcha(page)
    page.get_by_role("button", name="Recevoir le mail").click()

    expect(page.get_by_role("status")).to_have_text(
        "Si les informations saisies correspondent à un compte, un e-mail vous a été envoyé."
    )
    axe(page, "demande envoyée")

    message = OutboundMessage.objects.get(template="account_password_reset")
    assert message.to == site.users["camille"].email
    link = RESET_LINK_RE.search(delivered_text(message)).group(0)
    page.goto(site.url(re.sub(r"^https?://[^/]+", "", link)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un nouveau mot de passe")
    axe(page, "nouveau mot de passe")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Valider le nouveau mot de passe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre mot de passe a été modifié")
    axe(page, "mot de passe modifié")
    notice = OutboundMessage.objects.get(template="account_password_changed")
    assert "Le mot de passe de votre compte ameli a été modifié le" in notice.body_text
    assert "(heure de Paris)" in notice.body_text

    # The link worked once.
    page.goto(site.url(re.sub(r"^https?://[^/]+", "", link)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien n'est plus valable")
    axe(page, "lien déjà utilisé")

    page.goto(site.url(reverse("account_login")))
    page.get_by_label("Numéro de sécurité sociale").fill(CAMILLE_NIR)
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Me connecter", exact=True).click()
    pass_email_check_if_asked(page)
    expect(page).to_have_url(site.url(reverse("portal:home")))
    expect(page.get_by_role("main")).to_contain_text("Camille")


def test_a12_camille_closes_her_account(page: Page, site, axe):
    page.goto(site.url(reverse("account_login")))
    page.get_by_label("Numéro de sécurité sociale").fill(CAMILLE_NIR)
    page.get_by_label("Mot de passe", exact=True).fill("Ameli-Demo-2026")
    page.get_by_role("button", name="Me connecter", exact=True).click()
    pass_email_check_if_asked(page)
    page.goto(site.url(reverse("portal:mes_informations")))
    page.get_by_role("link", name="Résilier mon compte ameli").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résilier mon compte ameli")
    axe(page, "« Résilier mon compte ameli »")
    page.get_by_label("Mot de passe").fill("Ameli-Demo-2026")
    page.get_by_role("button", name="Résilier mon compte ameli").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte a été résilié")
    axe(page, "compte résilié")
    assert OutboundMessage.objects.filter(template="account_closed").exists()
