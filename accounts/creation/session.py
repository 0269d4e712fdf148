"""What a creation or recovery run keeps between its steps (one URL per step).

The session holds the registry person's id, when the identity was proved, and each step's
result — never a password in clear (A1 keeps its hash, made with the project's hasher). A run
lasts `RUN_TTL` from the identity check; after that the person starts again.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assures.models import Person

RUN_TTL = datetime.timedelta(minutes=30)


class Run:
    """A multi-step run stored under `key` in the session."""

    def __init__(self, request, key: str):
        self.request = request
        self.key = key
        self.data = dict(request.session.get(key) or {})

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, person: Person, **extra):
        self.data = {"person": person.pk, "started": timezone.now().isoformat(), **extra}
        self._save()

    def update(self, **values):
        self.data.update(values)
        self._save()

    def clear(self):
        self.data = {}
        self.request.session.pop(self.key, None)

    def _save(self):
        self.request.session[self.key] = self.data

    # -- reading ------------------------------------------------------------------------------
    @property
    def started(self) -> datetime.datetime | None:
        value = self.data.get("started")
        return parse_datetime(value) if value else None

    def is_live(self) -> bool:
        started = self.started
        return started is not None and timezone.now() - started <= RUN_TTL

    def person(self) -> Person | None:
        """The person of a live run, or None (no run, or run expired: it is then cleared)."""
        if not self.is_live():
            if self.data:
                self.clear()
            return None
        return Person.objects.filter(pk=self.data.get("person")).select_related("caisse").first()

    def get(self, name, default=None):
        return self.data.get(name, default)

    def get_datetime(self, name) -> datetime.datetime | None:
        value = self.data.get(name)
        return parse_datetime(value) if value else None
