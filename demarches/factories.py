"""factory_boy factories of the démarches engine, with one trait per status (tests, demo)."""

import datetime

import factory
from django.utils import timezone

from assures.factories import PersonFactory

from .enums import FINAL_STATUSES, Status
from .models import Demarche, DemarcheTransition

_counter = iter(range(1, 10**6))


class DemarcheFactory(factory.django.DjangoModelFactory):
    """A démarche of any type, coherent with the database constraints for its status.

    `DemarcheFactory(submitted=True)` / `accepted=True`… build a row already in that status
    (with its reference and dates); the transition log is not written (use the services)."""

    class Meta:
        model = Demarche

    class Params:
        submitted = factory.Trait(status=Status.DEPOSEE)
        instructing = factory.Trait(status=Status.EN_INSTRUCTION)
        document_requested = factory.Trait(status=Status.PIECE_DEMANDEE)
        accepted = factory.Trait(status=Status.ACCEPTEE)
        refused = factory.Trait(status=Status.REFUSEE)

    type = "changement-adresse"
    person = factory.SubFactory(PersonFactory)
    beneficiary = factory.SelfAttribute("person")
    status = Status.BROUILLON
    payload = factory.LazyFunction(dict)
    submitted_at = factory.LazyAttribute(
        lambda o: (
            None if o.status == Status.BROUILLON else timezone.now() - datetime.timedelta(hours=1)
        )
    )
    reference = factory.LazyAttribute(
        lambda o: None if o.status == Status.BROUILLON else f"DEM-1999-{next(_counter):06d}"
    )
    decided_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in FINAL_STATUSES else None
    )


class DemarcheTransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DemarcheTransition

    demarche = factory.SubFactory(DemarcheFactory, submitted=True)
    from_status = Status.BROUILLON
    to_status = Status.DEPOSEE
    actor = "assure"
    by = None
