"""Rules of « Mon espace prévention » (FEATURES G1, G2, G3): pure functions of dates.

Expected dates are written out by hand (or by plain `timedelta` arithmetic), never recomputed
with the functions under test.
"""

import datetime
import itertools

import pytest

from assures.models import Person
from documents import rules as document_rules
from paiements import franchises
from prevention import rules
from prevention.enums import Timing

D = datetime.date
TODAY = D(2026, 11, 24)
CAMILLE_DUE = D(2027, 3, 24)  # seed_demo: due in 4 months on 24 November 2026


def days(n):
    return datetime.timedelta(days=n)


def weeks(n):
    return datetime.timedelta(weeks=n)


# --- G1 Maternité ------------------------------------------------------------------------------
class TestPregnancyMonths:
    """G1: months of pregnancy counted back from the due date (DPA − 9 months)."""

    def test_months_of_a_pregnancy_due_on_24_march_2027(self):
        assert rules.pregnancy_start(CAMILLE_DUE) == D(2026, 6, 24)
        assert rules.pregnancy_month(CAMILLE_DUE, 1) == (D(2026, 6, 24), D(2026, 7, 23))
        assert rules.pregnancy_month(CAMILLE_DUE, 3) == (D(2026, 8, 24), D(2026, 9, 23))
        assert rules.pregnancy_month(CAMILLE_DUE, 6) == (D(2026, 11, 24), D(2026, 12, 23))
        assert rules.pregnancy_month(CAMILLE_DUE, 9) == (D(2027, 2, 24), D(2027, 3, 23))

    def test_month_ends_are_clamped(self):
        """A due date on the 31st: months start on the 31st, or on the month's last day."""
        due = D(2027, 5, 31)
        assert rules.pregnancy_month(due, 6) == (D(2027, 1, 31), D(2027, 2, 27))
        assert rules.pregnancy_month(due, 7) == (D(2027, 2, 28), D(2027, 3, 30))
        assert rules.pregnancy_month(due, 2) == (D(2026, 9, 30), D(2026, 10, 30))

    def test_leap_year(self):
        assert rules.pregnancy_month(D(2028, 5, 31), 7)[0] == D(2028, 2, 29)
        assert rules.full_coverage_period(D(2028, 6, 29))[0] == D(2028, 2, 29)
        assert rules.full_coverage_period(D(2027, 6, 30))[0] == D(2027, 2, 28)

    @pytest.mark.parametrize("year", [2027, 2028])
    def test_months_are_contiguous_for_every_due_date_of_a_year(self, year):
        due = D(year, 1, 1)
        while due.year == year:
            months = [rules.pregnancy_month(due, m) for m in range(1, 10)]
            assert months[-1][1] == due - days(1)
            for (_, end), (next_start, _) in itertools.pairwise(months):
                assert next_start == end + days(1), (due, months)
            assert all(start <= end for start, end in months)
            due += days(1)

    @pytest.mark.parametrize("month", [0, 10])
    def test_month_out_of_range(self, month):
        with pytest.raises(ValueError):
            rules.pregnancy_month(CAMILLE_DUE, month)

    def test_month_on(self):
        assert rules.pregnancy_month_on(CAMILLE_DUE, TODAY) == 6
        assert rules.pregnancy_month_on(CAMILLE_DUE, D(2026, 11, 23)) == 5
        assert rules.pregnancy_month_on(CAMILLE_DUE, D(2026, 6, 23)) is None
        assert rules.pregnancy_month_on(CAMILLE_DUE, CAMILLE_DUE) is None


class TestAmenorrhea:
    """G1 convention: weeks of amenorrhea count from the pregnancy start − 2 weeks."""

    def test_start_is_two_weeks_before_the_pregnancy(self):
        assert rules.amenorrhea_start(CAMILLE_DUE) == D(2026, 6, 10)
        assert rules.amenorrhea_day(CAMILLE_DUE, 12) == D(2026, 6, 10) + days(84)

    def test_due_date_is_about_41_weeks(self):
        for due in (D(2027, 3, 24), D(2027, 5, 31), D(2028, 2, 29), D(2027, 12, 1)):
            assert 41 * 7 <= (due - rules.amenorrhea_start(due)).days <= 41 * 7 + 3

    def test_weeks_on_a_day(self):
        assert rules.amenorrhea_weeks_on(CAMILLE_DUE, TODAY) == (23, 6)
        assert rules.amenorrhea_weeks_on(CAMILLE_DUE, D(2026, 6, 10)) == (0, 0)
        assert rules.amenorrhea_weeks_on(CAMILLE_DUE, D(2026, 6, 9)) is None
        assert rules.amenorrhea_weeks_on(CAMILLE_DUE, CAMILLE_DUE) is None


