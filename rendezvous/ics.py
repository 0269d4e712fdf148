"""X5: appointments as iCalendar (RFC 5545), written by hand — it is small.

* Lines end with CRLF and are folded at 75 octets (a continuation line starts with one space),
  never inside a multi-byte UTF-8 character (RFC 5545 §3.1).
* TEXT values escape backslash, semicolon, comma and newlines (§3.3.11).
* Times are UTC (`DTSTART:20260512T073000Z`), so no VTIMEZONE is needed (§3.3.5, form #2).
* Each VEVENT has a stable UID (the appointment's public UUID @ the site's host) and a DTSTAMP;
  a cancelled appointment is exported with STATUS:CANCELLED and SEQUENCE:1, so that importing
  it again updates the event already in the calendar.

Privacy: the subscription feed is polled by calendar servers (Google, Apple…) that the person
chose, so its events carry the time, the place and the reference but not the reason; the
single download (`appointment_calendar`) adds the reason, the person imports it themselves.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from .enums import Mode, Status

PRODID = "-//Portail assure//Rendez-vous (FEATURES F3 X5)//FR"
CRLF = "\r\n"
FOLD_AT = 75  # octets, CRLF excluded


def escape_text(value) -> str:
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets (RFC 5545 §3.1)."""
    if len(line.encode()) <= FOLD_AT:
        return line
    chunks, current, size = [], [], 0
    for char in line:
        width = len(char.encode())
        if size + width > FOLD_AT:
            chunks.append("".join(current))
            current, size = [], 1  # the leading space of the continuation line
        current.append(char)
        size += width
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "portail-assure.local"


def _summary(appointment) -> str:
    caisse = appointment.slot.place.caisse.name
    if appointment.mode == Mode.TELEPHONIQUE:
        return f"Rendez-vous téléphonique avec la {caisse}"
    return f"Rendez-vous à l'accueil de la {caisse}"


def _location(appointment) -> str:
    place = appointment.slot.place
    if appointment.mode == Mode.TELEPHONIQUE:
        return f"Par téléphone : un conseiller de l'accueil « {place.name} » vous appelle"
    return f"{place.name}, {place.one_line_address}"


def _description(appointment, include_reason) -> str:
    lines = [f"Référence : {appointment.reference}"]
    if include_reason:
        lines.append(f"Motif : {appointment.get_reason_display()}")
    if appointment.mode == Mode.TELEPHONIQUE:
        lines.append(
            "Un conseiller vous appelle au numéro indiqué lors de la prise de rendez-vous."
        )
    else:
        lines.append("Munissez-vous de votre carte Vitale et d'une pièce d'identité.")
    lines.append(f"Mes rendez-vous : {settings.SITE_URL}{reverse('rendezvous:list')}")
    return "\n".join(lines)


def event_lines(appointment, *, stamp, include_reason) -> list[str]:
    slot = appointment.slot
    cancelled = appointment.status == Status.CANCELLED
    lines = [
        "BEGIN:VEVENT",
        f"UID:{appointment.public_id}@{uid_host()}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(slot.starts_at)}",
        f"DTEND:{utc(slot.ends_at)}",
        f"SUMMARY:{escape_text(_summary(appointment))}",
        f"LOCATION:{escape_text(_location(appointment))}",
        f"DESCRIPTION:{escape_text(_description(appointment, include_reason))}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SEQUENCE:{1 if cancelled else 0}",
        "TRANSP:OPAQUE",
    ]
    if not cancelled:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-P1D",
            f"DESCRIPTION:{escape_text('Rappel : ' + _summary(appointment))}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def calendar(appointments, *, stamp, include_reason, name=None, refresh=None) -> str:
    """A VCALENDAR holding one VEVENT per appointment, as the text of an .ics file."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines += [f"NAME:{escape_text(name)}", f"X-WR-CALNAME:{escape_text(name)}"]
    if refresh:
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}", f"X-PUBLISHED-TTL:{refresh}"]
    for appointment in appointments:
        lines += event_lines(appointment, stamp=stamp, include_reason=include_reason)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def appointment_calendar(appointment, *, stamp) -> str:
    """The .ics of one appointment (« Ajouter à mon agenda »)."""
    return calendar([appointment], stamp=stamp, include_reason=True)


FEED_NAME = "Mes rendez-vous — Assurance Maladie"
FEED_REFRESH = "PT6H"


def feed_calendar(appointments, *, stamp) -> str:
    """The subscription feed (X5): upcoming appointments, no reason (see module docstring)."""
    return calendar(
        appointments, stamp=stamp, include_reason=False, name=FEED_NAME, refresh=FEED_REFRESH
    )
