"""State-changing functions of « Mes paiements » (one atomic block each, side effects on commit).

* `liquidate_care_payment`: PF and franchises of a new care payment (C4), its amount (C1);
* `start_creance_payment` and `apply_kiosque_return`: « Payer une créance » (C6).
"""

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from assures.models import Pregnancy
from messagerie.enums import Theme
from messagerie.services import post_to_insured
from portal.templatetags.portal import euros

from . import franchises
from .enums import AttemptStatus, DeductionKind, Payee
from .models import (
    ZERO,
    C2sCoverage,
    CreanceLine,
    CreancePayment,
    CreancePaymentLine,
    PaymentLine,
    pending_reserved,
)
from .psp import BadReturn

CREANCE_MIN_PER_LINE = Decimal("16.00")
CREANCE_MAX_PER_LINE = Decimal("50.00")
# A PF/franchises balance in this range can be paid online (seed 001, « Payer une créance »).
CREANCE_BALANCE_MIN = Decimal("100.00")
CREANCE_BALANCE_MAX = Decimal("150.00")
# An attempt left at the kiosque holds its amounts this long (then it no longer blocks others).
PENDING_HOLD = datetime.timedelta(minutes=30)


# --- C4: participations forfaitaires and franchises --------------------------------------------
def person_facts(person, pregnancies=None, c2s=None) -> franchises.PersonFacts:
    """The facts that may exempt `person` (pass prefetched rows to save queries)."""
    if pregnancies is None:
        pregnancies = person.pregnancies.all()
    if c2s is None:
        c2s = C2sCoverage.objects.filter(person=person)
    return franchises.PersonFacts(
        birth_date=person.birth_date,
        expected_deliveries=tuple(p.expected_delivery for p in pregnancies),
        c2s_periods=tuple((c.start, c.end) for c in c2s),
    )


def _act(line, payment, deducted=None):
    return franchises.Act(
        key=line.pk if line.pk else id(line),
        on=line.care_date,
        kind=line.deduction_kind,
        professional=line.professional,
        reimbursed=line.reimbursed,
        deductible=payment.payee == Payee.INSURED,
        deducted=deducted,
    )


def year_lines(beneficiary, year, exclude_payment=None):
    """Lines with a PF or franchise of `beneficiary`'s care in `year`, in liquidation order."""
    lines = (
        PaymentLine.objects.filter(
            payment__beneficiary=beneficiary,
            care_date__year=year,
        )
        .exclude(deduction_kind=DeductionKind.NONE)
        .select_related("payment")
        .order_by("payment__paid_on", "payment_id", "id")
    )
    if exclude_payment is not None:
        lines = lines.exclude(payment=exclude_payment)
    return lines


@transaction.atomic
def liquidate_care_payment(payment, lines):
    """Save the new `lines` of a care payment with what to keep back on each (C4), against the
    beneficiary's counter of the year so far, and set the payment's amount to their net sum.

    Past payments are never changed: the new lines come after them in the counter.
    """
    beneficiary = payment.beneficiary
    facts = person_facts(beneficiary)
    new_by_year = defaultdict(list)
    for line in lines:
        line.payment = payment
        new_by_year[line.care_date.year].append(line)
    for year, new_lines in new_by_year.items():
        earlier = [
            _act(line, line.payment, deducted=line.deduction)
            for line in year_lines(beneficiary, year, exclude_payment=payment)
        ]
        fresh = [_act(line, payment) for line in new_lines]
        counter = franchises.compute_year(facts, year, [*earlier, *fresh])
        for line, act in zip(new_lines, fresh, strict=True):
            if line.deduction_kind == DeductionKind.NONE:
                line.deduction = ZERO
            else:
                line.deduction = counter.charge(act.key).deducted
    PaymentLine.objects.bulk_create(lines)
    payment.amount = sum((line.net for line in lines), ZERO)
    if payment.amount <= ZERO:
        raise ValidationError("Un paiement de soins doit avoir un montant positif.")
    payment.save(update_fields=["amount"])
    return payment


def year_counters(people, years):
    """{(person id, year): YearCounter} for the « Mes participations forfaitaires et
    franchises » page, from the stored lines (what was actually deducted), in 3 queries."""
    people = list(people)
    ids = [p.pk for p in people]
    pregnancies = defaultdict(list)
    for pregnancy in Pregnancy.objects.filter(person_id__in=ids):
        pregnancies[pregnancy.person_id].append(pregnancy)
    c2s = defaultdict(list)
    for coverage in C2sCoverage.objects.filter(person_id__in=ids):
        c2s[coverage.person_id].append(coverage)
    acts = defaultdict(list)
    lines = (
        PaymentLine.objects.filter(
            payment__beneficiary_id__in=ids,
            care_date__gte=datetime.date(min(years), 1, 1),
            care_date__lte=datetime.date(max(years), 12, 31),
        )
        .exclude(deduction_kind=DeductionKind.NONE)
        .select_related("payment")
        .order_by("payment__paid_on", "payment_id", "id")
    )
    for line in lines:
        acts[line.payment.beneficiary_id].append(_act(line, line.payment, deducted=line.deduction))
    counters = {}
    for person in people:
        facts = person_facts(person, pregnancies[person.pk], c2s[person.pk])
        for year in years:
            counters[(person.pk, year)] = franchises.compute_year(facts, year, acts[person.pk])
    return counters


