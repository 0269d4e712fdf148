"""Issuing documents (FEATURES D1–D8, X1): one function, one atomic block.

`issue(owner, kind, parameters)` returns the `GeneratedDocument` to download:

* the one already issued with the same parameters when it can be reused — forever for
  documents fixed in time (a payment's décompte, a closed month, a past year, a card, a yearly
  voucher), within `REUSE_WINDOW` for a situation at a date (attestations): a double submission
  never creates two documents;
* otherwise a new one: rendered once, stored under a random name in private storage
  (STORAGES["default"]), with a fresh unique verification code.

Concurrent requests for the same person are serialised on the person's row
(`select_for_update`; a no-op on SQLite, whose writes are serialised anyway) and a cache lock,
and the reuse check is repeated once the lock is held.
"""

import logging
import time

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assures.models import Person

from .models import GeneratedDocument, parameters_key
from .renderers import DocumentUnavailable, get_renderer
from .verification import new_code

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = 30  # seconds; a render takes ~0.1 s
LOCK_WAIT = 10
CODE_ATTEMPTS = 5

__all__ = ["DocumentUnavailable", "issue", "reusable"]


def reusable(owner, kind, parameters, renderer=None, now=None):
    """The document already issued that answers this request, if any."""
    renderer = renderer or get_renderer(kind, owner, parameters)
    queryset = GeneratedDocument.objects.matching(owner, kind, parameters)
    if renderer.reuse_window is not None:
        now = now or timezone.now()
        queryset = queryset.filter(created_at__gte=now - renderer.reuse_window)
    return queryset.order_by("-created_at", "-id").first()


class _PersonLock:
    """A cache lock per person (works across processes with Redis, across threads otherwise)."""

    def __init__(self, person_id):
        self.key = f"documents:issue-lock:{person_id}"
        self.acquired = False

    def __enter__(self):
        deadline = time.monotonic() + LOCK_WAIT
        while not cache.add(self.key, 1, LOCK_TIMEOUT):
            if time.monotonic() > deadline:
                break  # the database lock still protects PostgreSQL
            time.sleep(0.05)
        else:
            self.acquired = True
        return self

    def __exit__(self, *exc):
        if self.acquired:
            cache.delete(self.key)


def issue(owner: Person, kind, parameters: dict, *, today=None) -> GeneratedDocument:
    """Return the document for `owner` (reused or newly rendered).

    Raises `DocumentUnavailable` (with the French reason) when it cannot be issued.
    """
    parameters = parameters or {}
    renderer = get_renderer(kind, owner, parameters, today)
    existing = reusable(owner, kind, parameters, renderer)
    if existing is not None:
        return existing
    with _PersonLock(owner.pk):
        stored = []
        try:
            with transaction.atomic():
                Person.objects.select_for_update().filter(pk=owner.pk).first()
                existing = reusable(owner, kind, parameters, renderer)
                if existing is not None:
                    return existing
                return _create(owner, kind, parameters, renderer, stored)
        except BaseException:
            # Nothing half-saved: a file whose row was rolled back is removed.
            for file in stored:
                file.storage.delete(file.name)
            raise


def _create(owner, kind, parameters, renderer, stored):
    renderer.data  # noqa: B018 - gathers the data, or raises DocumentUnavailable
    document = GeneratedDocument(
        owner=owner,
        kind=kind,
        title=renderer.get_title()[:200],
        parameters=parameters,
        parameters_key=parameters_key(parameters),
        created_at=timezone.now(),
        valid_until=renderer.get_valid_until(),
        verification_code=_unused_code(),
    )
    pdf = renderer.render(document)
    document.size = len(pdf)
    document.file.save("document.pdf", ContentFile(pdf), save=False)
    stored.append(document.file)
    document.save()
    return document


def _unused_code():
    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        if not GeneratedDocument.objects.filter(verification_code=code).exists():
            return code
        logger.warning("Verification code collision: drawing another one")
    raise RuntimeError("No unused verification code found")  # 59 bits: never in practice
