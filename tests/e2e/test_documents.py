"""FEATURES B1, D1, D8, X1 in a real browser: Camille gets her « Attestation de droits » from
« Mes démarches en 2 clics », downloads the PDF, then anyone can check it on « Vérifier une
attestation » with the code printed on it. axe-core runs on every page shown."""

import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from documents.models import GeneratedDocument
from tests.e2e.sessions import open_session as sign_in

# Elements of the page's own content (<main>) reaching beyond the right edge of the window.
OVERFLOWING_IN_MAIN = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("main *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


def pdf_text(path):
    return " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
        .stdout.decode()
        .split()
    )


def test_download_an_attestation_then_verify_it(page: Page, site, axe, browser):
    camille = site.users["camille"]
    person = camille.person
    sign_in(page, site, camille)

    # B1 « Accueil » › « Mes démarches en 2 clics » › « Attestation de droits »
    page.goto(site.url(reverse("portal:home")))
    shortcuts = page.get_by_role("region", name="Mes démarches en 2 clics")
    expect(shortcuts.get_by_role("link")).to_contain_text(
        [
            "Attestation de droits",
            "Attestation de paiement d'indemnités journalières",
            "Carte européenne d'assurance maladie (CEAM)",
        ]
    )
    axe(page, "« Accueil »")
    shortcuts.get_by_role("link", name="Attestation de droits").click()

    # D1: every beneficiary by default (seed 004), « Demander mon attestation »
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestation de droits")
    beneficiary = page.get_by_label("Sélectionnez une attestation pour")
    expect(beneficiary.locator("option:checked")).to_have_text("Tous les bénéficiaires")
    expect(beneficiary.locator("option")).to_have_count(4)  # all, Camille, Léa, Hugo
    axe(page, "« Attestation de droits »")
    page.get_by_role("button", name="Demander mon attestation").click()

    # « Votre document est prêt » › download (D8: as many times as needed)
    expect(page.get_by_role("heading", name="Votre document est prêt")).to_be_visible()
    code_on_page = page.locator("#verification-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code_on_page)
    axe(page, "document prêt")
    link = page.get_by_role("link", name=re.compile(r"Télécharger le document \(PDF"))
    with page.expect_download() as first:
        link.click()
    with page.expect_download() as second:
        link.click()
    download = first.value
    assert (
        download.suggested_filename == f"attestation-de-droits-{timezone.localdate():%Y-%m-%d}.pdf"
    )
    assert download.path().read_bytes() == second.value.path().read_bytes()
    text = pdf_text(download.path())
    assert "ATTESTATION DE DROITS" in text
    assert person.nir_display in text
    for name in ("Camille", "Léa", "Hugo"):
        assert name in text
    code = re.search(r"Code de vérification : ([A-Z2-9-]{14})", text)[1]
    assert code == code_on_page
    assert GeneratedDocument.objects.filter(owner=person).count() == 1

    # X1 « Vérifier une attestation », by someone else (no session), typing the printed code
    verifier = browser.new_context(locale="fr-FR", bypass_csp=True).new_page()
    verifier.goto(site.url(reverse("documents:verify")))
    expect(verifier.get_by_role("heading", level=1)).to_have_text("Vérifier une attestation")
    axe(verifier, "« Vérifier une attestation »")
    verifier.get_by_role("textbox", name="Code de vérification").fill(code.lower())
    verifier.get_by_role("button", name="Vérifier").click()
    result = verifier.get_by_role("region", name=re.compile("Résultat pour le code"))
    expect(result.get_by_role("status")).to_have_text(
        "Ce document est authentique : il a bien été émis par l'Assurance Maladie."
    )
    expect(result).to_contain_text("Attestation de droits")
    expect(result).not_to_contain_text(person.first_name)
    expect(result).not_to_contain_text(person.nir_display)
    axe(verifier, "résultat de la vérification")

    verifier.get_by_role("textbox", name="Code de vérification").fill("K7QM-4XRT-H2PV")
    verifier.get_by_role("button", name="Vérifier").click()
    expect(verifier.get_by_role("status")).to_contain_text("Aucun document ne correspond à ce code")
    axe(verifier, "code inconnu")
    verifier.context.close()


@pytest.mark.parametrize("width", [320])
def test_download_pages_on_a_small_screen(page: Page, site, axe, width):
    """WCAG 1.4.10 (reflow) of the pages' content, and axe, on the download pages."""
    sign_in(page, site, site.users["camille"])
    page.set_viewport_size({"width": width, "height": 640})
    for name, label in [
        ("documents:hub", "« Télécharger »"),
        ("documents:ceam", "« Carte européenne d'assurance maladie (CEAM) »"),
        ("documents:monthly_statements", "« Mes relevés mensuels »"),
        ("documents:daily_allowances", "« Attestation de paiement d'indemnités journalières »"),
        ("documents:mt_dents", "« Télécharger ma prise en charge M'T Dents »"),
    ]:
        page.goto(site.url(reverse(name)))
        overflowing = page.evaluate(OVERFLOWING_IN_MAIN)
        assert not overflowing, f"{label} is wider than the screen: {overflowing}"
        axe(page, label)
