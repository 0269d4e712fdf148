import datetime
from decimal import Decimal

import factory
from factory import fuzzy

from assures.factories import PersonFactory

from .enums import AttemptStatus, Nature, Payee, SickLeaveKind
from .models import (
    C2sCoverage,
    Creance,
    CreanceLine,
    CreancePayment,
    Payment,
    PaymentLine,
    ProcessingDelay,
    ProcessingTheme,
    SickLeave,
)


def _add_lines(obj, create, extracted, **kwargs):
    """Liquidate `extracted` (LineSpecs, or True for a consultation) as the payment's lines."""
    if not create or not extracted:
        return
    from . import demo, services

    if extracted is True:
        specs, professional = demo.ADULT_VISITS[0].lines, demo.ADULT_VISITS[0].professional
    else:
        specs, professional = extracted, kwargs.get("professional", "Dr Claire BERNARD")
    care_date = obj.care_date or obj.paid_on
    services.liquidate_care_payment(obj, [spec.build(care_date, professional) for spec in specs])


def _default_lines(obj, create, extracted, **kwargs):
    _add_lines(obj, create, extracted or True, **kwargs)


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment. `PaymentFactory(with_lines=True)` (a care payment) also gets the lines of a
    décompte, liquidated like a real one: PF/franchises kept back and amount = net of the lines.
    Pass `lines=[demo.LineSpec(...), ...]` for chosen lines (`lines__professional=` too)."""

    class Meta:
        model = Payment
        skip_postgeneration_save = True

    class Params:
        with_lines = False

    insured = factory.SubFactory(PersonFactory)
    beneficiary = factory.SelfAttribute("insured")
    paid_on = fuzzy.FuzzyDate(datetime.date(2025, 1, 1), datetime.date(2026, 11, 1))
    care_date = factory.LazyAttribute(lambda o: o.paid_on - datetime.timedelta(days=5))
    nature = Nature.CARE
    label = "Consultation médecin généraliste"
    amount = fuzzy.FuzzyDecimal(1, 120)
    payee = Payee.INSURED
    lines = factory.Maybe(
        "with_lines",
        yes_declaration=factory.PostGeneration(_default_lines),
        no_declaration=factory.PostGeneration(_add_lines),
    )


class PaymentLineFactory(factory.django.DjangoModelFactory):
    """A bare line (no liquidation): for tests that set every figure themselves."""

    class Meta:
        model = PaymentLine

    payment = factory.SubFactory(PaymentFactory)
    care_date = factory.SelfAttribute("payment.care_date")
    act = "Consultation du médecin généraliste"
    act_code = "G"
    professional = "Dr Claire BERNARD"
    amount_paid = Decimal("30.00")
    base = Decimal("30.00")
    rate = 70
    reimbursed = Decimal("21.00")


class SickLeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SickLeave

    person = factory.SubFactory(PersonFactory)
    kind = SickLeaveKind.ILLNESS
    start = datetime.date(2026, 1, 5)
    end = datetime.date(2026, 2, 15)
    employer = "Boulangerie Dupont"


class C2sCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = C2sCoverage

    person = factory.SubFactory(PersonFactory)
    start = datetime.date(2026, 1, 1)
    end = datetime.date(2026, 12, 31)


class CreanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creance

    person = factory.SubFactory(PersonFactory)
    reference = factory.Sequence(lambda n: f"{9_000_000_000_000_000 + n:016d}B")
    issued_on = datetime.date(2026, 1, 15)
    label = "Participations forfaitaires et franchises médicales non récupérées"


class CreanceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreanceLine

    creance = factory.SubFactory(CreanceFactory)
    label = "Franchises médicales non récupérées"
    period_label = "Année 2024"
    amount_due = Decimal("45.00")


class CreancePaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreancePayment

    creance = factory.SubFactory(CreanceFactory)
    submission_token = factory.Faker("uuid4", cast_to=None)
    amount = Decimal("20.00")
    status = AttemptStatus.PENDING


class ProcessingThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessingTheme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"theme-{n}")
    label = factory.Sequence(lambda n: f"Thématique {n}")


class ProcessingDelayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessingDelay

    caisse = factory.SubFactory("assures.factories.CaisseFactory")
    theme = factory.SubFactory(ProcessingThemeFactory)
    working_days = 10
