"""FEATURES C4: participations forfaitaires and franchises, the pure domain module."""

import datetime
from decimal import Decimal

import pytest

from paiements import franchises
from paiements.enums import DeductionKind
from paiements.franchises import Act, PersonFacts, compute_year, exemption

D = Decimal
ADULT = PersonFacts(birth_date=datetime.date(1980, 6, 1))
PF = DeductionKind.FLAT_FEE
MED = DeductionKind.MEDICINE
PARA = DeductionKind.PARAMEDICAL
TRANSPORT = DeductionKind.TRANSPORT


def act(key, on, kind=PF, professional="Dr A", reimbursed="20.00", deductible=True, deducted=None):
    return Act(
        key=key,
        on=on,
        kind=kind,
        professional=professional,
        reimbursed=D(reimbursed),
        deductible=deductible,
        deducted=None if deducted is None else D(deducted),
    )


class TestRates:
    @pytest.mark.parametrize(
        ("kind", "on", "unit"),
        [
            (PF, datetime.date(2024, 5, 14), "1.00"),
            (PF, datetime.date(2024, 5, 15), "2.00"),
            (MED, datetime.date(2024, 3, 30), "0.50"),
            (MED, datetime.date(2024, 3, 31), "1.00"),
            (PARA, datetime.date(2024, 3, 31), "1.00"),
            (TRANSPORT, datetime.date(2024, 3, 30), "2.00"),
            (TRANSPORT, datetime.date(2024, 3, 31), "4.00"),
        ],
    )
    def test_dated_table(self, kind, on, unit):
        assert franchises.rate_on(kind, on).unit == D(unit)

    def test_no_rate_before_the_table(self):
        with pytest.raises(ValueError):
            franchises.rate_on(MED, datetime.date(2007, 12, 31))

    def test_caps_are_50_each(self):
        assert franchises.annual_caps(2026) == {"pf": D("50.00"), "franchises": D("50.00")}


class TestExemptions:
    def test_under_18_on_1_january_is_exempt_all_year(self):
        # 18 on 2 January 2026: still 17 on 1 January, so exempt the whole of 2026.
        teen = PersonFacts(birth_date=datetime.date(2008, 1, 2))
        assert exemption(teen, datetime.date(2026, 12, 31)) == franchises.UNDER_18
        assert exemption(teen, datetime.date(2027, 1, 1)) is None

    def test_18_on_1_january_is_not_exempt(self):
        adult = PersonFacts(birth_date=datetime.date(2008, 1, 1))
        assert exemption(adult, datetime.date(2026, 1, 1)) is None

    def test_pregnancy_from_first_day_of_sixth_month_to_12_days_after_birth(self):
        term = datetime.date(2026, 9, 15)
        mother = PersonFacts(birth_date=datetime.date(1990, 3, 14), expected_deliveries=(term,))
        assert exemption(mother, datetime.date(2026, 5, 14)) is None
        assert exemption(mother, datetime.date(2026, 5, 15)) == franchises.MATERNITY
        assert exemption(mother, datetime.date(2026, 9, 27)) == franchises.MATERNITY
        assert exemption(mother, datetime.date(2026, 9, 28)) is None

    def test_c2s_period(self):
        person = PersonFacts(
            birth_date=datetime.date(1970, 1, 1),
            c2s_periods=((datetime.date(2026, 3, 1), datetime.date(2027, 2, 28)),),
        )
        assert exemption(person, datetime.date(2026, 2, 28)) is None
        assert exemption(person, datetime.date(2026, 3, 1)) == franchises.C2S
        assert exemption(person, datetime.date(2027, 2, 28)) == franchises.C2S
        assert exemption(person, datetime.date(2027, 3, 1)) is None

    def test_exempt_acts_cost_nothing(self):
        child = PersonFacts(birth_date=datetime.date(2016, 6, 12))
        counter = compute_year(child, 2026, [act(1, datetime.date(2026, 3, 2))])
        assert counter.charge(1).due == 0
        assert counter.pf.due == 0
        assert counter.exemptions == [franchises.UNDER_18]


