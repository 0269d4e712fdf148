"""« Mon espace prévention »: the dated rules of FEATURES G1, G2 and G3, as data and pure code.

Nothing here touches the database: a pregnancy is its due date, the number of children expected
and the number of children already in the family; a child is a birth date. The views and
`prevention.queries` load those facts and call these functions; the tests freeze `today`.

Conventions (one place, applied everywhere):

* **Pregnancy months (G1).** The anchor is the declared due date (« date présumée
  d'accouchement », DPA). The pregnancy starts 9 calendar months before it (« début de
  grossesse » = DPA − 9 mois); the n-th month of pregnancy (1–9) runs from DPA − (10 − n) months
  to the day before the next month starts, so the 9th month ends the day before the DPA. Month
  arithmetic clamps to the end of the month (31 May − 4 months = 31 January, 31 May − 3 months
  = 28 or 29 February), like `dateutil.relativedelta` — hence the 1st day of the 6th month is
  DPA − 4 months, exactly the start of the PF/franchises exemption of FEATURES C4
  (`paiements.franchises.maternity_period`; a test keeps the two equal).
* **Weeks of amenorrhea (SA).** They count from the first day of the last period, taken as
  2 weeks before the start of the pregnancy; « n SA » is that day + 7 × n days (the DPA then
  falls at about 41 SA, the French obstetric term). An ultrasound « between 11 and 13 SA » may be
  done up to 13 SA + 6 days.
* **Congé maternité.** Prenatal leave starts `prenatal_weeks` before the DPA and ends the day
  before it; postnatal leave starts on the DPA and lasts `postnatal_weeks` (so 6 + 10 weeks are
  exactly 112 days). The rank of the child: « 3e enfant ou plus » when the family already counts
  at least 2 children born before this pregnancy started (« vous assumez déjà la charge d'au
  moins 2 enfants ou vous avez déjà mis au monde au moins 2 enfants nés viables »); twins and
  triplets have their own durations whatever the rank. Dates are computed from the *expected*
  delivery: the caisse recomputes them from the real birth.
* **Child exams (G2).** The wording of the official calendar (arrêté of 26 February 2019) is
  read literally. « Au cours du n-e mois / de la n-e année /
  de la n-e semaine »: the child is between n − 1 and n months / years / weeks old. « Entre a et
  b mois / ans »: the child is a, …, or b months / years old (from the a-th to the day before
  the (b + 1)-th). A window ends the day before its end offset. Years are counted like D6
  (`documents.rules.birthday_in`: a child born on 29 February has birthdays on 1 March in
  common years); months clamp to the month's end.
* **The list (G2)** is FEATURES G2's: 20 exams for every child (arrêté of 26 February 2019).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from documents import rules as document_rules

from .enums import Timing

ONE_DAY = datetime.timedelta(days=1)


# --- calendar helpers -------------------------------------------------------------------------
def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later (or earlier), clamped to the month's end."""
    return document_rules.add_months(day, months)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The `years`-th anniversary of `day` (29 February → 1 March in common years, as D6)."""
    return document_rules.birthday_in(day, day.year + years)


def ordinal(n: int, feminine: bool = False) -> str:
    """French abbreviated ordinal: 1er / 1re, 2e, 3e…"""
    if n == 1:
        return "1re" if feminine else "1er"
    return f"{n}e"


def timing(start: datetime.date, end: datetime.date, today: datetime.date) -> Timing:
    if end < today:
        return Timing.PAST
    if start <= today:
        return Timing.CURRENT
    return Timing.UPCOMING


# --- G1 maternité: data -----------------------------------------------------------------------
PREGNANCY_MONTHS = 9
AMENORRHEA_BEFORE_START = datetime.timedelta(weeks=2)

PRENATAL_EXAMS = 7
FIRST_PRENATAL_EXAM_BEFORE_END_OF_MONTH = 3  # « avant la fin du 3e mois », then one a month

FULL_COVERAGE_FROM_MONTH = 6  # « 100 % maternité » from the 1st day of the 6th month…
FULL_COVERAGE_DAYS_AFTER_BIRTH = 12  # …to 12 days after the birth

# Examen bucco-dentaire de prévention « maternité »: from the 4th month of pregnancy to 6 months
# after the birth (12 days before 28 February 2024; ameli.fr).
DENTAL_CHECK_FROM_MONTH = 4
DENTAL_CHECK_MONTHS_AFTER_BIRTH = 6

POSTNATAL_EXAM_WEEKS = 8  # examen postnatal within the 8 weeks after the birth


@dataclass(frozen=True)
class UltrasoundRule:
    """An ultrasound « vers `target` SA », done between `first` SA and `last` SA + 6 days."""

    target_week: int
    first_week: int
    last_week: int


ULTRASOUNDS = (
    UltrasoundRule(target_week=12, first_week=11, last_week=13),
    UltrasoundRule(target_week=22, first_week=20, last_week=24),
    UltrasoundRule(target_week=32, first_week=30, last_week=34),
)


@dataclass(frozen=True)
class LeaveRule:
    """Durations of the congé maternité for one situation (prenatal + postnatal weeks)."""

    situation: str
    prenatal_weeks: int
    postnatal_weeks: int

    @property
    def total_weeks(self) -> int:
        return self.prenatal_weeks + self.postnatal_weeks


LEAVE_FIRST_OR_SECOND_CHILD = LeaveRule("1er ou 2e enfant", 6, 10)
LEAVE_THIRD_CHILD_OR_MORE = LeaveRule("3e enfant ou plus", 8, 18)
LEAVE_TWINS = LeaveRule("naissance de jumeaux", 12, 22)
LEAVE_TRIPLETS_OR_MORE = LeaveRule("naissance de triplés ou plus", 24, 22)
CHILDREN_ALREADY_FOR_THIRD_CHILD = 2


# --- G1 maternité: rules ----------------------------------------------------------------------
def pregnancy_month_start(due: datetime.date, month: int) -> datetime.date:
    """First day of the `month`-th month of pregnancy (1–9); month 10 « starts » on the DPA."""
    if not 1 <= month <= PREGNANCY_MONTHS + 1:
        raise ValueError(f"Mois de grossesse hors limites : {month}")
    return add_months(due, month - PREGNANCY_MONTHS - 1)


def pregnancy_month(due: datetime.date, month: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of the `month`-th month of pregnancy."""
    if not 1 <= month <= PREGNANCY_MONTHS:
        raise ValueError(f"Mois de grossesse hors limites : {month}")
    return pregnancy_month_start(due, month), pregnancy_month_start(due, month + 1) - ONE_DAY


