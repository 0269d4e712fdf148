"""FEATURES C7 « Mes délais »: an estimated processing date counted in working days.

A working day is Monday to Friday except French public holidays (the `holidays` package, with
the local ones of Alsace-Moselle and the overseas departments when the caisse is there). The
day a request is sent is day 0: a request sent on a Friday with a delay of 2 working days is
expected on the Tuesday; one sent on a Saturday, on the Tuesday too.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays

# Caisse code → subdivision of `holidays.France` with extra public holidays.
ALSACE = "6AE"
OVERSEAS = {"971", "972", "973", "974", "976"}


def subdivision_for_caisse(code: str | None) -> str | None:
    """« 571 » (Moselle) → "57", « 671 »/« 681 » → Alsace, « 971 » → Guadeloupe…"""
    if not code:
        return None
    if code in OVERSEAS:
        return code
    if code[:2] == "57":
        return "57"
    if code[:2] in {"67", "68"}:
        return ALSACE
    return None


@lru_cache(maxsize=64)
def _public_holidays(year: int, subdivision: str | None):
    return frozenset(holidays.France(years=year, subdiv=subdivision).keys())


def is_public_holiday(day: datetime.date, subdivision: str | None = None) -> bool:
    return day in _public_holidays(day.year, subdivision)


def holiday_name(day: datetime.date, subdivision: str | None = None) -> str | None:
    return holidays.France(years=day.year, subdiv=subdivision, language="fr").get(day)


def is_working_day(day: datetime.date, subdivision: str | None = None) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day, subdivision)


def add_working_days(start: datetime.date, days: int, subdivision: str | None = None):
    """The date `days` working days after `start` (`start` itself is day 0)."""
    if days < 0:
        raise ValueError("Un délai ne peut pas être négatif.")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day, subdivision):
            remaining -= 1
    return day


@dataclass(frozen=True)
class Estimate:
    sent_on: datetime.date
    working_days: int
    expected_on: datetime.date
    today: datetime.date

    @property
    def exceeded(self) -> bool:
        """The estimated date is already past: the specific message of the seed applies."""
        return self.expected_on < self.today


def estimate(sent_on, working_days, today, caisse_code=None) -> Estimate:
    expected = add_working_days(sent_on, working_days, subdivision_for_caisse(caisse_code))
    return Estimate(sent_on, working_days, expected, today)
