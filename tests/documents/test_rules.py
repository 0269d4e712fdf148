"""Rules of the documents (FEATURES D1, D2, D3, D4, D6, C2, C3): dates, windows, ages."""

import datetime
from decimal import Decimal

import pytest

from assures.factories import CeamFactory, PersonFactory
from documents import rules
from paiements.enums import Nature
from paiements.factories import PaymentFactory

D = datetime.date


class TestCalendar:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (D(2026, 11, 24), 3, D(2027, 2, 24)),
            (D(2026, 11, 30), 3, D(2027, 2, 28)),  # clamped to the month's end
            (D(2027, 11, 30), 3, D(2028, 2, 29)),  # leap year
            (D(2026, 1, 31), -2, D(2025, 11, 30)),
            (D(2026, 12, 15), 1, D(2027, 1, 15)),
        ],
    )
    def test_add_months(self, day, months, expected):
        assert rules.add_months(day, months) == expected

    def test_statement_months_are_the_27_last_complete_months(self):
        """C2: 27 months, the current (incomplete) month excluded, most recent first."""
        months = rules.statement_months(D(2026, 11, 24))
        assert len(months) == 27
        assert months[0] == (2026, 10)
        assert months[-1] == (2024, 8)
        assert (2026, 11) not in months
        assert len(set(months)) == 27

    def test_statement_months_on_the_first_of_january(self):
        assert rules.statement_months(D(2027, 1, 1))[0] == (2026, 12)

    def test_annual_statements_are_the_previous_complete_years(self):
        assert rules.annual_statement_years(D(2026, 11, 24)) == [2025, 2024]
        assert rules.annual_statement_years(D(2027, 1, 1)) == [2026, 2025]


class TestDailyAllowanceWindow:
    """D2: attestations only for people paid IJ in the 8 years before the request."""

    def test_window_starts_8_years_before(self):
        assert rules.ij_window_start(D(2026, 11, 24)) == D(2018, 11, 24)
        assert rules.ij_window_start(D(2028, 2, 29)) == D(2020, 2, 29)

    @pytest.mark.parametrize(
        ("paid_on", "allowed"),
        [
            (D(2018, 11, 24), True),  # first day of the window
            (D(2018, 11, 23), False),  # one day too old
            (D(2026, 11, 24), True),
            (D(2026, 11, 25), False),  # not paid yet
        ],
    )
    def test_eligibility_boundaries(self, db, paid_on, allowed):
        person = PersonFactory()
        PaymentFactory(insured=person, nature=Nature.DAILY_ALLOWANCE, paid_on=paid_on)
        assert rules.ij_attestation_allowed(person, D(2026, 11, 24)) is allowed

    def test_other_payments_and_other_people_do_not_count(self, db):
        person, other = PersonFactory(), PersonFactory()
        PaymentFactory(insured=person, nature=Nature.CARE, paid_on=D(2026, 3, 1))
        PaymentFactory(insured=other, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2026, 3, 1))
        assert not rules.ij_attestation_allowed(person, D(2026, 11, 24))
        assert rules.ij_attestation_allowed(other, D(2026, 11, 24))

    def test_years_with_ij_most_recent_first(self, db):
        person = PersonFactory()
        for day in (D(2019, 5, 2), D(2024, 1, 3), D(2024, 7, 3), D(2017, 1, 1)):
            PaymentFactory(insured=person, nature=Nature.DAILY_ALLOWANCE, paid_on=day)
        assert rules.ij_years(person, D(2026, 11, 24)) == [2024, 2019]

    def test_a_year_is_cut_to_the_window_and_to_today(self):
        today = D(2026, 11, 24)
        assert rules.ij_period_for_year(2018, today) == (D(2018, 11, 24), D(2018, 12, 31))
        assert rules.ij_period_for_year(2026, today) == (D(2026, 1, 1), today)
        assert rules.ij_period_for_year(2022, today) == (D(2022, 1, 1), D(2022, 12, 31))


class TestTaxStatement:
    """D3: the relevé fiscal of the previous year, only if IJ were paid that year."""

    def test_previous_year(self):
        assert rules.tax_year(D(2026, 11, 24)) == 2025
        assert rules.tax_year(D(2027, 1, 2)) == 2026

    def test_exists_only_with_ij_paid_the_previous_year(self, db):
        person = PersonFactory()
        today = D(2026, 11, 24)
        PaymentFactory(insured=person, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2026, 2, 1))
        PaymentFactory(insured=person, nature=Nature.CARE, paid_on=D(2025, 2, 1))
        assert not rules.tax_statement_exists(person, today)
        PaymentFactory(insured=person, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2025, 12, 31))
        assert rules.tax_statement_exists(person, today)