def pregnancy_start(due: datetime.date) -> datetime.date:
    return pregnancy_month_start(due, 1)


def amenorrhea_start(due: datetime.date) -> datetime.date:
    """The conventional first day of the last period: pregnancy start − 2 weeks."""
    return pregnancy_start(due) - AMENORRHEA_BEFORE_START


def amenorrhea_day(due: datetime.date, weeks: int, days: int = 0) -> datetime.date:
    """The day the pregnancy reaches `weeks` SA + `days`."""
    return amenorrhea_start(due) + datetime.timedelta(weeks=weeks, days=days)


def amenorrhea_weeks_on(due: datetime.date, today: datetime.date) -> tuple[int, int] | None:
    """(completed weeks, extra days) of amenorrhea on `today`; None outside the pregnancy."""
    if not amenorrhea_start(due) <= today < due:
        return None
    return divmod((today - amenorrhea_start(due)).days, 7)


def pregnancy_month_on(due: datetime.date, today: datetime.date) -> int | None:
    """Which month of pregnancy `today` is in (1–9), or None outside the pregnancy."""
    for month in range(1, PREGNANCY_MONTHS + 1):
        start, end = pregnancy_month(due, month)
        if start <= today <= end:
            return month
    return None


def full_coverage_period(due: datetime.date) -> tuple[datetime.date, datetime.date]:
    """« 100 % maternité »: 1st day of the 6th month → 12 days after the (expected) birth."""
    return (
        pregnancy_month_start(due, FULL_COVERAGE_FROM_MONTH),
        due + datetime.timedelta(days=FULL_COVERAGE_DAYS_AFTER_BIRTH),
    )