class TestPrenatalExamsAndUltrasounds:
    def test_seven_exams_first_before_the_end_of_the_3rd_month_then_monthly(self):
        exams = rules.prenatal_exams(CAMILLE_DUE)
        assert len(exams) == rules.PRENATAL_EXAMS == 7
        assert (exams[0].start, exams[0].end) == (D(2026, 6, 24), D(2026, 9, 23))
        assert exams[0].when == "avant la fin du 3e mois"
        assert [(e.start, e.end) for e in exams[1:]] == [
            (D(2026, 9, 24), D(2026, 10, 23)),
            (D(2026, 10, 24), D(2026, 11, 23)),
            (D(2026, 11, 24), D(2026, 12, 23)),
            (D(2026, 12, 24), D(2027, 1, 23)),
            (D(2027, 1, 24), D(2027, 2, 23)),
            (D(2027, 2, 24), D(2027, 3, 23)),
        ]
        assert [e.label for e in exams][:2] == ["1er examen prénatal", "2e examen prénatal"]
        assert exams[-1].when == "au cours du 9e mois"

    def test_three_ultrasounds_around_12_22_32_weeks(self):
        ddr = D(2026, 6, 10)
        scans = rules.ultrasounds(CAMILLE_DUE)
        assert [s.target for s in scans] == [ddr + weeks(12), ddr + weeks(22), ddr + weeks(32)]
        assert [s.label for s in scans] == ["1re échographie", "2e échographie", "3e échographie"]
        # « entre 11 et 13 SA » includes 13 SA + 6 days
        assert (scans[0].start, scans[0].end) == (ddr + weeks(11), ddr + weeks(13) + days(6))
        assert (scans[1].start, scans[1].end) == (ddr + weeks(20), ddr + weeks(24) + days(6))
        assert (scans[2].start, scans[2].end) == (ddr + weeks(30), ddr + weeks(34) + days(6))


class TestFullCoverage:
    """G1 « 100 % maternité »: 1st day of the 6th month → 12 days after the birth."""

    def test_period(self):
        assert rules.full_coverage_period(CAMILLE_DUE) == (D(2026, 11, 24), D(2027, 4, 5))

    def test_same_period_as_the_pf_franchises_exemption_of_c4(self):
        due = D(2027, 1, 1)
        while due < D(2029, 1, 1):
            assert rules.full_coverage_period(due) == franchises.maternity_period(due), due
            due += days(1)


