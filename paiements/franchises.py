"""FEATURES C4: participations forfaitaires (PF) and franchises médicales, as data and pure code.

Nothing here touches the database: the amounts are a dated table, a person is described by the
few facts that exempt them, and `compute_year` walks a person's acts of one calendar year in
the order the caisse liquidated them. It is used twice:

* when a care payment is liquidated (`paiements.services.liquidate_care_payment`, the demo data
  and the factories): what to keep back on each new line;
* by « Mes participations forfaitaires et franchises »: what was deducted in the year and what
  remains owed (« reste à récupérer ») because it could not be deducted — e.g. when the caisse
  paid the professional directly (tiers payant) or the reimbursement was too small.

Rules (ameli.fr, « Participation forfaitaire et franchise médicale », 2024 amounts):

* PF 2 € per consultation or act (1 € before 15 May 2024), at most 4 a day with the same
  professional;
* franchise 1 € per box of medicine (0,50 € before 31 March 2024), 1 € per paramedical act
  (0,50 €) with at most 4 € a day (2 €), 4 € per sanitary transport (2 €) with at most 8 € a day
  (4 €);
* a yearly cap of 50 € for PF and another 50 € for franchises, kept apart;
* nobody pays them who is under 18 on 1 January of the year, pregnant from the first day of the
  6th month to 12 days after the birth, or covered by the Complémentaire santé solidaire.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from .enums import DeductionKind

ZERO = Decimal("0.00")

PF = "pf"
FRANCHISES = "franchises"
FAMILY_LABELS = {PF: "Participations forfaitaires", FRANCHISES: "Franchises médicales"}
FAMILY_OF = {
    DeductionKind.FLAT_FEE: PF,
    DeductionKind.MEDICINE: FRANCHISES,
    DeductionKind.PARAMEDICAL: FRANCHISES,
    DeductionKind.TRANSPORT: FRANCHISES,
}


@dataclass(frozen=True)
class Rate:
    """The amount of one kind of deduction from `valid_from` on."""

    valid_from: datetime.date
    unit: Decimal
    daily_cap: Decimal | None = None  # per person and day, all professionals together
    daily_count_per_professional: int | None = None  # PF: at most 4 a day with one professional


RATES: dict[str, list[Rate]] = {
    DeductionKind.FLAT_FEE: [
        Rate(datetime.date(2005, 1, 1), Decimal("1.00"), daily_count_per_professional=4),
        Rate(datetime.date(2024, 5, 15), Decimal("2.00"), daily_count_per_professional=4),
    ],
    DeductionKind.MEDICINE: [
        Rate(datetime.date(2008, 1, 1), Decimal("0.50")),
        Rate(datetime.date(2024, 3, 31), Decimal("1.00")),
    ],
    DeductionKind.PARAMEDICAL: [
        Rate(datetime.date(2008, 1, 1), Decimal("0.50"), daily_cap=Decimal("2.00")),
        Rate(datetime.date(2024, 3, 31), Decimal("1.00"), daily_cap=Decimal("4.00")),
    ],
    DeductionKind.TRANSPORT: [
        Rate(datetime.date(2008, 1, 1), Decimal("2.00"), daily_cap=Decimal("4.00")),
        Rate(datetime.date(2024, 3, 31), Decimal("4.00"), daily_cap=Decimal("8.00")),
    ],
}

# Yearly caps, per family, kept apart.
ANNUAL_CAPS: list[tuple[datetime.date, dict[str, Decimal]]] = [
    (datetime.date(2008, 1, 1), {PF: Decimal("50.00"), FRANCHISES: Decimal("50.00")}),
]

ADULT_AGE = 18
PREGNANCY_EXEMPTION_START = relativedelta(months=4)  # 1st day of the 6th month = term - 4 months
PREGNANCY_EXEMPTION_AFTER_BIRTH = datetime.timedelta(days=12)

# Reasons shown to the insured.
UNDER_18 = "Moins de 18 ans au 1er janvier"
MATERNITY = "Maternité (à partir du 6e mois de grossesse)"
C2S = "Complémentaire santé solidaire"
DAILY_LIMIT = "Limite journalière atteinte"
ANNUAL_LIMIT = "Plafond annuel de 50 € atteint"


def rate_on(kind: str, on: datetime.date) -> Rate:
    """The rate of `kind` in force on `on`."""
    rates = [rate for rate in RATES[kind] if rate.valid_from <= on]
    if not rates:
        raise ValueError(f"Aucun tarif de {kind} en vigueur le {on:%d/%m/%Y}.")
    return rates[-1]


def annual_caps(year: int) -> dict[str, Decimal]:
    on = datetime.date(year, 12, 31)
    return [caps for valid_from, caps in ANNUAL_CAPS if valid_from <= on][-1]


@dataclass(frozen=True)
class PersonFacts:
    """What can exempt a person: age, declared pregnancies (terms), C2S periods."""

    birth_date: datetime.date
    expected_deliveries: tuple[datetime.date, ...] = ()
    c2s_periods: tuple[tuple[datetime.date, datetime.date], ...] = ()


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def maternity_period(expected_delivery: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first day of the 6th month of pregnancy to 12 days after the (expected) birth."""
    return (
        expected_delivery - PREGNANCY_EXEMPTION_START,
        expected_delivery + PREGNANCY_EXEMPTION_AFTER_BIRTH,
    )


