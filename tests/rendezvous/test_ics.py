"""FEATURES X5: an appointment as an RFC 5545 .ics file — content lines, folding, escaping,
a VEVENT with UID, DTSTAMP, DTSTART/DTEND in UTC, SUMMARY and LOCATION — downloadable only by
its owner."""

import datetime
import re

import pytest
from django.urls import reverse

from rendezvous import ics, services
from rendezvous.enums import Mode, Reason

from .conftest import make_slot

pytestmark = pytest.mark.django_db


def unfold(text):
    """RFC 5545 §3.1: remove every CRLF followed by one space or tab."""
    return re.sub(r"\r\n[ \t]", "", text)


def properties(text, component="VEVENT"):
    """{name: value} of the first `component` (parameters dropped), on unfolded lines."""
    lines = unfold(text).split("\r\n")
    start = lines.index(f"BEGIN:{component}")
    found = {}
    for line in lines[start + 1 :]:
        if line == f"END:{component}" or line.startswith("BEGIN:"):
            break
        name, _, value = line.partition(":")
        found.setdefault(name.split(";")[0], value)
    return found


def unescape(value):
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def assert_rfc5545_lines(text):
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    for line in text.split("\r\n")[:-1]:
        assert len(line.encode()) <= 75, line
        line.encode().decode()  # never cut inside a UTF-8 character


# --- the writer --------------------------------------------------------------------------------
def test_x5_text_escaping():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


@pytest.mark.parametrize("text", ["x" * 200, "é" * 120, "Accueil – " * 30, "€" + "a" * 74])
def test_x5_folding_at_75_octets_keeps_characters_whole(text):
    line = "DESCRIPTION:" + text
    folded = ics.fold(line)
    for physical in folded.split("\r\n"):
        assert len(physical.encode()) <= 75
    assert unfold(folded) == line


def test_x5_short_lines_are_not_folded():
    assert ics.fold("SUMMARY:Rendez-vous") == "SUMMARY:Rendez-vous"


def test_x5_utc_format():
    paris = datetime.datetime(
        2026, 7, 1, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert ics.utc(paris) == "20260701T073000Z"


# --- the download ------------------------------------------------------------------------------
def download(client, user, appointment):
    client.force_login(user)
    return client.get(reverse("rendezvous:ics", args=[appointment.public_id]))


def test_x5_ics_of_a_physical_appointment(client, insured, slot):
    appointment, _ = services.book(insured, slot_id=slot.pk, reason=Reason.MATERNITE)
    response = download(client, insured, appointment)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rendez-vous-{appointment.reference}.ics"'
    )
    text = response.content.decode()
    assert_rfc5545_lines(text)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert unfold(text).count("BEGIN:VEVENT") == 1
    event = properties(text)
    assert event["UID"] == f"{appointment.public_id}@127.0.0.1"
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    start_utc = slot.starts_at.astimezone(datetime.UTC)
    assert event["DTSTART"] == start_utc.strftime("%Y%m%dT%H%M%SZ")
    assert event["DTEND"] == (start_utc + datetime.timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")
    assert unescape(event["SUMMARY"]) == "Rendez-vous à l'accueil de la CPAM de Test"
    assert event["LOCATION"] == "Accueil du Centre\\, 10 rue de la Paix\\, 75002 Paris"
    description = unescape(event["DESCRIPTION"])
    assert f"Référence : {appointment.reference}" in description
    assert "Motif : Maternité, paternité, naissance" in description  # the person's own copy
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == "0"
    assert properties(text, "VALARM")["TRIGGER"] == "-P1D"


def test_x5_ics_of_a_phone_appointment(client, insured, place):
    slot = make_slot(place, mode=Mode.TELEPHONIQUE)
    appointment, _ = services.book(
        insured, slot_id=slot.pk, reason=Reason.AUTRE, phone="+33612345678"
    )
    event = properties(download(client, insured, appointment).content.decode())
    assert unescape(event["SUMMARY"]) == "Rendez-vous téléphonique avec la CPAM de Test"
    assert unescape(event["LOCATION"]).startswith("Par téléphone")
    assert "0612345678" not in unfold(event["LOCATION"]).replace(" ", "")


def test_x5_ics_of_a_cancelled_appointment_updates_the_event(client, insured, slot):
    appointment, _ = services.book(insured, slot_id=slot.pk, reason=Reason.AUTRE)
    first = properties(download(client, insured, appointment).content.decode())
    services.cancel(appointment, by=insured)
    event = properties(download(client, insured, appointment).content.decode())
    assert event["UID"] == first["UID"]
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", "1")


def test_x5_ics_of_someone_else_is_a_404(client, insured, neighbour, slot):
    appointment, _ = services.book(insured, slot_id=slot.pk, reason=Reason.AUTRE)
    assert download(client, neighbour, appointment).status_code == 404