def leave_rule(expected_children: int, children_already: int) -> LeaveRule:
    """G1 congé maternité: twins and triplets+ first, then the rank of the child."""
    if expected_children < 1:
        raise ValueError("Une grossesse attend au moins un enfant.")
    if children_already < 0:
        raise ValueError("Nombre d'enfants négatif.")
    if expected_children >= 3:
        return LEAVE_TRIPLETS_OR_MORE
    if expected_children == 2:
        return LEAVE_TWINS
    if children_already >= CHILDREN_ALREADY_FOR_THIRD_CHILD:
        return LEAVE_THIRD_CHILD_OR_MORE
    return LEAVE_FIRST_OR_SECOND_CHILD


def children_before(birth_dates: Iterable[datetime.date], due: datetime.date) -> int:
    """Children of the family already born when this pregnancy started (a baby of this
    pregnancy, once declared and attached, does not raise its own rank)."""
    start = pregnancy_start(due)
    return sum(1 for birth_date in birth_dates if birth_date < start)


@dataclass(frozen=True)
class MaternityLeave:
    rule: LeaveRule
    prenatal_start: datetime.date
    prenatal_end: datetime.date
    postnatal_start: datetime.date
    postnatal_end: datetime.date

    @property
    def days(self) -> int:
        return (self.postnatal_end - self.prenatal_start).days + 1


def maternity_leave(
    due: datetime.date, expected_children: int, children_already: int
) -> MaternityLeave:
    rule = leave_rule(expected_children, children_already)
    return MaternityLeave(
        rule=rule,
        prenatal_start=due - datetime.timedelta(weeks=rule.prenatal_weeks),
        prenatal_end=due - ONE_DAY,
        postnatal_start=due,
        postnatal_end=due + datetime.timedelta(weeks=rule.postnatal_weeks) - ONE_DAY,
    )


@dataclass(frozen=True)
class Step:
    """One dated item of a calendar: an appointment window, a period or a day."""

    kind: str  # see the STEP_* constants
    label: str
    start: datetime.date
    end: datetime.date
    when: str = ""  # the rule in words (« au cours du 4e mois », « vers 22 SA »)
    target: datetime.date | None = None  # the recommended day, when there is one

    @property
    def is_follow_up(self) -> bool:
        """A medical appointment of the pregnancy follow-up (the dental check, open for
        months, is an offer, not « the next appointment »)."""
        return self.kind in FOLLOW_UP_STEPS

    def timing(self, today: datetime.date) -> Timing:
        return timing(self.start, self.end, today)


STEP_PRENATAL_EXAM = "examen"
STEP_ULTRASOUND = "echographie"
STEP_DENTAL = "dentaire"
STEP_FULL_COVERAGE = "100"
STEP_LEAVE = "conge"
STEP_BIRTH = "naissance"
STEP_POSTNATAL = "postnatal"
FOLLOW_UP_STEPS = (STEP_PRENATAL_EXAM, STEP_ULTRASOUND, STEP_POSTNATAL)


def prenatal_exams(due: datetime.date) -> tuple[Step, ...]:
    """The 7 prenatal exams: the 1st before the end of the 3rd month, then one a month (4th to
    9th month)."""
    first_end = pregnancy_month(due, FIRST_PRENATAL_EXAM_BEFORE_END_OF_MONTH)[1]
    steps = [
        Step(
            STEP_PRENATAL_EXAM,
            f"{ordinal(1)} examen prénatal",
            pregnancy_start(due),
            first_end,
            when=f"avant la fin du {ordinal(FIRST_PRENATAL_EXAM_BEFORE_END_OF_MONTH)} mois",
        )
    ]
    first_monthly = FIRST_PRENATAL_EXAM_BEFORE_END_OF_MONTH + 1
    for number, month in enumerate(range(first_monthly, PREGNANCY_MONTHS + 1), start=2):
        start, end = pregnancy_month(due, month)
        steps.append(
            Step(
                STEP_PRENATAL_EXAM,
                f"{ordinal(number)} examen prénatal",
                start,
                end,
                when=f"au cours du {ordinal(month)} mois",
            )
        )
    assert len(steps) == PRENATAL_EXAMS
    return tuple(steps)