class TestDailyLimits:
    def test_at_most_four_pf_a_day_with_the_same_professional(self):
        day = datetime.date(2026, 4, 7)
        acts = [act(i, day, professional="Laboratoire") for i in range(5)]
        acts.append(act(5, day, professional="Dr B"))
        counter = compute_year(ADULT, 2026, acts)
        assert [counter.charge(i).due for i in range(6)] == [D("2.00")] * 4 + [0, D("2.00")]
        assert counter.charge(4).reason == franchises.DAILY_LIMIT
        assert counter.pf.due == D("10.00")

    def test_next_day_counts_again(self):
        acts = [act(i, datetime.date(2026, 4, 7), professional="Lab") for i in range(4)]
        acts.append(act(9, datetime.date(2026, 4, 8), professional="Lab"))
        assert compute_year(ADULT, 2026, acts).charge(9).due == D("2.00")

    def test_paramedical_at_most_4_euros_a_day(self):
        day = datetime.date(2026, 6, 1)
        counter = compute_year(ADULT, 2026, [act(i, day, kind=PARA) for i in range(6)])
        assert counter.franchises.due == D("4.00")

    def test_transport_at_most_8_euros_a_day(self):
        day = datetime.date(2026, 6, 1)
        counter = compute_year(ADULT, 2026, [act(i, day, kind=TRANSPORT) for i in range(3)])
        assert [c.due for c in counter.charges] == [D("4.00"), D("4.00"), 0]

    def test_medicine_has_no_daily_limit(self):
        day = datetime.date(2026, 6, 1)
        counter = compute_year(ADULT, 2026, [act(i, day, kind=MED) for i in range(7)])
        assert counter.franchises.due == D("7.00")

    def test_old_daily_cap_before_31_march_2024(self):
        day = datetime.date(2024, 3, 30)
        counter = compute_year(ADULT, 2024, [act(i, day, kind=TRANSPORT) for i in range(3)])
        assert counter.franchises.due == D("4.00")  # 2 € each, 4 € a day then


class TestAnnualCaps:
    def test_pf_capped_at_50_and_franchises_kept_apart(self):
        acts = [
            act(i, datetime.date(2026, 1, 1) + datetime.timedelta(days=i), professional=f"Dr {i}")
            for i in range(30)
        ]
        acts += [act(100 + i, datetime.date(2026, 7, 1), kind=MED) for i in range(10)]
        counter = compute_year(ADULT, 2026, acts)
        assert counter.pf.due == D("50.00")
        assert counter.pf.cap_reached
        assert counter.charge(25).due == 0
        assert counter.charge(25).reason == franchises.ANNUAL_LIMIT
        assert counter.franchises.due == D("10.00")  # not blocked by the PF cap

    def test_partial_amount_when_the_cap_is_almost_reached(self):
        acts = [act(i, datetime.date(2026, 2, 1), kind=MED) for i in range(49)]
        acts.append(act(99, datetime.date(2026, 2, 2), kind=TRANSPORT))
        counter = compute_year(ADULT, 2026, acts)
        assert counter.charge(99).due == D("1.00")
        assert counter.franchises.due == D("50.00")

    def test_new_year_starts_a_new_counter(self):
        acts = [act(i, datetime.date(2025, 12, 31), kind=MED) for i in range(60)]
        acts.append(act(99, datetime.date(2026, 1, 1), kind=MED))
        assert compute_year(ADULT, 2025, acts).franchises.due == D("50.00")
        counter_2026 = compute_year(ADULT, 2026, acts)
        assert counter_2026.franchises.due == D("1.00")
        assert [c.key for c in counter_2026.charges] == [99]


class TestDeductedAndOwed:
    def test_tiers_payant_cannot_deduct_so_it_is_owed(self):
        counter = compute_year(
            ADULT, 2026, [act(1, datetime.date(2026, 3, 3), kind=MED, deductible=False)]
        )
        charge = counter.charge(1)
        assert (charge.due, charge.deducted, charge.owed) == (D("1.00"), 0, D("1.00"))
        assert counter.franchises.owed == D("1.00")

    def test_deduction_limited_to_what_was_reimbursed(self):
        counter = compute_year(
            ADULT, 2026, [act(1, datetime.date(2026, 3, 3), kind=MED, reimbursed="0.60")]
        )
        assert counter.charge(1).deducted == D("0.60")
        assert counter.charge(1).owed == D("0.40")

    def test_already_liquidated_acts_keep_what_was_deducted(self):
        acts = [
            act(1, datetime.date(2026, 3, 3), deducted="0.00"),
            act(2, datetime.date(2026, 3, 4), professional="Dr B"),
        ]
        counter = compute_year(ADULT, 2026, acts)
        assert counter.pf.due == D("4.00")
        assert counter.pf.deducted == D("2.00")
        assert counter.owed == D("2.00")

    def test_acts_without_deduction_kind_are_ignored(self):
        counter = compute_year(
            ADULT, 2026, [act(1, datetime.date(2026, 3, 3), kind=DeductionKind.NONE)]
        )
        assert counter.charges == []