class TestCeamCertificate:
    """D4: the certificat provisoire de remplacement is valid 3 months."""

    def test_valid_three_months_from_issue(self, db):
        person = PersonFactory(rights_start=D(2000, 1, 1), rights_end=None)
        assert rules.ceam_certificate_period(person, D(2026, 11, 24)) == (
            D(2026, 11, 24),
            D(2027, 2, 23),
        )
        assert rules.ceam_certificate_period(person, D(2026, 11, 30)) == (
            D(2026, 11, 30),
            D(2027, 2, 27),
        )

    def test_never_beyond_the_end_of_rights(self, db):
        person = PersonFactory(rights_start=D(2000, 1, 1), rights_end=D(2027, 1, 15))
        assert rules.ceam_certificate_period(person, D(2026, 11, 24))[1] == D(2027, 1, 15)

    def test_none_when_rights_are_closed(self, db):
        person = PersonFactory(rights_start=D(2000, 1, 1), rights_end=D(2026, 1, 1))
        assert rules.ceam_certificate_period(person, D(2026, 11, 24)) is None

    def test_card_in_force(self, db):
        person = PersonFactory()
        CeamFactory(person=person, issued_on=D(2022, 1, 1), expires_on=D(2024, 1, 1))
        card = CeamFactory(person=person, issued_on=D(2025, 6, 1), expires_on=D(2027, 6, 1))
        assert rules.ceam_in_force(person, D(2026, 11, 24)) == card
        assert rules.ceam_in_force(person, D(2027, 6, 2)) is None


class TestMtDents:
    """D6 / G3: a yearly prise en charge from 3 to 24 years."""

    @pytest.mark.parametrize(
        ("birth_date", "expected"),
        [
            (D(2023, 11, 25), None),  # 2 years and 364 days
            (D(2023, 11, 24), (D(2026, 11, 24), D(2027, 11, 23))),  # 3 today
            (D(2016, 6, 12), (D(2026, 6, 12), D(2027, 6, 11))),  # 10
            (D(2002, 1, 10), (D(2026, 1, 10), D(2027, 1, 9))),  # 24
            (D(2001, 11, 24), None),  # 25 today
            (D(2001, 11, 25), (D(2025, 11, 25), D(2026, 11, 24))),  # 24 for one more day
        ],
    )
    def test_ages_and_period(self, db, birth_date, expected):
        person = PersonFactory(birth_date=birth_date)
        assert rules.mt_dents_period(person, D(2026, 11, 24)) == expected

    def test_born_on_29_february(self, db):
        person = PersonFactory(birth_date=D(2016, 2, 29))
        assert rules.mt_dents_period(person, D(2026, 11, 24)) == (D(2026, 3, 1), D(2027, 2, 28))

    def test_people_on_file(self, db, insured, child):
        today = D(2026, 11, 24)
        eligible = rules.mt_dents_people(insured.person, today)
        assert [p for p, _ in eligible] == [child]


class TestRightsAttestation:
    def test_valid_12_months_at_most(self, db):
        person = PersonFactory(rights_end=None)
        assert rules.rights_attestation_valid_until([person], D(2026, 11, 24)) == D(2027, 11, 23)

    def test_valid_while_everyone_has_rights(self, db):
        a = PersonFactory(rights_end=None)
        b = PersonFactory(rights_end=D(2027, 3, 31))
        assert rules.rights_attestation_valid_until([a, b], D(2026, 11, 24)) == D(2027, 3, 31)


def test_payments_between_is_limited_to_the_person(db):
    person, other = PersonFactory(), PersonFactory()
    mine = PaymentFactory(insured=person, paid_on=D(2026, 3, 10), amount=Decimal("10.00"))
    PaymentFactory(insured=other, paid_on=D(2026, 3, 10))
    PaymentFactory(insured=person, paid_on=D(2026, 4, 1))
    assert list(rules.payments_between(person, D(2026, 3, 1), D(2026, 3, 31))) == [mine]