def ultrasounds(due: datetime.date) -> tuple[Step, ...]:
    return tuple(
        Step(
            STEP_ULTRASOUND,
            f"{ordinal(number, feminine=True)} échographie",
            amenorrhea_day(due, rule.first_week),
            amenorrhea_day(due, rule.last_week, 6),
            when=f"vers {rule.target_week} semaines d'aménorrhée",
            target=amenorrhea_day(due, rule.target_week),
        )
        for number, rule in enumerate(ULTRASOUNDS, start=1)
    )


def dental_check(due: datetime.date) -> Step:
    return Step(
        STEP_DENTAL,
        "Examen bucco-dentaire de prévention",
        pregnancy_month_start(due, DENTAL_CHECK_FROM_MONTH),
        add_months(due, DENTAL_CHECK_MONTHS_AFTER_BIRTH),
        when=f"du {ordinal(DENTAL_CHECK_FROM_MONTH)} mois de grossesse au "
        f"{ordinal(DENTAL_CHECK_MONTHS_AFTER_BIRTH)} mois après l'accouchement",
    )


def postnatal_exam(due: datetime.date) -> Step:
    return Step(
        STEP_POSTNATAL,
        "Examen postnatal",
        due,
        due + datetime.timedelta(weeks=POSTNATAL_EXAM_WEEKS),
        when=f"dans les {POSTNATAL_EXAM_WEEKS} semaines qui suivent l'accouchement",
    )


@dataclass(frozen=True)
class MaternityCalendar:
    """G1: everything dated from one declared pregnancy."""

    due: datetime.date
    expected_children: int
    children_already: int
    start: datetime.date
    amenorrhea_start: datetime.date
    prenatal_exams: tuple[Step, ...]
    ultrasounds: tuple[Step, ...]
    full_coverage: tuple[datetime.date, datetime.date]
    leave: MaternityLeave
    dental_check: Step
    postnatal_exam: Step
    steps: tuple[Step, ...] = field(default=())

    @property
    def ends_on(self) -> datetime.date:
        """The last day something of this calendar still concerns the family."""
        return max(step.end for step in self.steps)

    def is_current(self, today: datetime.date) -> bool:
        return today <= self.ends_on

    def next_appointment(self, today: datetime.date) -> Step | None:
        """The first follow-up appointment (exam, ultrasound…) whose window has not ended."""
        return next(
            (s for s in self.steps if s.is_follow_up and s.timing(today) != Timing.PAST),
            None,
        )

    def amenorrhea_weeks_on(self, today):
        return amenorrhea_weeks_on(self.due, today)

    def month_on(self, today):
        return pregnancy_month_on(self.due, today)


