"""Periodic work of the démarches (CELERY_BEAT_SCHEDULE « process-due-demarches »).

* FEATURES E5: a change of IBAN nobody decided on within 48 h is recorded automatically
  (`auto_accept_at`), and the person gets a message;
* FEATURES E2: Vitale orders move on (commandée → en fabrication → envoyée → en service).

Idempotent: each démarche is claimed under a row lock and checked again before it changes.
"""

from celery import shared_task
from django.utils import timezone

from . import services
from .registry import all_types


@shared_task(acks_late=True)
def process_due():
    now = timezone.now()
    accepted = services.accept_due(now)
    advanced = sum(kind.periodic(now) for kind in all_types())
    return {"accepted": len(accepted), "advanced": advanced}
