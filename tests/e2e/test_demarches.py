"""FEATURES E1, E2, E5, E20, H2 in a real browser, axe-core on every page shown.

* Camille declares her Vitale card lost (E1), then « Continuer » orders the new one (E2) with
  an identity photo and her identity document, and follows it in « Suivre mes démarches ».
* Camille changes her IBAN (E5): holder without accents, IBAN checked as typed, the 4-digit
  code read from the e-mail (outbox), the Vitale serial number, attestation, « Valider »;
  agent.paris accepts in the admin (H2) and Camille sees the new IBAN, masked, in « Mes
  informations ».

Set E2E_SCREENSHOTS=<dir> to keep a full-page PNG of every page visited.
"""

import os
import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.factories import DEMO_PASSWORD
from assures import identifiers
from assures.enums import VitaleStatus
from assures.models import BankAccount, VitaleCard
from demarches.enums import Status
from demarches.models import Demarche
from messagerie.models import OutboundMessage
from tests.demarches.conftest import PDF_BYTES, png_bytes
from tests.e2e.sessions import open_session as log_in
from tests.outbox import delivered_text

SHOTS = os.environ.get("E2E_SCREENSHOTS")
NEW_IBAN = identifiers.make_french_iban("30004", "00823", "00012345678")


def shot(page: Page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def check(page: Page, axe, name):
    axe(page, name)
    shot(page, name)


def test_lost_vitale_card_then_new_card_order(page: Page, site, axe, tmp_path):
    camille = site.users["camille"]
    log_in(page, site, camille)
    page.goto(site.url(reverse("demarches:hub")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes démarches")
    check(page, axe, "01-mes-demarches")

    page.get_by_role("link", name="Déclarer la perte ou le vol de carte Vitale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Déclarer la perte ou le vol de carte Vitale"
    )
    # Léa (10) and Hugo (4) are too young: Camille is the only choice.
    expect(page.get_by_text("Léa doit avoir au moins 12 ans", exact=False)).to_be_attached()
    check(page, axe, "02-e1-debut")
    page.get_by_role("button", name="Commencer").click()

    expect(page.get_by_text("Étape 1 sur 2")).to_be_visible()
    expect(page.get_by_text("92157480312")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()  # nothing ticked
    expect(page.get_by_text("Indiquez le motif de votre déclaration.")).to_be_visible()
    expect(page.get_by_text("Cochez l'engagement de restituer l'ancienne carte.")).to_be_visible()
    check(page, axe, "03-e1-erreurs")
    page.get_by_label("Perte", exact=True).check()
    page.get_by_label("Les coordonnées ci-dessus sont exactes").check()
    page.get_by_label("Je m'engage à restituer l'ancienne carte").check()
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Perte")
    check(page, axe, "04-e1-recapitulatif")
    page.get_by_role("button", name="Valider ma déclaration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est bien enregistrée")
    declaration = Demarche.objects.get(person=camille.person, type="perte-carte-vitale")
    expect(page.get_by_text(declaration.reference)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("92157480312 est invalidée")
    assert VitaleCard.objects.get(serial_number="92157480312").status == VitaleStatus.INVALIDATED
    check(page, axe, "05-e1-confirmation")

    page.get_by_role("button", name="Continuer").click()  # → E2 for the same person
    expect(page.get_by_text("Étape 1 sur 4")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coordonnées")
    check(page, axe, "06-e2-coordonnees")
    page.get_by_label("Les coordonnées ci-dessus sont exactes").check()
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Photo d'identité")
    expect(
        page.get_by_role("heading", name="Conditions de conformité de la photo d'identité")
    ).to_be_visible()
    photo = tmp_path / "photo.png"
    photo.write_bytes(png_bytes())
    page.get_by_label("J'ai compris").check()
    page.locator("input[type=file][name=photo]").set_input_files(str(photo))
    check(page, axe, "07-e2-photo")
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pièce d'identité")
    fake = tmp_path / "cni.pdf"
    fake.write_bytes(b"<html>pas un document</html>")
    page.get_by_label("J'ai compris").check()
    page.get_by_label("Photo ou scan de la pièce d'identité").set_input_files(str(fake))
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("seuls les documents PDF et les photos JPEG ou PNG")).to_be_visible()
    check(page, axe, "08-e2-piece-erreur")
    real = tmp_path / "cni-scan.pdf"
    real.write_bytes(PDF_BYTES)
    page.get_by_label("J'ai compris").check()
    page.get_by_label("Photo ou scan de la pièce d'identité").set_input_files(str(real))
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 4 sur 4")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("photo.png")
    expect(page.get_by_role("main")).to_contain_text("cni-scan.pdf")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Cochez l'attestation sur l'honneur")).to_be_visible()
    check(page, axe, "09-e2-recapitulatif")
    page.get_by_label("J'atteste sur l'honneur").check()
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est bien enregistrée")
    order = Demarche.objects.get(person=camille.person, type="commande-carte-vitale")
    assert order.status == Status.DEPOSEE and order.follows_id == declaration.pk
    check(page, axe, "10-e2-confirmation")

    page.get_by_role("link", name="Suivre cette demande").click()
    expect(page.get_by_role("main")).to_contain_text("Suivi de la commande de carte Vitale")
    expect(page.get_by_role("main")).to_contain_text("disponible dans 1 à 2 jours")
    check(page, axe, "11-e2-suivi-detail")
    page.get_by_role("link", name="Suivre mes démarches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivre mes démarches")
    expect(page.get_by_role("main")).to_contain_text(order.reference)
    expect(page.get_by_role("main")).to_contain_text(declaration.reference)
    check(page, axe, "12-suivre-mes-demarches")


def test_new_iban_accepted_by_an_agent(page: Page, site, axe):
    camille = site.users["camille"]
    log_in(page, site, camille)
    page.goto(site.url(reverse("demarches:hub")))
    page.get_by_role("link", name="Modifier mes coordonnées bancaires").click()
    # Changing the IBAN: the password again first (ARCHITECTURE « Password and session rules »).
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon identité")
    check(page, axe, "19-e5-confirmer-mon-identite")
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirmer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier mes coordonnées bancaires")
    page.get_by_role("button", name="Commencer").click()

    expect(page.get_by_text("Étape 1 sur 3")).to_be_visible()
    page.get_by_label("Compte individuel (à mon nom)").check()
    page.get_by_label("Madame").first.check()
    page.get_by_label("Nom et prénom du titulaire, sans accent").first.fill("MARTIN HÉLÈNE")
    iban_input = page.get_by_label("IBAN", exact=True)
    iban_input.type(NEW_IBAN[:-1] + ("0" if NEW_IBAN[-1] != "0" else "1"))
    expect(
        page.get_by_text("Cet IBAN n'est pas valide : vérifiez chaque caractère.")
    ).to_be_visible()
    iban_input.fill("")
    iban_input.type(NEW_IBAN)
    expect(page.get_by_text("IBAN valide.")).to_be_visible()
    grouped = " ".join(NEW_IBAN[i : i + 4] for i in range(0, len(NEW_IBAN), 4))
    expect(iban_input).to_have_value(grouped)  # grouped by 4 as typed
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text("sans accent ni caractère spécial")).to_be_visible()
    check(page, axe, "20-e5-erreur-accent")
    page.get_by_label("Nom et prénom du titulaire, sans accent").first.fill("MARTIN CAMILLE")
    page.get_by_role("button", name="Suivant").click()

    expect(page.get_by_text("Étape 2 sur 3")).to_be_visible()
    check(page, axe, "21-e5-code")
    mail = OutboundMessage.objects.filter(user=camille, template="demarche_code_securite").latest(
        "created_at"
    )
    code = re.search(r"\b(\d{4})\b", delivered_text(mail)).group(1)
    page.get_by_label("Code de sécurité à 4 chiffres").fill(code)
    page.get_by_label("Numéro de série de votre carte Vitale").fill("92157480312")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 3 sur 3")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(grouped)
    expect(page.get_by_role("main")).not_to_contain_text(code)
    page.get_by_label("J'atteste sur l'honneur être titulaire").check()
    check(page, axe, "22-e5-recapitulatif")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande est bien enregistrée")
    demarche = Demarche.objects.get(person=camille.person, type="coordonnees-bancaires")
    assert demarche.status == Status.DEPOSEE
    check(page, axe, "23-e5-confirmation")

    # H2: agent.paris accepts in the admin.
    agent_page = page.context.browser.new_context(locale="fr-FR", bypass_csp=True).new_page()
    log_in(agent_page, site, site.users["agent_paris"])
    agent_page.goto(site.url(reverse("admin:demarches_demarche_changelist")))
    expect(agent_page.get_by_role("link", name=demarche.reference)).to_be_visible()
    shot(agent_page, "24-agent-file")
    agent_page.get_by_role("link", name=demarche.reference).click()
    expect(agent_page.get_by_text("Enregistrer la décision")).to_be_attached()
    agent_page.get_by_label("Décision").select_option("accept")
    shot(agent_page, "25-agent-demarche")
    agent_page.get_by_role("button", name="Enregistrer la décision").click()
    expect(agent_page.get_by_text("L'assuré est informé")).to_be_visible()
    shot(agent_page, "26-agent-decision")
    agent_page.context.close()

    demarche.refresh_from_db()
    assert demarche.status == Status.ACCEPTEE
    current = BankAccount.objects.get(person=camille.person, is_current=True)
    assert current.iban == NEW_IBAN
    page.goto(site.url(reverse("portal:mes_informations")))
    expect(page.get_by_role("main")).to_contain_text(
        " ".join(identifiers.mask_iban(NEW_IBAN).split())
    )
    assert NEW_IBAN not in page.content() and grouped not in page.content()
    check(page, axe, "27-mes-informations")
    page.goto(site.url(reverse("demarches:detail", args=[demarche.public_id])))
    expect(page.get_by_role("main")).to_contain_text("Acceptée")
    assert grouped not in page.content()  # masked once submitted
    check(page, axe, "28-e5-suivi")


def test_demarches_pages_fit_320px(page: Page, site):
    """WCAG 1.4.10 (reflow) on the démarches pages: no horizontal scrolling at 320 px."""
    camille = site.users["camille"]
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, site, camille)
    page.goto(site.url(reverse("demarches:start", args=["coordonnees-bancaires"])))
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)  # E5: identity confirmed
    page.get_by_role("button", name="Confirmer", exact=True).click()
    page.get_by_role("button", name="Commencer").click()
    urls = [
        reverse("demarches:hub"),
        reverse("demarches:start", args=["ceam"]),
        page.url.replace(site.base, ""),
        reverse("demarches:suivi"),
    ]
    for url in urls:
        page.goto(site.url(url))
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{url}: {scroll}px of content in {client}px"
        shot(page, "320" + url.replace("/", "_"))