def maternity_calendar(
    due: datetime.date, expected_children: int = 1, children_already: int = 0
) -> MaternityCalendar:
    """The dated calendar of a pregnancy due on `due` (FEATURES G1)."""
    leave = maternity_leave(due, expected_children, children_already)
    coverage = full_coverage_period(due)
    exams = prenatal_exams(due)
    scans = ultrasounds(due)
    dental = dental_check(due)
    postnatal = postnatal_exam(due)
    events = [
        *exams,
        *scans,
        dental,
        Step(
            STEP_FULL_COVERAGE,
            "« 100 % maternité »",
            coverage[0],
            coverage[1],
            when=f"du 1er jour du {ordinal(FULL_COVERAGE_FROM_MONTH)} mois au "
            f"{FULL_COVERAGE_DAYS_AFTER_BIRTH}e jour après l'accouchement",
        ),
        Step(
            STEP_LEAVE,
            "Congé prénatal",
            leave.prenatal_start,
            leave.prenatal_end,
            when=f"{leave.rule.prenatal_weeks} semaines avant l'accouchement",
        ),
        Step(STEP_BIRTH, "Date présumée d'accouchement", due, due),
        Step(
            STEP_LEAVE,
            "Congé postnatal",
            leave.postnatal_start,
            leave.postnatal_end,
            when=f"{leave.rule.postnatal_weeks} semaines après l'accouchement",
        ),
        postnatal,
    ]
    return MaternityCalendar(
        due=due,
        expected_children=expected_children,
        children_already=children_already,
        start=pregnancy_start(due),
        amenorrhea_start=amenorrhea_start(due),
        prenatal_exams=exams,
        ultrasounds=scans,
        full_coverage=coverage,
        leave=leave,
        dental_check=dental,
        postnatal_exam=postnatal,
        # Chronological; on the same first day, the shorter window first (an appointment before
        # the period it opens).
        steps=tuple(sorted(events, key=lambda s: (s.start, s.end))),
    )


# --- G2 santé de l'enfant: data ---------------------------------------------------------------
@dataclass(frozen=True)
class Offset:
    """An age: `years`, or `months`, or `days` after the birth (one of them)."""

    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, birth: datetime.date) -> datetime.date:
        if self.years:
            return add_years(birth, self.years)
        return add_months(birth, self.months) + datetime.timedelta(days=self.days)


def _days(n):
    return Offset(days=n)


def _months(n):
    return Offset(months=n)


def _years(n):
    return Offset(years=n)


@dataclass(frozen=True)
class ExamRule:
    """One mandatory child health exam: its window is [birth + `start`, birth + `end`)."""

    code: str  # stable, stored in ChildExamStatus.exam and used in URLs
    label: str  # the official wording
    start: Offset
    end: Offset
    certificate: str = ""

    def window(self, birth: datetime.date) -> tuple[datetime.date, datetime.date]:
        return self.start.after(birth), self.end.after(birth) - ONE_DAY


CHILD_EXAMS = (
    ExamRule(
        "8-jours",
        "Dans les 8 jours qui suivent la naissance",
        _days(0),
        _days(9),
        certificate="1er certificat de santé",
    ),
    ExamRule("2e-semaine", "Au cours de la 2e semaine", _days(7), _days(14)),
    ExamRule(
        "1er-mois",
        "Avant la fin du 1er mois",
        _days(14),  # « entre la 3e semaine et la fin du 1er mois »
        _months(1),
    ),
    *(
        ExamRule(f"{n}e-mois", f"Au cours du {n}e mois", _months(n - 1), _months(n))
        for n in (2, 3, 4, 5, 6)
    ),
    ExamRule(
        "9e-mois",
        "Au cours du 9e mois",
        _months(8),
        _months(9),
        certificate="2e certificat de santé",
    ),
    ExamRule("12e-mois", "Au cours du 12e mois", _months(11), _months(12)),
    ExamRule("13e-mois", "Au cours du 13e mois", _months(12), _months(13)),
    ExamRule("16-18-mois", "Entre 16 et 18 mois", _months(16), _months(19)),
    ExamRule(
        "24e-25e-mois",
        "Au cours du 24e ou du 25e mois",
        _months(23),
        _months(25),
        certificate="3e certificat de santé",
    ),
    *(
        ExamRule(f"{n}e-annee", f"Au cours de la {n}e année", _years(n - 1), _years(n))
        for n in (3, 4, 5, 6)
    ),
    ExamRule("8-9-ans", "Entre 8 et 9 ans", _years(8), _years(10)),
    ExamRule("11-13-ans", "Entre 11 et 13 ans", _years(11), _years(14)),
    ExamRule("15-16-ans", "Entre 15 et 16 ans", _years(15), _years(17)),
)
EXAM_RULES = {rule.code: rule for rule in CHILD_EXAMS}
MANDATORY_CHILD_EXAMS = 20
CHILD_HEALTH_MAX_AGE = 18  # « au cours des dix-huit premières années » (CSP R2132-1)


