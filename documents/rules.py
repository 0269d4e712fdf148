"""Rules deciding who may download what, and for which period (FEATURES D1–D6, C2, C3).

Pure functions of dates (and of the registry/payments where named so), unit-tested with a frozen
clock. The figures come from the seeds: IJ attestations for payments of the last 8 years and the
relevé fiscal of the previous year (seed 001), 27 months of relevés mensuels (seeds 003, 004),
CEAM certificat provisoire valid 3 months (FEATURES D4), M'T Dents every year from 3 to 24 years
(FEATURES G3).
"""

import calendar
import datetime

from django.db.models import Q

from assures.models import Ceam, Person
from paiements.enums import Nature
from paiements.models import Payment

IJ_ATTESTATION_YEARS = 8
MONTHLY_STATEMENT_MONTHS = 27
ANNUAL_STATEMENT_YEARS = 2
CEAM_CERTIFICATE_MONTHS = 3
RIGHTS_ATTESTATION_MAX_MONTHS = 12
MT_DENTS_MIN_AGE = 3
MT_DENTS_MAX_AGE = 24


# --- calendar helpers -------------------------------------------------------------------------
def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later (or earlier), clamped to the month's end (31/01 + 1 -> 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return (
        datetime.date(year, month, 1),
        datetime.date(year, month, calendar.monthrange(year, month)[1]),
    )


def statement_months(today: datetime.date, count: int = MONTHLY_STATEMENT_MONTHS):
    """The (year, month) of the `count` last complete months, most recent first (C2)."""
    first_of_month = today.replace(day=1)
    return [
        (d.year, d.month) for d in (add_months(first_of_month, -n) for n in range(1, count + 1))
    ]


def annual_statement_years(today: datetime.date):
    """C3: the relevé annuel of the last complete calendar years."""
    return [today.year - n for n in range(1, ANNUAL_STATEMENT_YEARS + 1)]


# --- D1 attestation de droits -----------------------------------------------------------------
def rights_attestation_valid_until(people, today: datetime.date) -> datetime.date:
    """Valid while the rights of everyone listed are open, and at most 12 months."""
    limit = add_months(today, RIGHTS_ATTESTATION_MAX_MONTHS) - datetime.timedelta(days=1)
    ends = [p.rights_end for p in people if p.rights_end is not None]
    return min([limit, *ends])


# --- D2 / D3 indemnités journalières ----------------------------------------------------------
def ij_window_start(today: datetime.date) -> datetime.date:
    """First day of the 8 years before the request (seed 001)."""
    try:
        return today.replace(year=today.year - IJ_ATTESTATION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - IJ_ATTESTATION_YEARS, day=28)


def ij_payments(person: Person):
    """IJ paid to the person themself (never to an ayant droit)."""
    return Payment.objects.for_person(person).filter(
        nature=Nature.DAILY_ALLOWANCE, beneficiary=person
    )


def ij_payments_in_window(person: Person, today: datetime.date):
    return ij_payments(person).filter(paid_on__gte=ij_window_start(today), paid_on__lte=today)


def ij_attestation_allowed(person: Person, today: datetime.date) -> bool:
    """D2: only for people paid IJ in the last 8 years."""
    return ij_payments_in_window(person, today).exists()


def ij_years(person: Person, today: datetime.date):
    """The years (most recent first) with IJ paid inside the 8-year window."""
    dates = ij_payments_in_window(person, today).dates("paid_on", "year", order="DESC")
    return [d.year for d in dates]


def ij_period_for_year(year: int, today: datetime.date):
    """A whole year, cut to the 8-year window and to today."""
    return max(datetime.date(year, 1, 1), ij_window_start(today)), min(
        datetime.date(year, 12, 31), today
    )


def tax_year(today: datetime.date) -> int:
    """D3: the relevé fiscal is that of the year before the request."""
    return today.year - 1


def tax_statement_exists(person: Person, today: datetime.date) -> bool:
    """D3: « si un relevé fiscal existe » — IJ paid during the previous year."""
    return ij_payments(person).filter(paid_on__year=tax_year(today)).exists()


# --- D4 CEAM ----------------------------------------------------------------------------------
def ceam_certificate_period(person: Person, today: datetime.date):
    """D4: the certificat provisoire de remplacement is valid 3 months from its issue, never
    beyond the end of the person's rights. None when the rights are not open."""
    if not person.rights_open(today):
        return None
    end = add_months(today, CEAM_CERTIFICATE_MONTHS) - datetime.timedelta(days=1)
    if person.rights_end is not None:
        end = min(end, person.rights_end)
    return today, end


def ceam_in_force(person: Person, today: datetime.date):
    return person.ceams.filter(issued_on__lte=today, expires_on__gte=today).first()


def ceams_in_force(people, today: datetime.date):
    """The CEAM in force today of each of `people` (one query)."""
    return Ceam.objects.filter(person__in=people, issued_on__lte=today, expires_on__gte=today)


# --- D6 M'T Dents -----------------------------------------------------------------------------
def birthday_in(birth_date: datetime.date, year: int) -> datetime.date:
    try:
        return birth_date.replace(year=year)
    except ValueError:  # born on 29 February
        return datetime.date(year, 3, 1)


def mt_dents_period(person: Person, today: datetime.date):
    """D6/G3: a yearly free dental check from 3 to 24 years. The prise en charge of a year of
    age runs from the birthday to the day before the next one; None when not eligible today."""
    age = person.age_on(today)
    if not MT_DENTS_MIN_AGE <= age <= MT_DENTS_MAX_AGE:
        return None
    start = birthday_in(person.birth_date, person.birth_date.year + age)
    end = birthday_in(person.birth_date, person.birth_date.year + age + 1)
    return start, end - datetime.timedelta(days=1)


def mt_dents_people(insured: Person, today: datetime.date):
    """[(person, (start, end))] of the people on the file eligible to M'T Dents today."""
    result = []
    for person in insured.family():
        period = mt_dents_period(person, today)
        if period and person.rights_open(today):
            result.append((person, period))
    return result


# --- C1/C2/C3 payments ------------------------------------------------------------------------
def payments_between(insured: Person, start: datetime.date, end: datetime.date):
    return (
        Payment.objects.for_person(insured)
        .filter(Q(paid_on__gte=start) & Q(paid_on__lte=end))
        .select_related("beneficiary")
        .order_by("paid_on", "id")
    )
