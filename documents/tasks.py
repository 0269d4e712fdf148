"""Monthly relevés prepared in the background (FEATURES C2, D5; ARCHITECTURE decision 4).

`prepare_monthly_statements` (beat, daily) finds the insured who had payments in the last
complete month and no relevé for it yet, and queues one `prepare_monthly_statement` per person.
Both are idempotent: `services.issue()` reuses a relevé already issued, so a task that runs twice
(broker redelivery, a dead worker, beat catching up) issues nothing twice; a person missed one day
is picked up the next.
"""

import logging

from celery import shared_task
from django.utils import timezone

from assures.models import Person
from paiements.models import Payment

from . import rules, services
from .enums import DocumentKind
from .models import GeneratedDocument, parameters_key

logger = logging.getLogger(__name__)
BATCH = 500


def month_key(year, month):
    return f"{year:04d}-{month:02d}"


def people_missing_statement(year, month):
    """Ids of the insured with payments that month and no relevé for it yet."""
    start, end = rules.month_bounds(year, month)
    parameters = {"month": month_key(year, month)}
    done = GeneratedDocument.objects.filter(
        kind=DocumentKind.MONTHLY_STATEMENT, parameters_key=parameters_key(parameters)
    ).values("owner_id")
    return (
        Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
        .exclude(insured_id__in=done)
        .values_list("insured_id", flat=True)
        .distinct()
        .order_by("insured_id")
    )


@shared_task(acks_late=True)
def prepare_monthly_statements(limit=None):
    """Queue the relevé of the last complete month for whoever lacks it; returns how many."""
    year, month = rules.statement_months(timezone.localdate(), count=1)[0]
    queued = 0
    for person_id in people_missing_statement(year, month).iterator(chunk_size=BATCH):
        prepare_monthly_statement.delay(person_id, month_key(year, month))
        queued += 1
        if limit and queued >= limit:
            break
    logger.info("Relevés mensuels %s: %s queued", month_key(year, month), queued)
    return queued


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
)
def prepare_monthly_statement(person_id, month):
    """Issue (or find) one person's relevé for `month` ("YYYY-MM"). Returns its public id."""
    person = Person.objects.select_related("caisse").filter(pk=person_id).first()
    if person is None:
        return None
    try:
        document = services.issue(person, DocumentKind.MONTHLY_STATEMENT, {"month": month})
    except services.DocumentUnavailable as error:
        logger.info("No relevé for person %s, %s: %s", person_id, month, error.message)
        return None
    return str(document.public_id)