def exemption(person: PersonFacts, on: datetime.date) -> str | None:
    """Why `person` pays no PF nor franchise on `on`, or None."""
    if age_on(person.birth_date, datetime.date(on.year, 1, 1)) < ADULT_AGE:
        return UNDER_18
    for term in person.expected_deliveries:
        start, end = maternity_period(term)
        if start <= on <= end:
            return MATERNITY
    for start, end in person.c2s_periods:
        if start <= on <= end:
            return C2S
    return None


@dataclass(frozen=True)
class Act:
    """One line of a décompte that may carry a PF or a franchise.

    `deductible` is False when the caisse paid a third party (tiers payant): nothing can be kept
    back then. `deducted` is what was actually kept back for an act already liquidated (None for
    a new act: then it is computed).
    """

    key: object
    on: datetime.date
    kind: str
    professional: str = ""
    reimbursed: Decimal = ZERO
    deductible: bool = True
    deducted: Decimal | None = None


@dataclass(frozen=True)
class Charge:
    key: object
    kind: str
    due: Decimal
    deducted: Decimal
    reason: str | None = None  # why less than the unit amount is due (exemption or a limit)

    @property
    def owed(self) -> Decimal:
        """« Reste à récupérer » for this act."""
        return max(self.due - self.deducted, ZERO)


@dataclass
class FamilyTotal:
    family: str
    cap: Decimal
    due: Decimal = ZERO
    deducted: Decimal = ZERO

    @property
    def label(self) -> str:
        return FAMILY_LABELS[self.family]

    @property
    def owed(self) -> Decimal:
        return max(self.due - self.deducted, ZERO)

    @property
    def cap_reached(self) -> bool:
        return self.due >= self.cap


@dataclass
class YearCounter:
    year: int
    charges: list[Charge] = field(default_factory=list)
    totals: dict[str, FamilyTotal] = field(default_factory=dict)
    exemptions: list[str] = field(default_factory=list)

    @property
    def pf(self) -> FamilyTotal:
        return self.totals[PF]

    @property
    def franchises(self) -> FamilyTotal:
        return self.totals[FRANCHISES]

    @property
    def owed(self) -> Decimal:
        return self.pf.owed + self.franchises.owed

    def charge(self, key) -> Charge:
        return next(charge for charge in self.charges if charge.key == key)


def compute_year(person: PersonFacts, year: int, acts) -> YearCounter:
    """The counter of `person` for calendar `year`, walking `acts` in liquidation order.

    Acts of other years and acts without PF/franchise are ignored.
    """
    caps = annual_caps(year)
    counter = YearCounter(
        year=year, totals={family: FamilyTotal(family, cap) for family, cap in caps.items()}
    )
    per_professional_day = defaultdict(int)  # (day, professional) -> PF charged
    per_kind_day = defaultdict(lambda: ZERO)  # (day, kind) -> amount charged
    reasons = set()
    for act in acts:
        if act.on.year != year or act.kind not in FAMILY_OF:
            continue
        family = counter.totals[FAMILY_OF[act.kind]]
        reason = exemption(person, act.on)
        if reason:
            reasons.add(reason)
            counter.charges.append(Charge(act.key, act.kind, ZERO, ZERO, reason))
            continue
        rate = rate_on(act.kind, act.on)
        due, reason = rate.unit, None
        if rate.daily_count_per_professional is not None:
            slot = (act.on, act.professional)
            if per_professional_day[slot] >= rate.daily_count_per_professional:
                due, reason = ZERO, DAILY_LIMIT
        if rate.daily_cap is not None:
            left = max(rate.daily_cap - per_kind_day[(act.on, act.kind)], ZERO)
            if left < due:
                due, reason = left, DAILY_LIMIT
        left = max(family.cap - family.due, ZERO)
        if left < due:
            due, reason = left, ANNUAL_LIMIT
        if due > ZERO and rate.daily_count_per_professional is not None:
            per_professional_day[(act.on, act.professional)] += 1
        per_kind_day[(act.on, act.kind)] += due
        if act.deducted is not None:
            deducted = min(act.deducted, due)
        elif act.deductible:
            deducted = min(due, act.reimbursed)
        else:
            deducted = ZERO
        family.due += due
        family.deducted += deducted
        counter.charges.append(Charge(act.key, act.kind, due, deducted, reason))
    counter.exemptions = sorted(reasons)
    return counter