# --- G2 santé de l'enfant: rules --------------------------------------------------------------
@dataclass(frozen=True)
class ChildExam:
    rule: ExamRule
    start: datetime.date
    end: datetime.date

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def label(self) -> str:
        return self.rule.label

    def timing(self, today: datetime.date) -> Timing:
        return timing(self.start, self.end, today)


def child_exams(birth: datetime.date) -> tuple[ChildExam, ...]:
    """The mandatory exams of a child born on `birth`, in chronological order."""
    exams = [ChildExam(rule, *rule.window(birth)) for rule in CHILD_EXAMS]
    return tuple(sorted(exams, key=lambda e: (e.start, e.end)))


def child_exam(birth: datetime.date, code: str) -> ChildExam | None:
    """The exam `code` of that child, or None when unknown or not due for them."""
    return next((e for e in child_exams(birth) if e.code == code), None)


@dataclass(frozen=True)
class ExamLine:
    """An exam as a parent sees it: its status (« Réalisé » or not) and where it stands."""

    exam: ChildExam
    done: bool
    timing: Timing
    is_next: bool = False

    @property
    def code(self):
        return self.exam.code

    @property
    def label(self):
        return self.exam.label


def exam_lines(
    birth: datetime.date, done_codes: Iterable[str], today: datetime.date
) -> tuple[ExamLine, ...]:
    """Every exam of the child with its status; the next one (the first not done whose window
    has not ended) is flagged."""
    done = set(done_codes)
    lines = []
    next_found = False
    for exam in child_exams(birth):
        when = exam.timing(today)
        is_next = not next_found and exam.code not in done and when != Timing.PAST
        next_found = next_found or is_next
        lines.append(ExamLine(exam, exam.code in done, when, is_next))
    return tuple(lines)


def next_exam(lines: Iterable[ExamLine]) -> ExamLine | None:
    return next((line for line in lines if line.is_next), None)


def age_label(birth: datetime.date, today: datetime.date) -> str:
    """« 12 jours », « 8 mois », « 4 ans »: a child's age as a parent says it."""
    months = 0
    while add_months(birth, months + 1) <= today:
        months += 1
    if months == 0:
        days = (today - birth).days
        return f"{days} jour{'s' if days > 1 else ''}" if days else "moins d'un jour"
    if months < 24:
        return f"{months} mois"
    years = 0
    while add_years(birth, years + 1) <= today:
        years += 1
    return f"{years} ans"


def is_followed_child(birth: datetime.date, today: datetime.date) -> bool:
    """G2 concerns children until their 18th birthday."""
    return today < add_years(birth, CHILD_HEALTH_MAX_AGE)


# --- G3 M'T Dents -----------------------------------------------------------------------------
MT_DENTS_MIN_AGE = document_rules.MT_DENTS_MIN_AGE
MT_DENTS_MAX_AGE = document_rules.MT_DENTS_MAX_AGE
MT_DENTS_CARE_MONTHS = 6  # care that follows the check: within 6 months, no advance payment


@dataclass(frozen=True)
class DentalCheck:
    """G3 for one person: a period now (`start`–`end`), or the day they become eligible."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    eligible_from: datetime.date | None = None

    @property
    def eligible(self) -> bool:
        return self.start is not None


def mt_dents(person, today: datetime.date) -> DentalCheck | None:
    """G3 (yearly, 3 to 24 years): the period of this year of age — the same rule as the D6
    voucher (`documents.rules.mt_dents_period`) —, the 3rd birthday for a younger child, None
    past 24. `person` needs `birth_date` and `age_on()` (an unsaved `Person` will do)."""
    period = document_rules.mt_dents_period(person, today)
    if period is not None:
        return DentalCheck(start=period[0], end=period[1])
    if person.age_on(today) < MT_DENTS_MIN_AGE:
        return DentalCheck(eligible_from=add_years(person.birth_date, MT_DENTS_MIN_AGE))
    return None
