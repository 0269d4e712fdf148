"""What a démarche type declares (ARCHITECTURE decision 3).

Adding a démarche = one module in `demarches/types/` with a `DemarcheType` subclass decorated
with `@register`, its templates and its tests. A type declares:

* who: `eligibility(person, today)` for the account holder and
  `beneficiary_eligibility(family, member)` for each member of the family it allows
  (`allows_beneficiaries`, `min_age`); both return an `Eligibility` (truthy when allowed, with
  a French message when not);
* what is asked: `steps`, an ordered list of `Step(slug, title, form_class)` — the forms are
  `demarches.forms.StepForm` subclasses, their answers stored in `Demarche.payload[slug]`,
  their `UploadField`s stored as `DemarcheFile` rows;
* how it is reviewed: `summary(demarche)` (generic: every answer of every step, labelled as in
  the forms), `attestation` (« attestation sur l'honneur », where the seed has one),
  `submit_label`;
* what happens: `on_submit(demarche)` (e.g. invalidate a Vitale card at once),
  `on_accept(demarche)` (e.g. record a new IBAN), `accept_on_submit` (processed at once),
  `auto_accept_after` (accepted by the periodic task when no agent decided first);
* what the person is told: `acknowledgement_text`, `accepted_text`, the confirmation page and
  an optional block in « Suivre mes démarches » (`tracking_template`).

`Family` loads, in a fixed number of queries, what the eligibility rules of every type need for
one person (members, cards, CEAM, open and recent démarches), so the « Mes démarches » page asks
the database the same number of times whatever the family's size.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from assures.enums import VitaleStatus
from assures.models import Ceam, Person, Proxy, VitaleCard

from .enums import OPEN_STATUSES, Section, Status

# How far back `Family` looks at submitted démarches (rules use at most a few days).
RECENT_DAYS = 31


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, clipped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    message: str = ""

    def __bool__(self):
        return self.ok


ELIGIBLE = Eligibility(True)


def refused(message: str) -> Eligibility:
    return Eligibility(False, message)


@dataclass(frozen=True)
class Step:
    """One page of a démarche: `/demarches/<type>/<uuid>/etape/<slug>/`."""

    slug: str
    title: str
    form_class: type
    template: str = "demarches/step.html"
    # Answers of this step are forgotten when an earlier step changes (e.g. E5's security
    # code must be asked again when the IBAN changes).
    reset_when_earlier_changes: bool = False


@dataclass
class Family:
    """A person, their ayants droit and what the eligibility rules look at (bounded queries)."""

    person: Person
    today: datetime.date
    members: list = field(default_factory=list)
    cards: dict = field(default_factory=dict)  # person id -> [VitaleCard], newest first
    ceams: dict = field(default_factory=dict)  # person id -> [Ceam], latest expiry first
    demarches: list = field(default_factory=list)  # open or recent, not drafts
    drafts: list = field(default_factory=list)
    proxies: list = field(default_factory=list)  # in force

    @classmethod
    def load(cls, person, today=None) -> Family:
        from .models import Demarche

        today = today or timezone.localdate()
        family = cls(person=person, today=today)
        family.members = person.family()
        ids = [m.pk for m in family.members]
        for card in VitaleCard.objects.filter(person_id__in=ids).order_by("-issued_on", "-pk"):
            family.cards.setdefault(card.person_id, []).append(card)
        for ceam in Ceam.objects.filter(person_id__in=ids).order_by("-expires_on", "-pk"):
            family.ceams.setdefault(ceam.person_id, []).append(ceam)
        since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
        rows = list(
            Demarche.objects.for_person(person)
            .select_related("beneficiary")
            .filter(
                Q(status=Status.BROUILLON)
                | Q(status__in=OPEN_STATUSES)
                | Q(submitted_at__gte=since)
            )
            .order_by("-created_at")
        )
        family.drafts = [d for d in rows if d.status == Status.BROUILLON]
        family.demarches = [d for d in rows if d.status != Status.BROUILLON]
        family.proxies = list(
            Proxy.objects.filter(
                person=person, start__lte=today, end__gte=today, revoked_at__isnull=True
            )
        )
        return family

    def member(self, public_id):
        return next((m for m in self.members if str(m.public_id) == str(public_id)), None)

    def is_member(self, person) -> bool:
        return any(m.pk == person.pk for m in self.members)

    def active_card(self, member):
        return next(
            (c for c in self.cards.get(member.pk, []) if c.status == VitaleStatus.ACTIVE), None
        )

    def cards_of(self, member):
        return self.cards.get(member.pk, [])

    def valid_ceam(self, member):
        return next((c for c in self.ceams.get(member.pk, []) if c.is_valid_on(self.today)), None)

    def open_demarche(self, type_slug, member):
        return next(
            (
                d
                for d in self.demarches
                if d.type == type_slug and d.beneficiary_id == member.pk and d.is_open
            ),
            None,
        )

    def draft(self, type_slug, member):
        return next(
            (d for d in self.drafts if d.type == type_slug and d.beneficiary_id == member.pk),
            None,
        )

    def latest(self, type_slug, member, statuses=None):
        found = [
            d
            for d in self.demarches
            if d.type == type_slug
            and d.beneficiary_id == member.pk
            and (statuses is None or d.status in statuses)
        ]
        return max(found, key=lambda d: d.submitted_at, default=None)


@dataclass(frozen=True)
class SummaryItem:
    label: str
    value: str


@dataclass(frozen=True)
class SummarySection:
    title: str
    items: list
    step_slug: str = ""


class DemarcheType:
    """Base class of a démarche type. Subclasses set the attributes and override the hooks."""

    slug = ""
    label = ""
    feature = ""  # FEATURES id, e.g. "E5"
    section = Section.EFFECTUER
    order = 100
    description = ""
    delay_text = ""  # « Traitement en 48 h »…
    intro_template = ""  # information shown before « Commencer » (optional)
    start_label = "Commencer"
    submit_label = "Valider"
    attestation = ""  # text of the « attestation sur l'honneur » ("" = none)
    steps: list = []
    allows_beneficiaries = False  # the ayants droit as well as the account holder
    min_age = None  # minimal age of the beneficiary
    single_open = True  # one request in progress per beneficiary
    accept_on_submit = False  # processed at once (E1, E3, E13)
    auto_accept_after = None  # timedelta: accepted by the periodic task (E5: 48 h)
    file_kinds = {}  # kind -> label of the justificatifs (UploadField names)
    tracking_template = ""  # extra block in « Suivre mes démarches »
    confirmation_template = ""  # extra block on the confirmation page
    summary_title = "Récapitulatif de votre demande"
    message_theme = "demarche"  # messagerie.enums.Theme of the messages about it
    # Changes what the caisse pays to (E5's IBAN): the person confirms their identity first
    # (password, passkey or FranceConnect; ARCHITECTURE « Password and session rules »).
    requires_reauthentication = False

    # --- who --------------------------------------------------------------------------------
    def eligibility(self, person, today=None, family=None) -> Eligibility:
        """May `person` (the account holder) use this démarche at all, for anyone?"""
        family = family or Family.load(person, today)
        results = [self.beneficiary_eligibility(family, m) for m in self.candidates(family)]
        if any(results):
            return ELIGIBLE
        messages = [r.message for r in results if r.message]
        return refused(messages[0] if messages else "Cette démarche ne vous concerne pas.")

    def candidates(self, family) -> list:
        return list(family.members) if self.allows_beneficiaries else [family.person]

    def beneficiary_eligibility(self, family, member) -> Eligibility:
        if not family.is_member(member) or (
            not self.allows_beneficiaries and member.pk != family.person.pk
        ):
            return refused("Cette personne n'est pas rattachée à votre dossier.")
        if self.min_age is not None and member.age_on(family.today) < self.min_age:
            who = "Vous devez" if member.pk == family.person.pk else f"{member.first_name} doit"
            return refused(f"{who} avoir au moins {self.min_age} ans pour cette démarche.")
        if self.single_open:
            pending = family.open_demarche(self.slug, member)
            if pending is not None:
                return refused(
                    f"Une demande est déjà en cours pour {member.first_name} "
                    f"(référence {pending.reference}) : suivez-la dans « Suivre mes démarches »."
                )
        return self.extra_eligibility(family, member)

    def extra_eligibility(self, family, member) -> Eligibility:
        """The type's own rules for one beneficiary (override)."""
        return ELIGIBLE

    # --- steps --------------------------------------------------------------------------------
    def step(self, slug):
        return next((s for s in self.steps if s.slug == slug), None)

    def step_index(self, slug) -> int:
        return [s.slug for s in self.steps].index(slug)

    def first_incomplete_step(self, demarche):
        return next((s for s in self.steps if s.slug not in demarche.payload), None)

    # --- review -------------------------------------------------------------------------------
    def summary(self, demarche, *, review=False) -> list:
        """« Récapitulatif »: every answer of every step, as labelled in the forms.

        `review` is True on the page where the person checks what they typed before
        « Valider »; elsewhere (« Suivre mes démarches ») sensitive answers are masked."""
        sections = [
            SummarySection(
                "Bénéficiaire",
                [SummaryItem("Personne concernée", demarche.beneficiary.full_name)],
            )
        ]
        files = list(demarche.files.all())
        for step in self.steps:
            form = step.form_class(demarche=demarche)
            items = form.summary_items(demarche.payload.get(step.slug, {}), files, review=review)
            if items:
                sections.append(SummarySection(step.title, items, step.slug))
        return sections

    def warnings(self, demarche) -> list:
        """Things the person should double-check on the summary page (French sentences)."""
        return []

    def start_context(self, family) -> dict:
        """Extra context for the start page (e.g. the procurations in force, E13)."""
        return {}

    # --- effects (called by the engine inside the transition's transaction) ----------------
    def on_submit(self, demarche):
        """Immediate effect of the submission on the registry."""

    def on_accept(self, demarche):
        """Effect of the acceptance (by an agent or automatically) on the registry."""

    def on_refuse(self, demarche):
        """Effect of a refusal or a « sans suite » (undo what on_submit did, if anything)."""

    # --- messages -------------------------------------------------------------------------------
    def acknowledgement_text(self, demarche) -> str:
        text = (
            f"Nous avons bien reçu votre demande « {self.label} » pour "
            f"{demarche.beneficiary.full_name}, le "
            f"{timezone.localtime(demarche.submitted_at):%d/%m/%Y à %H:%M}. "
            f"Sa référence est {demarche.reference}."
        )
        if self.delay_text:
            text += f" {self.delay_text}"
        return text

    def accepted_text(self, demarche) -> str:
        return f"Votre demande « {self.label} » (référence {demarche.reference}) est acceptée."

    def confirmation_context(self, demarche) -> dict:
        return {}

    def tracking_context(self, demarche) -> dict:
        return {}

    def periodic(self, now) -> int:
        """Work of the periodic task for this type (e.g. advance Vitale orders); returns a count."""
        return 0
