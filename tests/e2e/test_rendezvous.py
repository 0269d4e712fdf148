"""FEATURES F3 « Prendre un rendez-vous » / « Mes rendez-vous » and X5 in a real browser, with
axe-core on every page shown.

Camille MARTIN (CPAM de Paris) books a physical appointment at an accueil of her caisse, finds
it in « Mes rendez-vous », downloads its .ics, subscribes her calendar, then cancels it; the
confirmation and the cancellation leave through the outbox (F4).

Set E2E_SCREENSHOTS=<dir> to keep a full-page PNG of every page visited.
"""

import os
import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from messagerie.models import OutboundMessage
from rendezvous.enums import Status
from rendezvous.models import Appointment
from tests.e2e.sessions import open_session as log_in

SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(page: Page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def check(page: Page, axe, name):
    axe(page, name)
    shot(page, name)


def no_horizontal_scroll(page: Page):
    """X6: usable at 320 px without scrolling sideways."""
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 320


def test_camille_books_downloads_and_cancels(page: Page, site, axe, settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms")  # her SMS stay out of var/sms
    camille = site.users["camille"]
    log_in(page, site, camille)
    main = page.get_by_role("main")

    page.goto(site.url(reverse("rendezvous:list")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes rendez-vous")
    expect(main).to_contain_text("Vous n'avez aucun rendez-vous à venir.")
    check(page, axe, "rdv-01-mes-rendez-vous-vide")

    page.get_by_role("link", name="Prendre un rendez-vous").click()
    expect(page.get_by_text("Étape 1 sur 2")).to_be_visible()
    expect(main).to_contain_text("CPAM de Paris")
    expect(main).not_to_contain_text("Bordeaux")  # only the accueils of her caisse
    page.get_by_role("button", name="Voir les créneaux disponibles").click()
    expect(page.get_by_text("Choisissez le motif de votre rendez-vous.")).to_be_visible()
    expect(page.get_by_text("Choisissez un rendez-vous physique ou téléphonique.")).to_be_visible()
    check(page, axe, "rdv-02-etape-1-erreurs")
    no_horizontal_scroll(page)

    page.get_by_label("Mes droits, ma carte Vitale").check()
    page.get_by_label("Rendez-vous physique : dans un accueil de votre caisse").check()
    page.get_by_label("Accueil Paris 19e").check()
    page.get_by_role("button", name="Voir les créneaux disponibles").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez un créneau")
    expect(main).to_contain_text("21 rue Georges Auric, 75019 Paris")
    check(page, axe, "rdv-03-creneaux")
    no_horizontal_scroll(page)
    first_slot = page.locator("input[name=creneau]").first
    hour = page.locator(f"label[for='{first_slot.get_attribute('id')}']").inner_text()
    page.get_by_role("button", name="Confirmer le rendez-vous").click()  # no slot chosen
    expect(page.get_by_text("Choisissez un créneau.")).to_be_visible()
    check(page, axe, "rdv-04-creneaux-erreur")
    page.locator("input[name=creneau]").first.check()
    page.get_by_label("Précisez votre demande").fill("Mise à jour de ma carte Vitale.")
    page.get_by_role("button", name="Confirmer le rendez-vous").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon rendez-vous")
    expect(page.get_by_role("status").first).to_contain_text(
        "Votre rendez-vous est confirmé. Une confirmation vous est envoyée par e-mail et par SMS."
    )
    appointment = Appointment.objects.get(person=camille.person)
    assert appointment.status == Status.BOOKED
    assert appointment.slot.place.name == "Accueil Paris 19e – Georges Auric"
    expect(main).to_contain_text(appointment.reference)
    expect(main).to_contain_text(f"de {hour} à")
    check(page, axe, "rdv-05-confirmation")
    no_horizontal_scroll(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"rendez-vous-{appointment.reference}.ics"
    calendar = Path(download.path()).read_bytes().decode()
    assert "BEGIN:VEVENT\r\n" in calendar
    assert f"UID:{appointment.public_id}@" in calendar
    assert re.search(r"^DTSTART:\d{8}T\d{6}Z\r$", calendar, re.M)

    page.get_by_role("link", name="Mes rendez-vous").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes rendez-vous")
    upcoming = page.get_by_role("region", name="À venir")
    expect(upcoming).to_contain_text(appointment.reference)
    expect(upcoming).to_contain_text("Accueil Paris 19e – Georges Auric")
    check(page, axe, "rdv-06-mes-rendez-vous")

    page.get_by_role("button", name="Créer mon lien d'abonnement").click()
    feed_url = page.get_by_label("Votre lien d'abonnement personnel").input_value()
    assert re.fullmatch(r"http://[^/]+/rendez-vous/agenda/[A-Za-z0-9_-]{43}\.ics", feed_url)
    check(page, axe, "rdv-07-abonnement")
    feed = page.request.get(feed_url)
    assert feed.status == 200 and f"UID:{appointment.public_id}@" in feed.text()

    upcoming.get_by_role("link", name=re.compile("^Annuler")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler ce rendez-vous ?")
    check(page, axe, "rdv-08-annuler")
    page.get_by_role("button", name="Oui, annuler le rendez-vous").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes rendez-vous")
    expect(page.get_by_role("status").first).to_contain_text("est annulé.")
    expect(page.get_by_role("region", name="À venir")).to_contain_text("aucun rendez-vous à venir")
    expect(page.get_by_role("region", name="Passés et annulés")).to_contain_text(
        appointment.reference
    )
    check(page, axe, "rdv-09-annule")
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert page.request.get(feed_url).text().count("BEGIN:VEVENT") == 0

    sent = OutboundMessage.objects.filter(user=camille, template__startswith="rendezvous_")
    assert len(list((tmp_path / "sms").glob("*.json"))) == 2
    assert sorted(sent.values_list("template", "channel")) == [
        ("rendezvous_annulation", "email"),
        ("rendezvous_annulation", "sms"),
        ("rendezvous_confirmation", "email"),
        ("rendezvous_confirmation", "sms"),
    ]