# --- C6: « Payer une créance » -----------------------------------------------------------------
def available_on_lines(lines, now=None):
    """{line id: what may still be paid} = remaining less what pending attempts hold."""
    now = now or timezone.now()
    held = pending_reserved(lines, now - PENDING_HOLD)
    return {line.pk: max(line.remaining - held.get(line.pk, ZERO), ZERO) for line in lines}


def check_line_amount(amount, available):
    """The French error for paying `amount` on a line where `available` may be paid, or None."""
    if available <= ZERO:
        return "Cette ligne est déjà réglée."
    if available < CREANCE_MIN_PER_LINE:
        if amount != available:
            return (
                f"Le reste dû sur cette ligne est inférieur à 16 € : réglez-le en totalité "
                f"({euros(available)})."
            )
        return None
    if amount < CREANCE_MIN_PER_LINE or amount > CREANCE_MAX_PER_LINE:
        return "Le montant à régler doit être compris entre 16,00 € et 50,00 € par ligne."
    if amount > available:
        return f"Le montant ne peut pas dépasser le reste dû sur cette ligne ({euros(available)})."
    return None


def start_creance_payment(creance, submission_token: uuid.UUID, amounts):
    """Create the payment attempt of `amounts` ({CreanceLine: Decimal}) on `creance`.

    The same form submitted twice (same `submission_token`) gives back the first attempt and
    creates nothing more. Amounts are checked again under a row lock, so two tabs cannot pay
    more than what is owed. Raises ValidationError({line id: message}) when one no longer fits.
    """
    by_pk = {line.pk: amount for line, amount in amounts.items()}
    existing = CreancePayment.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        if existing.creance_id != creance.pk:
            raise ValidationError("Ce formulaire a déjà été utilisé.")
        return existing
    try:
        with transaction.atomic():
            lines = list(
                CreanceLine.objects.select_for_update()
                .filter(creance=creance, pk__in=list(by_pk))
                .order_by("pk")
            )
            if len(lines) != len(amounts):
                raise ValidationError("Ligne de créance inconnue.")
            available = available_on_lines(lines)
            errors = {}
            for line in lines:
                message = check_line_amount(by_pk[line.pk], available[line.pk])
                if message:
                    errors[str(line.pk)] = message
            if errors:
                raise ValidationError(errors)
            attempt = CreancePayment.objects.create(
                creance=creance,
                submission_token=submission_token,
                amount=sum(amounts.values(), ZERO),
            )
            CreancePaymentLine.objects.bulk_create(
                CreancePaymentLine(attempt=attempt, line=line, amount=by_pk[line.pk])
                for line in lines
            )
            return attempt
    except IntegrityError:
        # The twin submission won the race on the unique token: use its attempt.
        return CreancePayment.objects.get(submission_token=submission_token, creance=creance)


@transaction.atomic
def apply_kiosque_return(person, result):
    """Record the kiosque's verified `result` (psp.verify_return) on `person`'s attempt.

    A paid attempt updates the lines and leaves an « accusé de réception » in the insured's
    messagerie (F1), which also e-mails them a « nouveau message » notice through the outbox.
    Idempotent: the same return again changes nothing. A different outcome for a finished
    attempt, another transaction, or a wrong amount raise BadReturn and change nothing.
    Returns the attempt; raises CreancePayment.DoesNotExist for a reference not `person`'s.
    """
    try:
        reference = uuid.UUID(hex=result["reference"])
    except ValueError:
        raise CreancePayment.DoesNotExist from None
    attempt = (
        CreancePayment.objects.select_for_update()
        .for_person(person)
        .select_related("creance")
        .get(public_id=reference)
    )
    if result["amount_cents"] != attempt.amount_cents:
        raise BadReturn("Montant différent de celui de la tentative.")
    if attempt.is_final:
        if attempt.transaction_id == result["transaction"] and attempt.status == result["status"]:
            return attempt  # the same return delivered twice
        raise BadReturn("Cette tentative de paiement est déjà terminée.")
    if CreancePayment.objects.filter(transaction_id=result["transaction"]).exists():
        raise BadReturn("Transaction déjà utilisée pour un autre paiement.")
    attempt.status = result["status"]
    attempt.transaction_id = result["transaction"]
    attempt.returned_at = timezone.now()
    attempt.save(update_fields=["status", "transaction_id", "returned_at"])
    if attempt.status == AttemptStatus.PAID:
        for part in attempt.lines.select_related("line"):
            CreanceLine.objects.filter(pk=part.line_id).update(
                amount_paid=F("amount_paid") + part.amount
            )
        post_to_insured(
            person,
            subject=f"Accusé de réception de votre paiement (avis n° {attempt.creance.reference})",
            body=render_to_string(
                "paiements/creance_accuse_reception.txt",
                {
                    "person": person,
                    "attempt": attempt,
                    "creance": attempt.creance,
                    "parts": list(attempt.lines.select_related("line")),
                    "paid_at": timezone.localtime(attempt.returned_at),
                },
            ).strip(),
            theme=Theme.REMBOURSEMENTS,
            related_reference=attempt.creance.reference,
        )
    return attempt
