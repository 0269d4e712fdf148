"""Demo accueils, slots and one booking for `seed_demo` (FEATURES F3), idempotent.

* CPAM de Paris: « Accueil Paris 19e – Georges Auric » (physique 9 h–12 h and 14 h–16 h 30,
  téléphonique 9 h–12 h for two advisors) and « Accueil Paris 11e – Richard-Lenoir »
  (physique, mornings).
* CPAM de la Gironde: « Accueil Bordeaux – Place de l'Europe » (same pattern as Paris 19e) and
  « Accueil Mérignac » (physique, mornings).
* Slots cover the booking window (tomorrow to 6 weeks, Monday to Friday); a later run adds the
  days that entered the window and leaves the others as they are.
* Jean DUPUIS has a téléphonique appointment about his pension d'invalidité a few days ahead
  (no e-mail is sent by the seed), so agent.gironde sees a booking and Jean's « Mon agenda »
  is not empty. Camille has none: the browser journey books hers.
"""

import datetime
import uuid

from django.db.models import F

from assures.models import Caisse, Person

from . import rules
from .enums import Mode, Reason, Status
from .models import Appointment, Place, Slot
from .services import generate_slots

PLACES = {
    "751": [
        {
            "name": "Accueil Paris 19e – Georges Auric",
            "address_line1": "21 rue Georges Auric",
            "postal_code": "75019",
            "city": "Paris",
            "access_info": "Métro Ourcq (ligne 5), bus 60. Accès de plain-pied.",
            "series": [
                (Mode.PHYSIQUE, datetime.time(9), datetime.time(12), 1),
                (Mode.PHYSIQUE, datetime.time(14), datetime.time(16, 30), 1),
                (Mode.TELEPHONIQUE, datetime.time(9), datetime.time(12), 2),
            ],
        },
        {
            "name": "Accueil Paris 11e – Richard-Lenoir",
            "address_line1": "35 boulevard Richard-Lenoir",
            "postal_code": "75011",
            "city": "Paris",
            "access_info": "Métro Bréguet-Sabin (ligne 5). Ascenseur.",
            "series": [(Mode.PHYSIQUE, datetime.time(9), datetime.time(12), 1)],
        },
    ],
    "331": [
        {
            "name": "Accueil Bordeaux – Place de l'Europe",
            "address_line1": "Place de l'Europe",
            "postal_code": "33085",
            "city": "Bordeaux",
            "access_info": "Tram C, arrêt Place Ravezies. Accès de plain-pied.",
            "series": [
                (Mode.PHYSIQUE, datetime.time(9), datetime.time(12), 1),
                (Mode.PHYSIQUE, datetime.time(14), datetime.time(16, 30), 1),
                (Mode.TELEPHONIQUE, datetime.time(9), datetime.time(12), 2),
            ],
        },
        {
            "name": "Accueil Mérignac",
            "address_line1": "12 avenue de la Marne",
            "postal_code": "33700",
            "city": "Mérignac",
            "access_info": "Tram A, arrêt Mérignac Centre.",
            "series": [(Mode.PHYSIQUE, datetime.time(9), datetime.time(12), 1)],
        },
    ],
}
WEEKDAYS = [0, 1, 2, 3, 4]
DURATION = 30
JEAN_NIR = "1620133063087"
JEAN_TOKEN = uuid.UUID("5eed0000-0000-4000-8000-00000000f3e1")  # marks the demo booking


def seed(today):
    """Create or complete the demo accueils, slots and booking (see the module docstring)."""
    first, last = rules.booking_window(today)
    for code, places in PLACES.items():
        caisse = Caisse.objects.filter(code=code).first()
        if caisse is None:
            continue
        for spec in places:
            fields = {k: v for k, v in spec.items() if k not in ("name", "series")}
            place, _ = Place.objects.get_or_create(
                caisse=caisse, name=spec["name"], defaults=fields
            )
            for mode, start, end, capacity in spec["series"]:
                generate_slots(
                    place,
                    first_day=first,
                    last_day=last,
                    weekdays=WEEKDAYS,
                    start_time=start,
                    end_time=end,
                    duration_minutes=DURATION,
                    modes=[mode],
                    capacity=capacity,
                )
    _jean_appointment(today)


def _jean_appointment(today):
    jean = Person.objects.filter(nir=JEAN_NIR).first()
    if jean is None or Appointment.objects.filter(client_token=JEAN_TOKEN).exists():
        return
    day = today + datetime.timedelta(days=5)
    while day.weekday() not in WEEKDAYS:
        day += datetime.timedelta(days=1)
    slot = (
        Slot.objects.free()
        .filter(
            place__caisse_id=jean.caisse_id,
            mode=Mode.TELEPHONIQUE,
            starts_at__gte=rules.start_of_day(day) + datetime.timedelta(hours=10),
        )
        .order_by("starts_at")
        .first()
    )
    if slot is None:
        return
    Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") + 1)
    Appointment.objects.create(
        person=jean,
        slot=slot,
        reason=Reason.INVALIDITE,
        mode=Mode.TELEPHONIQUE,
        phone="+33698765432",
        details="Questions sur la déclaration de ressources de ma pension d'invalidité.",
        status=Status.BOOKED,
        client_token=JEAN_TOKEN,
    )
