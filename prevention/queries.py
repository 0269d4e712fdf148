"""What the pages of « Mon espace prévention » read, in a fixed number of queries.

Every queryset starts from the logged-in insured (ARCHITECTURE decision 2): their family
(`Person.family()`: themselves, then their ayants droit by birth date) is loaded once with the
qualité of each ayant droit, and everything else is fetched for those people only, whatever the
size of the family: 1 query for the family, 1 for the pregnancies, 1 for the exam statuses,
1 for the ALD.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.http import Http404

from assures.enums import Quality
from assures.models import Beneficiary, LongTermCondition, Person, Pregnancy

from . import rules
from .enums import ExamStatus
from .models import ChildExamStatus


@dataclass(frozen=True)
class Member:
    person: Person
    quality: str | None  # None for the insured themself

    @property
    def is_child(self) -> bool:
        return self.quality == Quality.CHILD


def family(me: Person) -> list[Member]:
    """`me.family()` with each ayant droit's qualité, in one query and the same order: the
    registry's one definition (`Person.objects.ayants_droit_of`), its link's qualité read
    through the same join."""
    ayants_droit = Person.objects.ayants_droit_of(me).annotate(
        link_quality=F("attached_to__quality")
    )
    return [Member(me, None), *(Member(p, p.link_quality) for p in ayants_droit)]


def my_child(me: Person, public_id) -> Person:
    """One of my children (an ayant droit with the qualité « enfant »), or a 404."""
    link = (
        Beneficiary.objects.filter(insured=me, quality=Quality.CHILD, person__public_id=public_id)
        .select_related("person")
        .first()
    )
    if link is None:
        raise Http404("Aucun enfant de votre dossier ne correspond.")
    return link.person


def done_codes(children) -> dict[int, set[str]]:
    """{child pk: codes of the exams set « Réalisé »} in one query."""
    result = {child.pk: set() for child in children}
    rows = ChildExamStatus.objects.for_children(children).filter(status=ExamStatus.DONE)
    for person_id, exam in rows.values_list("person_id", "exam"):
        result[person_id].add(exam)
    return result


@dataclass(frozen=True)
class Pregnant:
    person: Person
    calendar: rules.MaternityCalendar
    today: datetime.date

    @property
    def amenorrhea(self) -> tuple[int, int] | None:
        return self.calendar.amenorrhea_weeks_on(self.today)

    @property
    def month(self) -> int | None:
        return self.calendar.month_on(self.today)

    @property
    def month_label(self) -> str:
        return f"{rules.ordinal(self.month)} mois de grossesse" if self.month else ""

    @property
    def next(self) -> rules.Step | None:
        return self.calendar.next_appointment(self.today)

    def steps(self):
        """[(step, timing, is_next)] in chronological order."""
        upcoming = self.next
        return [(step, step.timing(self.today), step == upcoming) for step in self.calendar.steps]


def current_pregnancies(members: list[Member], today: datetime.date) -> list[Pregnant]:
    """G1: the declared pregnancies of the family whose calendar still concerns it, with the
    rank of the child from the children already in the family."""
    people = {m.person.pk: m.person for m in members}
    child_births = [m.person.birth_date for m in members if m.is_child]
    result = []
    pregnancies = Pregnancy.objects.filter(person__in=list(people)).order_by("expected_delivery")
    for pregnancy in pregnancies:
        calendar = rules.maternity_calendar(
            pregnancy.expected_delivery,
            expected_children=pregnancy.expected_children,
            children_already=rules.children_before(child_births, pregnancy.expected_delivery),
        )
        if calendar.is_current(today):
            result.append(Pregnant(people[pregnancy.person_id], calendar, today))
    return result


@dataclass(frozen=True)
class ChildHealth:
    person: Person
    lines: tuple[rules.ExamLine, ...]
    age: str

    @property
    def next(self) -> rules.ExamLine | None:
        return rules.next_exam(self.lines)

    @property
    def done_count(self) -> int:
        return sum(1 for line in self.lines if line.done)


def followed_children(members: list[Member], today: datetime.date) -> list[Person]:
    return [
        m.person
        for m in members
        if m.is_child and rules.is_followed_child(m.person.birth_date, today)
    ]


def child_health(children: list[Person], today: datetime.date) -> list[ChildHealth]:
    """G2 for each child: every exam with its status, the next one flagged."""
    done = done_codes(children)
    return [
        ChildHealth(
            child,
            rules.exam_lines(child.birth_date, done[child.pk], today),
            rules.age_label(child.birth_date, today),
        )
        for child in children
    ]


@dataclass(frozen=True)
class DentalLine:
    person: Person
    check: rules.DentalCheck
    voucher: bool  # the D6 « Télécharger ma prise en charge M'T Dents » is available


def dental_checks(members: list[Member], today: datetime.date) -> list[DentalLine]:
    """G3 for every member of the family aged up to 24 (the younger ones: from when)."""
    lines = []
    for member in members:
        check = rules.mt_dents(member.person, today)
        if check is not None:
            voucher = check.eligible and member.person.rights_open(today)
            lines.append(DentalLine(member.person, check, voucher))
    return lines


def long_term_conditions(members: list[Member], today: datetime.date):
    """G4: the ALD in force of the family, the insured's first."""
    order = {m.person.pk: index for index, m in enumerate(members)}
    alds = LongTermCondition.objects.filter(person__in=list(order)).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    return sorted(alds, key=lambda ald: (order[ald.person_id], ald.start, ald.pk))


def prevention_space(me: Person, today: datetime.date) -> dict:
    """Everything « Mon espace prévention » shows (FEATURES G1–G4), in 4 queries."""
    members = family(me)
    people = {m.person.pk: m.person for m in members}
    alds = long_term_conditions(members, today)
    for ald in alds:  # no query per ALD for its person
        ald.person = people[ald.person_id]
    dental = dental_checks(members, today)
    return {
        "me": me,
        "pregnancies": current_pregnancies(members, today),
        "children": child_health(followed_children(members, today), today),
        "dental": dental,
        "dental_voucher": any(line.voucher for line in dental),
        "alds": alds,
    }
