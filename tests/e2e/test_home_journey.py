"""FEATURES A5, B1, B3, A13 in a real browser: « Me connecter » with a spaced NIR, « Accueil »,
« Mes informations », « Déconnexion ». axe-core runs on every page shown."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from playwright.sync_api import Page, expect

from accounts.models import LoginEvent
from assures.models import Beneficiary, Ceam
from paiements.models import Payment
from portal.templatetags.portal import euros

from .security_steps import pass_email_check_if_asked

CAMILLE_NIR_SPACED = "2 90 03 75 106 123"
PASSWORD = "Ameli-Demo-2026"
PARIS = ZoneInfo("Europe/Paris")
AMOUNT_RE = re.compile(r"^\d{1,3}(?:\u202f\d{3})*,\d{2}\u00a0€$")  # « 12,62 € »


def squash(text):
    """Collapse every run of whitespace (incl. no-break spaces) into one plain space."""
    return " ".join(text.split())


def fr_date(value, fmt):
    with translation.override("fr"):
        return dateformat.format(value, fmt)


def log_in(page: Page, site, nir=CAMILLE_NIR_SPACED, password=PASSWORD):
    page.goto(site.url(reverse("account_login")))
    page.get_by_label("Numéro de sécurité sociale").fill(nir)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Me connecter", exact=True).click()
    pass_email_check_if_asked(page)  # A6: the code sent by e-mail, from a new browser


def test_login_home_informations_logout(page: Page, site, axe):
    camille = site.users["camille"]
    person = camille.person
    # A previous visit, so that « Accueil » says when it was (A5).
    previous = datetime.datetime(2026, 1, 6, 16, 17, tzinfo=PARIS)
    LoginEvent.objects.create(user=camille, at=previous - datetime.timedelta(days=30))
    LoginEvent.objects.create(user=camille, at=previous)

    # A5 « Me connecter »
    page.goto(site.url("/"))
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Me connecter")
    expect(page.get_by_text("Où trouver mon numéro de sécurité sociale ?")).to_be_visible()
    axe(page, "« Me connecter »")
    log_in(page, site)

    # B1 « Accueil »
    expect(page).to_have_url(site.url(reverse("portal:home")))
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{person.first_name} {person.display_last_name.upper()}")
    local = timezone.localtime(previous)
    expect(main).to_contain_text(
        f"Dernière connexion le {local:%d/%m/%Y} à {local:%H:%M}", use_inner_text=True
    )
    expect(main).not_to_contain_text(camille.username)  # no « Connexion avec <NIR> réussie »
    payments_box = page.get_by_role("region", name="Mes derniers paiements")
    expect(payments_box).to_be_visible()
    latest = list(Payment.objects.for_person(person).order_by("-paid_on", "-id")[:5])
    assert len(latest) == 5, "the demo must give Camille at least 5 payments"
    rows = payments_box.locator("tbody tr")
    expect(rows).to_have_count(len(latest))
    for row, payment in zip(rows.all(), latest, strict=True):
        amount = euros(payment.amount)
        assert AMOUNT_RE.match(amount), amount
        cells = [squash(c) for c in row.locator("td").all_inner_texts()]
        assert cells[0] == squash(fr_date(payment.paid_on, "j N").upper()), cells
        assert cells[1].startswith(payment.type_label), cells
        assert cells[2] == squash(amount), cells
    axe(page, "« Accueil »")

    # B3 « Mes informations », reached through the main navigation
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes informations"
    ).click()
    expect(page).to_have_url(site.url(reverse("portal:mes_informations")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes informations")
    expect(main).to_contain_text("Vos droits à l'Assurance Maladie sont ouverts")
    expect(main).to_contain_text(person.nir_display, use_inner_text=True)

    bank = person.bank_accounts.get(is_current=True)
    expect(main).to_contain_text(squash(bank.masked_iban))
    html = page.content()
    spaced_iban = " ".join(bank.iban[i : i + 4] for i in range(0, len(bank.iban), 4))
    assert bank.iban not in html and spaced_iban not in html, "the full IBAN must never be shown"

    children = [
        b.person for b in Beneficiary.objects.filter(insured=person).select_related("person")
    ]
    assert {c.first_name for c in children} == {"Léa", "Hugo"}
    for child in children:
        name = f"{child.first_name} {child.display_last_name.upper()}"
        expect(main.get_by_role("heading", name=name)).to_be_visible()
    expect(main).to_contain_text("Transmission automatique des paiements ACTIVÉE")

    today = timezone.localdate()
    ceam = Ceam.objects.get(person=person, issued_on__lte=today, expires_on__gte=today)
    expect(main).to_contain_text("Carte européenne (CEAM)")
    expect(main).to_contain_text(f"Valable jusqu'au {fr_date(ceam.expires_on, 'j F Y')}")
    expect(main).to_contain_text("Aucune carte CEAM en cours de validité")  # Léa and Hugo
    axe(page, "« Mes informations »")

    # A13 « Déconnexion »
    page.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url(site.url(reverse("accounts:logged_out")))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vous êtes déconnecté(e) de votre compte. Merci de votre visite !"
    )
    expect(page.get_by_role("link", name="J'accède à mon compte")).to_be_visible()
    expect(page.get_by_role("button", name="Déconnexion")).to_have_count(0)
    axe(page, "page de déconnexion")

    page.goto(site.url("/"))
    expect(page).to_have_url(re.compile(re.escape(site.url(reverse("account_login")))))
    expect(page.get_by_role("heading", level=1)).to_have_text("Me connecter")


def test_wrong_password_shows_french_error_next_to_form(page: Page, site, axe):
    log_in(page, site, password="Pas-le-bon-2026")
    expect(page).to_have_url(site.url(reverse("account_login")))
    error = page.get_by_role("main").locator("form").get_by_role("alert")
    expect(error).to_have_text("Le numéro de sécurité sociale ou le mot de passe est incorrect.")
    expect(page.get_by_label("Numéro de sécurité sociale")).to_have_value(CAMILLE_NIR_SPACED)
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    axe(page, "« Me connecter » après une erreur")


def assert_no_horizontal_scroll(page: Page, label):
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, (
        f"{label} scrolls horizontally: {scroll_width}px of content in {client_width}px"
    )


@pytest.mark.parametrize("width", [320])
def test_no_horizontal_scroll_on_small_screens(page: Page, site, width):
    """WCAG 1.4.10 (reflow): nothing may need horizontal scrolling at 320 CSS pixels."""
    page.set_viewport_size({"width": width, "height": 640})
    page.goto(site.url(reverse("account_login")))
    assert_no_horizontal_scroll(page, "« Me connecter »")
    log_in(page, site)
    expect(page).to_have_url(site.url(reverse("portal:home")))
    assert_no_horizontal_scroll(page, "« Accueil »")
    page.goto(site.url(reverse("portal:mes_informations")))
    assert_no_horizontal_scroll(page, "« Mes informations »")
    page.get_by_role("button", name="Déconnexion").click()
    expect(page).to_have_url(site.url(reverse("accounts:logged_out")))
    assert_no_horizontal_scroll(page, "la page de déconnexion")
