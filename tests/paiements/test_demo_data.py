"""The demo data of « Mes paiements » (seed_demo) is consistent with the rules it displays."""

from collections import defaultdict
from decimal import Decimal

import pytest

from paiements import franchises, services
from paiements.demo import JEAN_CREANCE_REFERENCE, PROCESSING_THEMES
from paiements.enums import Nature, Payee
from paiements.models import Creance, Payment, PaymentLine, ProcessingDelay

pytestmark = pytest.mark.django_db


def test_care_payments_are_the_net_of_their_lines(demo):
    care = Payment.objects.filter(nature=Nature.CARE).prefetch_related("lines")
    assert care.count() > 50
    for payment in care:
        lines = list(payment.lines.all())
        assert lines, payment
        assert payment.amount == sum(line.net for line in lines)


def test_deductions_follow_the_counter_in_liquidation_order(demo):
    """Recomputing every beneficiary's year from scratch gives what seed_demo kept back."""
    by_person_year = defaultdict(list)
    lines = PaymentLine.objects.select_related("payment", "payment__beneficiary").order_by(
        "payment__paid_on", "payment_id", "id"
    )
    for line in lines:
        by_person_year[(line.payment.beneficiary, line.care_date.year)].append(line)
    checked = 0
    for (person, year), year_lines in by_person_year.items():
        acts = [
            franchises.Act(
                key=line.pk,
                on=line.care_date,
                kind=line.deduction_kind,
                professional=line.professional,
                reimbursed=line.reimbursed,
                deductible=line.payment.payee == Payee.INSURED,
            )
            for line in year_lines
        ]
        counter = franchises.compute_year(services.person_facts(person), year, acts)
        for line in year_lines:
            if line.deduction_kind != "none":
                assert line.deduction == counter.charge(line.pk).deducted, line
                checked += 1
    assert checked > 50


def test_some_pf_and_franchises_remain_owed(demo):
    """Tiers payant leaves something « à récupérer » on Jean's counter."""
    jean = demo["jean"].person
    counters = services.year_counters([jean], [2025, 2026])
    assert sum(c.owed for c in counters.values()) > 0


def test_jeans_creance(demo):
    creance = Creance.objects.get(reference=JEAN_CREANCE_REFERENCE)
    assert creance.person == demo["jean"].person
    assert sum(line.amount_due for line in creance.lines.all()) == Decimal("119.50")
    assert all(line.amount_paid == 0 for line in creance.lines.all())


def test_published_delays_for_the_three_caisses(demo):
    assert ProcessingDelay.objects.count() == 3 * len(PROCESSING_THEMES)
    assert demo["camille"].person.caisse.processing_delays.exists()


def test_camilles_ij_belong_to_her_arret(demo):
    camille = demo["camille"].person
    ij = Payment.objects.filter(insured=camille, nature=Nature.DAILY_ALLOWANCE)
    assert ij.count() == 3
    assert {p.sick_leave.person for p in ij} == {camille}
    assert all(p.period_start and p.period_end for p in ij)
