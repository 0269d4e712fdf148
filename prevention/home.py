"""The « Mon espace prévention » teaser of « Accueil » (FEATURES B1), for the home view.

`home_teaser(person)` returns `{"prevention_teaser": {...}}` to merge into the home context:
a link to the space and at most a few short lines, the most useful first — the next pregnancy
appointment, then each child's next exam. 3 queries (family, pregnancies, exam statuses).
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from . import queries

MAX_ITEMS = 3


def home_teaser(person, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    members = queries.family(person)
    items = []
    for pregnant in queries.current_pregnancies(members, today):
        step = pregnant.calendar.next_appointment(today)
        if step is not None:
            items.append(
                {
                    "title": "Maternité",
                    "text": step.label,
                    "start": step.start,
                    "end": step.end,
                    "url": reverse("prevention:maternite"),
                }
            )
    for child in queries.child_health(queries.followed_children(members, today), today):
        line = child.next
        if line is not None:
            items.append(
                {
                    "title": f"Santé de l'enfant : {child.person.first_name}",
                    "text": f"Examen « {line.label} »",
                    "start": line.exam.start,
                    "end": line.exam.end,
                    "url": reverse("prevention:child", args=[child.person.public_id]),
                }
            )
    return {
        "prevention_teaser": {
            "title": "Mon espace prévention",
            "url": reverse("prevention:hub"),
            "items": items[:MAX_ITEMS],
        }
    }
