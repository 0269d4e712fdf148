"""FEATURES C1, C4, C5, C6, C7 in a real browser, axe-core on every page shown.

The login itself (A5, A6) is the subject of its own journeys: here the browser starts with the
session of a demo person, created by Django's test client on the live server's database.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from messagerie.models import Message, OutboundMessage
from paiements import listing
from paiements.demo import JEAN_CREANCE_REFERENCE
from paiements.enums import AttemptStatus
from paiements.models import Creance, CreancePayment, Payment
from portal.templatetags.portal import euros
from tests.e2e.sessions import open_session


def squash(text):
    return " ".join(text.split())


def assert_main_fits(page: Page, label):
    """WCAG 1.4.10 for the page's own content: nothing in <main> is wider than the window (the
    shared header is checked by the layout's own tests)."""
    scroll_width, client_width = page.evaluate(
        '() => [document.querySelector("main").scrollWidth, document.documentElement.clientWidth]'
    )
    assert scroll_width <= client_width, f"{label}: {scroll_width}px in {client_width}px"


def test_camille_filters_payments_for_lea_and_opens_a_detail(page: Page, site, axe):
    camille = site.users["camille"]
    lea = camille.person.beneficiary_links.get(person__first_name="Léa").person
    open_session(page, site, camille)

    page.goto(site.url("/"))
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes paiements"
    ).click()
    expect(page).to_have_url(site.url(reverse("paiements:list")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes paiements")
    main = page.get_by_role("main")
    months = main.locator("section.month")
    expect(months).to_have_count(6)
    today = timezone.localdate()
    expect(months.first.get_by_role("heading", level=2)).to_contain_text(
        str(today.year), use_inner_text=True
    )
    axe(page, "« Mes paiements »")

    # « Rechercher »: Léa, remboursements de soins
    page.get_by_text("Rechercher", exact=True).first.click()
    page.get_by_label("Bénéficiaire").select_option(label=lea.full_name)
    page.get_by_label("Remboursements de soins").check()
    axe(page, "« Rechercher » ouvert")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(rf"beneficiaire={lea.public_id}"))
    expect(page.get_by_label("Bénéficiaire")).to_have_value(str(lea.public_id))
    expect(page.get_by_label("Remboursements de soins")).to_be_checked()
    start, end = listing.window_for(today, listing.RECENT_MONTHS)
    expected = list(
        Payment.objects.for_person(camille.person)
        .filter(beneficiary=lea, nature="soins", paid_on__range=(start, end))
        .order_by("-paid_on", "-id")
    )
    assert expected, "the demo must give Léa care payments in the last 6 months"
    rows = main.locator("table.table--payments tbody tr")
    expect(rows).to_have_count(len(expected))
    for text in rows.all_inner_texts():
        assert "— Léa" in text
    axe(page, "« Mes paiements » filtrés sur Léa")

    # the line opens its detail
    first = expected[0]
    download = rows.first.get_by_role("link", name=re.compile("Télécharger le décompte"))
    expect(download).to_have_attribute(
        "href", reverse("documents:payment_statement", args=[first.public_id])
    )
    rows.first.get_by_role("link", name=re.compile("voir le détail")).click()
    expect(page).to_have_url(site.url(reverse("paiements:detail", args=[first.public_id])))
    expect(page.get_by_role("heading", level=1)).to_have_text("Détail du paiement")
    expect(main).to_contain_text(lea.full_name)
    expect(main).to_contain_text(squash(euros(first.amount)), use_inner_text=True)
    line = first.lines.first()
    details = main.get_by_role("table").first
    expect(details).to_contain_text(line.act)
    expect(details).to_contain_text(f"{line.rate} %")
    expect(main).to_contain_text(
        "Paiement à un tiers" if first.payee == "tiers" else "Paiement à l'assuré"
    )
    axe(page, "détail d'un paiement")

    # « ↓ » downloads the décompte of that payment as a PDF
    page.go_back()
    with page.expect_download() as download_info:
        main.locator("table.table--payments tbody tr").first.get_by_role(
            "link", name=re.compile("Télécharger le décompte")
        ).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # « Afficher plus de paiements » and the history, plain links
    page.get_by_role("link", name="Effacer la recherche").click()
    page.get_by_role("link", name="Afficher plus de paiements").click()
    expect(page).to_have_url(re.compile(r"mois=12"))
    expect(main.locator("section.month")).to_have_count(12)
    page.get_by_role("link", name="Accéder à mon historique de plus de 6 mois").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon historique de plus de 6 mois")
    axe(page, "historique de plus de 6 mois")


def test_camille_counter_arrets_and_delays(page: Page, site, axe):
    open_session(page, site, site.users["camille"])
    page.goto(site.url(reverse("paiements:list")))
    subnav = page.get_by_role("navigation", name="Rubriques de Mes paiements")

    subnav.get_by_role("link", name="Mes participations forfaitaires et franchises").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mes participations forfaitaires et franchises"
    )
    year = timezone.localdate().year
    expect(page.get_by_role("heading", name=f"Année {year}")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Année {year - 1}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Moins de 18 ans au 1er janvier")
    axe(page, "compteur des participations forfaitaires et franchises")

    subnav.get_by_role("link", name="Mes indemnités journalières").click()
    expect(page.get_by_role("main").locator("tbody tr")).to_have_count(3)
    axe(page, "« Mes indemnités journalières »")

    subnav.get_by_role("link", name="Mes délais").click()
    page.get_by_label("Thématique de ma demande").select_option(
        label="Remboursement d'une feuille de soins papier"
    )
    page.get_by_label("Précisions sur ma demande").fill("Feuille de soins du dentiste de Léa")
    page.get_by_label("Date de dépôt ou d'envoi de ma demande").fill("2026-01-05")
    page.get_by_role("button", name="Valider").click()
    result = page.get_by_role("region", name="Estimation")
    expect(result).to_contain_text("Date estimée de traitement")
    expect(result).to_contain_text("Le délai de traitement estimé de votre demande est dépassé.")
    expect(result.get_by_role("link", name="Mes informations")).to_be_visible()
    axe(page, "« Mes délais » avec une estimation dépassée")


def test_jean_pays_his_creance_at_the_kiosque(page: Page, site, axe):
    jean = site.users["jean"]
    creance = Creance.objects.get(reference=JEAN_CREANCE_REFERENCE)
    first, second, _ = creance.lines.order_by("pk")
    open_session(page, site, jean)

    page.goto(site.url(reverse("paiements:list")))
    page.get_by_role("navigation", name="Rubriques de Mes paiements").get_by_role(
        "link", name="Payer une créance"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payer une créance")
    reference = page.get_by_label("Référence de l'avis de sommes à payer")
    reference.fill("12345")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#id_reference_error")).to_contain_text("16 chiffres suivis d'une lettre")
    axe(page, "« Payer une créance » avec une erreur")
    page.get_by_label("Référence de l'avis de sommes à payer").fill("1234 5678 9012 3456 a")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(JEAN_CREANCE_REFERENCE)
    axe(page, "lignes de la créance")

    boxes = page.locator("fieldset.creance-line")
    boxes.nth(0).get_by_role("checkbox").check()
    boxes.nth(0).get_by_label("Montant à régler (en €)").fill("20,00")
    boxes.nth(1).get_by_role("checkbox").check()
    boxes.nth(1).get_by_label("Montant à régler (en €)").fill("60,00")
    page.get_by_role("button", name="Payer").click()
    expect(page.locator(f"#id_montant_{second.pk}_error")).to_contain_text(
        "entre 16,00 € et 50,00 €"
    )
    assert not CreancePayment.objects.exists()
    axe(page, "montant hors limites")
    boxes.nth(1).get_by_label("Montant à régler (en €)").fill("30,50")
    page.get_by_role("button", name="Payer").click()

    # the « kiosque bancaire » simulator
    expect(page).to_have_url(re.compile(r"/kiosque/paiement/"))
    expect(page.get_by_role("main")).to_contain_text("50,50", use_inner_text=True)
    axe(page, "kiosque bancaire")
    page.get_by_role("button", name="Payer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("État de mon paiement")
    expect(page.get_by_role("status")).to_contain_text("Paiement accepté")
    axe(page, "état du paiement")
    attempt = CreancePayment.objects.get()
    assert attempt.status == AttemptStatus.PAID
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.amount_paid, second.amount_paid) == (Decimal("20.00"), Decimal("30.50"))
    receipt = Message.objects.get(thread__related_reference=JEAN_CREANCE_REFERENCE)
    assert receipt.thread.person == jean.person
    assert OutboundMessage.objects.filter(
        template="messagerie_nouveau_message", to=jean.email
    ).exists()

    # back on the avis: the amounts are updated and the payment listed
    page.get_by_role("link", name="Revenir à mon avis").click()
    expect(page.get_by_role("region", name="Mes paiements de cet avis")).to_contain_text("Payée")
    expect(page.locator("fieldset.creance-line").nth(0)).to_contain_text(
        squash(euros(first.remaining)), use_inner_text=True
    )
    axe(page, "avis après paiement")


@pytest.mark.parametrize("width", [320])
def test_payment_pages_fit_small_screens(page: Page, site, width):
    camille = site.users["camille"]
    payment = Payment.objects.for_person(camille.person).filter(lines__isnull=False).first()
    open_session(page, site, camille)
    page.set_viewport_size({"width": width, "height": 640})
    for name, args in (
        ("paiements:list", ()),
        ("paiements:detail", (payment.public_id,)),
        ("paiements:franchises", ()),
        ("paiements:sick_leaves", ()),
        ("paiements:delais", ()),
        ("paiements:creance_search", ()),
    ):
        page.goto(site.url(reverse(name, args=args)))
        assert_main_fits(page, name)
