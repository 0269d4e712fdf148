"""FEATURES G1, G2, G3 in a real browser: Camille opens « Mon espace prévention » from the main
navigation, sees her maternity calendar (G1) and Hugo's next exam (G2), and marks that exam
« Réalisé ». axe-core runs on every page shown; at 320 px nothing scrolls sideways."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from playwright.sync_api import Page, expect

from assures.models import Person, Pregnancy
from prevention import rules
from prevention.models import ChildExamStatus
from tests.e2e.sessions import open_session as sign_in

NO_HORIZONTAL_SCROLL = """() =>
    document.documentElement.scrollWidth <= document.documentElement.clientWidth"""


def fr_date(value):
    with translation.override("fr"):
        return dateformat.format(value, "j F Y")


def squash(text):
    return " ".join(text.split())


def test_camille_maternity_calendar_and_hugos_next_exam(page: Page, site, axe):
    camille = site.users["camille"]
    me = camille.person
    hugo = Person.objects.get(attached_to__insured=me, first_name="Hugo")
    pregnancy = Pregnancy.objects.get(person=me)
    due = pregnancy.expected_delivery
    today = timezone.localdate()
    sign_in(page, site, camille)

    # « Accueil » › « Mon espace prévention » (main navigation)
    page.goto(site.url(reverse("portal:home")))
    nav = page.get_by_role("navigation", name="Menu principal")
    nav.get_by_role("link", name="Mon espace prévention").click()
    expect(page).to_have_url(site.url(reverse("prevention:hub")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace prévention")
    expect(nav.get_by_role("link", name="Mon espace prévention")).to_have_attribute(
        "aria-current", "page"
    )

    # G1 on the hub: due date, « 100 % maternité » from DPA − 4 months, congé of a 3rd child
    maternity = page.get_by_role("region", name="Maternité")
    expect(maternity).to_contain_text(f"Date présumée d'accouchement {fr_date(due)}")
    coverage_start = rules.add_months(due, -4)
    expect(maternity).to_contain_text(
        f"« 100 % maternité » Du {fr_date(coverage_start)} au "
        f"{fr_date(due + datetime.timedelta(days=12))}"
    )
    expect(maternity).to_contain_text("Congé maternité (3e enfant ou plus) 26 semaines")

    # G2 on the hub: Léa and Hugo, each with their next exam
    children = page.get_by_role("region", name="Santé de l'enfant")
    hugo_card = children.get_by_role("article", name=re.compile("^Hugo "))
    expected = rules.next_exam(rules.exam_lines(hugo.birth_date, set(), today))
    expect(hugo_card).to_contain_text("Prochain examen")
    expect(hugo_card).to_contain_text(expected.label)
    expect(hugo_card).to_contain_text(
        f"entre le {fr_date(expected.exam.start)} et le {fr_date(expected.exam.end)}"
    )
    expect(children.get_by_role("article")).to_have_count(2)

    # G3: the D6 voucher is offered (Léa and Hugo are between 3 and 24)
    dents = page.get_by_role("region", name="M'T Dents")
    expect(
        dents.get_by_role("link", name="Télécharger ma prise en charge M'T Dents")
    ).to_be_visible()
    axe(page, "« Mon espace prévention »")

    # G1 « Voir mon calendrier de grossesse »
    maternity.get_by_role("link", name="Voir mon calendrier de grossesse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maternité")
    calendar = page.get_by_role("region", name="Mon calendrier de grossesse")
    steps = calendar.get_by_role("listitem")
    expect(steps.filter(has_text="examen prénatal")).to_have_count(7)
    expect(steps.filter(has_text="échographie")).to_have_count(3)
    leave = page.get_by_role("region", name="Mon congé maternité")
    prenatal_start = due - datetime.timedelta(weeks=8)
    postnatal_end = due + datetime.timedelta(weeks=18) - datetime.timedelta(days=1)
    expect(leave).to_contain_text(
        f"Du {fr_date(prenatal_start)} au {fr_date(due - datetime.timedelta(days=1))}"
    )
    expect(leave).to_contain_text(f"Du {fr_date(due)} au {fr_date(postnatal_end)}")
    expect(calendar.get_by_text("Prochain rendez-vous")).to_have_count(1)
    axe(page, "« Maternité »")

    # Back to the space, then Hugo's exams (G2)
    page.get_by_role("link", name="Mon espace prévention", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace prévention")
    page.get_by_role("link", name="Voir les examens de Hugo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Santé de l'enfant : {hugo.full_name}"
    )
    row = page.locator(f"#examen-{expected.code}")
    expect(row).to_contain_text("Prochain examen")
    expect(row).to_contain_text("À planifier")
    axe(page, f"« Santé de l'enfant » ({hugo.first_name})")

    # Mark it « Réalisé »: the status changes, the next exam moves on
    row.get_by_role("button", name=f"Marquer « Réalisé » : examen « {expected.label} »").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Examen « {expected.label} » de Hugo : Réalisé."
    )
    row = page.locator(f"#examen-{expected.code}")
    expect(row.locator(".badge--success")).to_have_text("Réalisé")
    expect(row).not_to_contain_text("Prochain examen")
    expect(row.get_by_role("button")).to_have_accessible_name(
        f"Remettre « À planifier » : examen « {expected.label} »"
    )
    following = rules.next_exam(rules.exam_lines(hugo.birth_date, {expected.code}, today))
    expect(page.locator(f"#examen-{following.code}")).to_contain_text("Prochain examen")
    record = ChildExamStatus.objects.get(person=hugo)
    assert (record.exam, record.status, record.updated_by) == (expected.code, "realise", camille)
    axe(page, "examen indiqué « Réalisé »")


@pytest.mark.parametrize("width", [320])
def test_prevention_pages_fit_a_small_screen(page: Page, site, axe, width):
    """WCAG 1.4.10 (reflow) and axe on the pages of « Mon espace prévention » at 320 px."""
    camille = site.users["camille"]
    hugo = Person.objects.get(attached_to__insured=camille.person, first_name="Hugo")
    sign_in(page, site, camille)
    page.set_viewport_size({"width": width, "height": 640})
    for url, label in [
        (reverse("prevention:hub"), "« Mon espace prévention »"),
        (reverse("prevention:maternite"), "« Maternité »"),
        (reverse("prevention:child", args=[hugo.public_id]), "« Santé de l'enfant »"),
    ]:
        page.goto(site.url(url))
        assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{label} scrolls sideways at {width}px"
        axe(page, f"{label} à {width}px")
    page.get_by_text(re.compile(r"^Examens passés \(\d+\)$")).click()  # the <details> opens
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    axe(page, "examens passés ouverts")
    assert squash(page.locator(".prevention-past li").first.inner_text())
