"""FEATURES C7 « Mes délais »: working days with French public holidays."""

import datetime

import pytest

from paiements import delais

D = datetime.date


class TestWorkingDays:
    @pytest.mark.parametrize(
        ("start", "days", "expected"),
        [
            (D(2026, 11, 20), 2, D(2026, 11, 24)),  # Friday + 2 → Tuesday (weekend skipped)
            (D(2026, 11, 21), 2, D(2026, 11, 24)),  # sent on a Saturday → Tuesday too
            (D(2026, 11, 22), 1, D(2026, 11, 23)),  # Sunday + 1 → Monday
            (D(2026, 4, 30), 1, D(2026, 5, 4)),  # 1 May 2026 is a Friday: next is Monday 4
            (D(2026, 4, 3), 1, D(2026, 4, 7)),  # Easter Monday 6 April 2026 skipped
            (D(2027, 3, 26), 1, D(2027, 3, 30)),  # Easter Monday 29 March 2027 skipped
            (D(2026, 12, 24), 1, D(2026, 12, 28)),  # Christmas (Friday) skipped
            (D(2026, 5, 13), 1, D(2026, 5, 15)),  # Ascension Thursday 14 May skipped
            (D(2026, 11, 24), 0, D(2026, 11, 24)),  # no delay: the same day
            (D(2026, 11, 23), 10, D(2026, 12, 7)),  # two full weeks
        ],
    )
    def test_add_working_days(self, start, days, expected):
        assert delais.add_working_days(start, days) == expected

    def test_negative_delay_refused(self):
        with pytest.raises(ValueError):
            delais.add_working_days(D(2026, 1, 5), -1)

    def test_public_holidays(self):
        assert delais.is_public_holiday(D(2026, 5, 1))
        assert delais.is_public_holiday(D(2026, 4, 6))  # Lundi de Pâques
        assert delais.holiday_name(D(2026, 4, 6)) == "Lundi de Pâques"
        assert not delais.is_working_day(D(2026, 7, 14))
        assert delais.is_working_day(D(2026, 7, 15))

    def test_alsace_moselle_has_good_friday_and_26_december(self):
        good_friday = D(2026, 4, 3)
        assert delais.is_working_day(good_friday)
        assert not delais.is_working_day(good_friday, "57")
        assert delais.add_working_days(D(2026, 4, 2), 1, "57") == D(2026, 4, 7)
        st_stephen = D(2025, 12, 26)  # a Friday
        assert delais.is_working_day(st_stephen)
        assert not delais.is_working_day(st_stephen, delais.ALSACE)
        assert delais.subdivision_for_caisse("571") == "57"
        assert delais.subdivision_for_caisse("671") == delais.ALSACE
        assert delais.subdivision_for_caisse("751") is None
        assert delais.subdivision_for_caisse("974") == "974"


class TestEstimate:
    def test_not_exceeded_when_the_date_is_today_or_later(self):
        estimate = delais.estimate(D(2026, 11, 20), 2, today=D(2026, 11, 24))
        assert estimate.expected_on == D(2026, 11, 24)
        assert not estimate.exceeded

    def test_exceeded_the_day_after(self):
        estimate = delais.estimate(D(2026, 11, 20), 2, today=D(2026, 11, 25))
        assert estimate.exceeded

    def test_caisse_in_moselle_counts_its_local_holidays(self):
        paris = delais.estimate(D(2026, 4, 2), 1, today=D(2026, 4, 2), caisse_code="751")
        metz = delais.estimate(D(2026, 4, 2), 1, today=D(2026, 4, 2), caisse_code="571")
        assert paris.expected_on == D(2026, 4, 3)
        assert metz.expected_on == D(2026, 4, 7)