class TestMaternityLeave:
    """G1 congé maternité: 6+10, 8+18 (3rd child+), 12+22 (twins), 24+22 (triplets+)."""

    @pytest.mark.parametrize(
        ("expected", "already", "prenatal", "postnatal"),
        [
            (1, 0, 6, 10),
            (1, 1, 6, 10),
            (1, 2, 8, 18),
            (1, 5, 8, 18),
            (2, 0, 12, 22),
            (2, 3, 12, 22),  # twins: whatever the rank
            (3, 0, 24, 22),
            (4, 2, 24, 22),
        ],
    )
    def test_durations(self, expected, already, prenatal, postnatal):
        rule = rules.leave_rule(expected, already)
        assert (rule.prenatal_weeks, rule.postnatal_weeks) == (prenatal, postnatal)
        leave = rules.maternity_leave(CAMILLE_DUE, expected, already)
        assert leave.prenatal_start == CAMILLE_DUE - weeks(prenatal)
        assert leave.prenatal_end == CAMILLE_DUE - days(1)
        assert leave.postnatal_start == CAMILLE_DUE
        assert leave.postnatal_end == CAMILLE_DUE + weeks(postnatal) - days(1)
        assert leave.days == 7 * (prenatal + postnatal)

    def test_first_child_dates(self):
        leave = rules.maternity_leave(CAMILLE_DUE, 1, 0)
        assert (leave.prenatal_start, leave.postnatal_end) == (D(2027, 2, 10), D(2027, 6, 1))
        assert leave.days == 112

    def test_third_child_dates(self):
        leave = rules.maternity_leave(CAMILLE_DUE, 1, 2)
        assert leave.rule.situation == "3e enfant ou plus"
        assert (leave.prenatal_start, leave.postnatal_end) == (D(2027, 1, 27), D(2027, 7, 27))

    def test_across_29_february(self):
        leave = rules.maternity_leave(D(2028, 3, 1), 1, 0)
        assert leave.prenatal_start == D(2028, 1, 19)  # 29 days of February + 13 of January
        assert leave.prenatal_end == D(2028, 2, 29)

    @pytest.mark.parametrize(("expected", "already"), [(0, 0), (1, -1)])
    def test_impossible_input(self, expected, already):
        with pytest.raises(ValueError):
            rules.leave_rule(expected, already)

    def test_rank_counts_children_born_before_the_pregnancy(self):
        births = [D(2016, 6, 12), D(2022, 2, 3)]
        assert rules.children_before(births, CAMILLE_DUE) == 2
        # once born and attached, the baby does not make itself a 4th child
        assert rules.children_before([*births, CAMILLE_DUE], CAMILLE_DUE) == 2
        # born the day the pregnancy starts: not « already » there (and impossible anyway)
        assert rules.children_before([D(2026, 6, 24)], CAMILLE_DUE) == 0
        assert rules.children_before([D(2026, 6, 23)], CAMILLE_DUE) == 1


class TestMaternityCalendar:
    def test_camille(self):
        calendar = rules.maternity_calendar(CAMILLE_DUE, expected_children=1, children_already=2)
        assert calendar.start == D(2026, 6, 24)
        assert calendar.leave.rule is rules.LEAVE_THIRD_CHILD_OR_MORE
        kinds = [s.kind for s in calendar.steps]
        assert kinds.count(rules.STEP_PRENATAL_EXAM) == 7
        assert kinds.count(rules.STEP_ULTRASOUND) == 3
        assert kinds.count(rules.STEP_LEAVE) == 2
        starts = [s.start for s in calendar.steps]
        assert starts == sorted(starts)
        labels = [s.label for s in calendar.steps]
        assert "« 100 % maternité »" in labels and "Date présumée d'accouchement" in labels
        assert calendar.dental_check.start == D(2026, 9, 24)  # 1st day of the 4th month
        assert calendar.dental_check.end == D(2027, 9, 24)  # 6 months after the birth
        assert calendar.postnatal_exam.end == CAMILLE_DUE + weeks(8)

    def test_next_appointment_skips_past_ones_and_the_dental_offer(self):
        calendar = rules.maternity_calendar(CAMILLE_DUE)
        # On 24/11/2026, the 2nd ultrasound (until 1 December) comes before the 4th exam.
        step = calendar.next_appointment(TODAY)
        assert (step.label, step.timing(TODAY)) == ("2e échographie", Timing.CURRENT)
        step = calendar.next_appointment(D(2026, 12, 2))
        assert step.label == "4e examen prénatal"
        assert calendar.next_appointment(D(2027, 3, 25)).label == "Examen postnatal"
        assert calendar.next_appointment(CAMILLE_DUE + weeks(9)) is None

    def test_current_until_the_last_dated_step(self):
        calendar = rules.maternity_calendar(CAMILLE_DUE)
        assert calendar.ends_on == D(2027, 9, 24)
        assert calendar.is_current(D(2027, 9, 24))
        assert not calendar.is_current(D(2027, 9, 25))


# --- G2 Santé de l'enfant ----------------------------------------------------------------------
class TestChildExams:
    """G2: the mandatory exams, windows read literally from the official wording."""

    def test_hugo_born_3_february_2022(self):
        exams = {e.code: (e.start, e.end) for e in rules.child_exams(D(2022, 2, 3))}
        assert exams["8-jours"] == (D(2022, 2, 3), D(2022, 2, 11))
        assert exams["2e-semaine"] == (D(2022, 2, 10), D(2022, 2, 16))
        assert exams["1er-mois"] == (D(2022, 2, 17), D(2022, 3, 2))
        assert exams["2e-mois"] == (D(2022, 3, 3), D(2022, 4, 2))
        assert exams["9e-mois"] == (D(2022, 10, 3), D(2022, 11, 2))
        assert exams["16-18-mois"] == (D(2023, 6, 3), D(2023, 9, 2))
        assert exams["24e-25e-mois"] == (D(2024, 1, 3), D(2024, 3, 2))
        assert exams["3e-annee"] == (D(2024, 2, 3), D(2025, 2, 2))
        assert exams["5e-annee"] == (D(2026, 2, 3), D(2027, 2, 2))
        assert exams["8-9-ans"] == (D(2030, 2, 3), D(2032, 2, 2))
        assert exams["11-13-ans"] == (D(2033, 2, 3), D(2036, 2, 2))
        assert exams["15-16-ans"] == (D(2037, 2, 3), D(2039, 2, 2))

    @pytest.mark.parametrize(
        "birth", [D(2016, 6, 12), D(2022, 2, 3), D(2024, 12, 18), D(2025, 3, 1), D(2024, 2, 29)]
    )
    def test_every_child_has_the_20_exams_of_features_in_order(self, birth):
        """FEATURES G2's list, the same for every child (Léa 2016, Hugo 2022, born 2025…)."""
        codes = [e.code for e in rules.child_exams(birth)]
        assert len(codes) == rules.MANDATORY_CHILD_EXAMS == 20
        assert codes == [
            "8-jours", "2e-semaine", "1er-mois", "2e-mois", "3e-mois", "4e-mois", "5e-mois",
            "6e-mois", "9e-mois", "12e-mois", "13e-mois", "16-18-mois", "24e-25e-mois",
            "3e-annee", "4e-annee", "5e-annee", "6e-annee", "8-9-ans", "11-13-ans", "15-16-ans",
        ]  # fmt: skip

    def test_month_ends(self):
        exams = {e.code: (e.start, e.end) for e in rules.child_exams(D(2025, 1, 31))}
        assert exams["2e-mois"] == (D(2025, 2, 28), D(2025, 3, 30))
        assert exams["3e-mois"] == (D(2025, 3, 31), D(2025, 4, 29))
        exams = {e.code: (e.start, e.end) for e in rules.child_exams(D(2023, 12, 31))}
        assert exams["3e-mois"] == (D(2024, 2, 29), D(2024, 3, 30))  # leap year

    def test_born_on_29_february_like_d6(self):
        exams = {e.code: (e.start, e.end) for e in rules.child_exams(D(2024, 2, 29))}
        assert exams["3e-annee"] == (D(2026, 3, 1), D(2027, 2, 28))
        assert exams["6e-annee"] == (D(2029, 3, 1), D(2030, 2, 28))
        assert exams["4e-annee"][0] == document_rules.birthday_in(D(2024, 2, 29), 2027)
        assert exams["12e-mois"] == (D(2025, 1, 29), D(2025, 2, 27))

    def test_windows_are_ordered(self):
        for birth in (D(2016, 6, 12), D(2022, 2, 3), D(2025, 3, 1), D(2024, 2, 29)):
            exams = rules.child_exams(birth)
            assert all(e.start <= e.end for e in exams)
            assert [e.start for e in exams] == sorted(e.start for e in exams)

    def test_child_exam_lookup(self):
        assert rules.child_exam(D(2022, 2, 3), "5e-annee").label == "Au cours de la 5e année"
        assert rules.child_exam(D(2016, 6, 12), "7e-annee") is None  # not in the list
        assert rules.child_exam(D(2022, 2, 3), "inconnu") is None


class TestExamLines:
    """G2: status « Réalisé » / « À planifier », past and next exams."""

    def test_next_is_the_first_not_done_whose_window_has_not_ended(self):
        lines = rules.exam_lines(D(2022, 2, 3), set(), TODAY)
        nexts = [line for line in lines if line.is_next]
        assert [line.code for line in nexts] == ["5e-annee"]
        assert nexts[0].timing == Timing.CURRENT
        assert all(line.timing == Timing.PAST for line in lines[: lines.index(nexts[0])])
        assert rules.next_exam(lines) == nexts[0]

    def test_done_exam_moves_next_along(self):
        lines = rules.exam_lines(D(2022, 2, 3), {"5e-annee"}, TODAY)
        next_line = rules.next_exam(lines)
        assert (next_line.code, next_line.timing) == ("6e-annee", Timing.UPCOMING)
        assert next(line for line in lines if line.code == "5e-annee").done

    def test_upcoming_next_and_past_not_done(self):
        lines = rules.exam_lines(D(2016, 6, 12), {"8-jours"}, TODAY)
        assert rules.next_exam(lines).code == "11-13-ans"
        assert rules.next_exam(lines).timing == Timing.UPCOMING
        first, second = lines[:2]
        assert first.done and not second.done
        assert second.timing == Timing.PAST and not second.is_next

    def test_nothing_next_when_all_done_or_past(self):
        birth = D(2022, 2, 3)
        all_codes = {e.code for e in rules.child_exams(birth)}
        assert rules.next_exam(rules.exam_lines(birth, all_codes, TODAY)) is None
        assert rules.next_exam(rules.exam_lines(D(2008, 1, 1), set(), TODAY)) is None

    def test_newborn_first_exam_is_current(self):
        lines = rules.exam_lines(TODAY, set(), TODAY)
        assert (lines[0].code, lines[0].timing, lines[0].is_next) == (
            "8-jours",
            Timing.CURRENT,
            True,
        )

    @pytest.mark.parametrize(
        ("birth", "expected"),
        [
            (TODAY, "moins d'un jour"),
            (D(2026, 11, 23), "1 jour"),
            (D(2026, 11, 20), "4 jours"),
            (D(2026, 10, 25), "30 jours"),
            (D(2026, 10, 24), "1 mois"),
            (D(2024, 11, 25), "23 mois"),
            (D(2024, 11, 24), "2 ans"),
            (D(2022, 2, 3), "4 ans"),
        ],
    )
    def test_age_label(self, birth, expected):
        assert rules.age_label(birth, TODAY) == expected

    def test_followed_until_18(self):
        assert rules.is_followed_child(D(2008, 11, 25), TODAY)
        assert not rules.is_followed_child(D(2008, 11, 24), TODAY)


# --- G3 M'T Dents ------------------------------------------------------------------------------
class TestMtDents:
    """G3: a yearly check from 3 to 24 years, same periods as the D6 voucher."""

    @pytest.mark.parametrize(
        ("birth", "period", "eligible_from"),
        [
            (D(2024, 3, 1), None, D(2027, 3, 1)),  # 2 years old
            (D(2023, 11, 25), None, D(2026, 11, 25)),  # 3 tomorrow
            (D(2023, 11, 24), (D(2026, 11, 24), D(2027, 11, 23)), None),  # 3 today
            (D(2022, 2, 3), (D(2026, 2, 3), D(2027, 2, 2)), None),  # Hugo
            (D(2002, 1, 10), (D(2026, 1, 10), D(2027, 1, 9)), None),  # 24
            (D(2024, 2, 29), None, D(2027, 3, 1)),  # born on 29 February
        ],
    )
    def test_eligible_or_from_when(self, birth, period, eligible_from):
        check = rules.mt_dents(Person(birth_date=birth), TODAY)
        assert check.eligible is (period is not None)
        assert (check.start, check.end) == (period or (None, None))
        assert check.eligible_from == eligible_from

    def test_none_past_24(self):
        assert rules.mt_dents(Person(birth_date=D(2001, 11, 24)), TODAY) is None  # 25 today
        assert rules.mt_dents(Person(birth_date=D(1990, 3, 14)), TODAY) is None

    def test_same_period_as_the_d6_voucher(self):
        for birth in (D(2016, 6, 12), D(2022, 2, 3), D(2005, 12, 31), D(2020, 2, 29)):
            person = Person(birth_date=birth)
            check = rules.mt_dents(person, TODAY)
            assert (check.start, check.end) == document_rules.mt_dents_period(person, TODAY)
