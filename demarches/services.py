"""State-changing functions of the démarches engine (FEATURES E, E20, H2).

Every function here is one atomic block that first locks the démarche row
(`select_for_update`), so two requests racing on the same démarche (a double click, a replayed
POST, an agent deciding while the periodic task runs) are applied one after the other and the
second one sees what the first did.

The transitions are explicit and guarded by `TRANSITIONS` (name -> allowed sources, target);
anything else raises `TransitionNotAllowed` with a French message. Each transition writes a
`DemarcheTransition` row (from, to, who, when, why); the database refuses an incoherent row
(see the CheckConstraints of `models.py`).

    brouillon --submit--> déposée --start_instruction--> en_instruction --accept--> acceptée
                                                                  |  \\--refuse--> refusée
                      pièce demandée <--request_document---------/    \\--classify--> sans suite
                      pièce demandée --provide_document--> en_instruction
                      pièce demandée --classify--> sans suite

An agent's accept / refuse / request / classify on a démarche still « déposée » first passes
it « en instruction » (two rows in the history, as in démarches-simplifiées).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import notifications
from .enums import FINAL_STATUSES, REASON_REQUIRED, Actor, Status
from .models import Demarche, DemarcheFile, DemarcheTransition, ReferenceSequence

TRANSITIONS = {
    "submit": ({Status.BROUILLON}, Status.DEPOSEE),
    "start_instruction": ({Status.DEPOSEE}, Status.EN_INSTRUCTION),
    "request_document": ({Status.EN_INSTRUCTION}, Status.PIECE_DEMANDEE),
    "provide_document": ({Status.PIECE_DEMANDEE}, Status.EN_INSTRUCTION),
    "accept": ({Status.EN_INSTRUCTION}, Status.ACCEPTEE),
    "refuse": ({Status.EN_INSTRUCTION}, Status.REFUSEE),
    "classify": ({Status.EN_INSTRUCTION, Status.PIECE_DEMANDEE}, Status.SANS_SUITE),
}
# Decisions an agent can take (H2), from the statuses where they make sense.
AGENT_ACTIONS = ("start_instruction", "accept", "refuse", "request_document", "classify")


class TransitionNotAllowed(Exception):
    """A forbidden change of status (the message is French and shown as is)."""


class IncompleteDemarche(Exception):
    """Submission refused: a step's answers are missing or no longer valid."""

    def __init__(self, step, errors):
        self.step = step
        self.errors = errors
        super().__init__(f"Étape « {step.title} » à vérifier : {' '.join(errors)}")


class NotEligible(Exception):
    """The démarche is not (or no longer) open to this person or beneficiary."""


def actor_of(user):
    if user is None:
        return Actor.SYSTEM
    return Actor.AGENT if user.is_staff else Actor.INSURED


def can(demarche, name) -> bool:
    sources, _target = TRANSITIONS[name]
    return demarche.status in sources


def allowed_agent_actions(demarche) -> list:
    """H2: the decisions offered to an agent for this démarche (déposée counts as examinable)."""
    if demarche.status == Status.DEPOSEE:
        return list(AGENT_ACTIONS)
    return [name for name in AGENT_ACTIONS if name != "start_instruction" and can(demarche, name)]


def lock(demarche) -> Demarche:
    return Demarche.objects.select_for_update().get(pk=demarche.pk)


def transition(demarche, name, *, by=None, reason="", at=None) -> DemarcheTransition:
    """Apply transition `name` to a démarche already locked by the caller; log it."""
    if name not in TRANSITIONS:
        raise TransitionNotAllowed(f"Action inconnue : {name}.")
    sources, target = TRANSITIONS[name]
    if demarche.status not in sources:
        raise TransitionNotAllowed(
            f"Impossible de passer la démarche {demarche.reference or '(brouillon)'} "
            f"de « {Status(demarche.status).label} » à « {target.label} »."
        )
    reason = (reason or "").strip()
    if target in REASON_REQUIRED and not reason:
        raise TransitionNotAllowed(f"Un motif est obligatoire pour « {target.label} ».")
    at = at or timezone.now()
    previous = demarche.status
    demarche.status = target
    if target == Status.DEPOSEE:
        demarche.submitted_at = at
    if target in FINAL_STATUSES:
        demarche.decided_at = at
        demarche.auto_accept_at = None
    if target == Status.PIECE_DEMANDEE:
        demarche.auto_accept_at = None  # an agent took the request over
    demarche.save()
    return DemarcheTransition.objects.create(
        demarche=demarche,
        from_status=previous,
        to_status=target,
        at=at,
        actor=actor_of(by),
        by=by,
        reason=reason,
    )


def next_reference(year: int) -> str:
    """« DEM-2026-000123 »: a per-year counter incremented under a row lock (no duplicates)."""
    ReferenceSequence.objects.get_or_create(year=year)
    ReferenceSequence.objects.filter(year=year).update(last_value=F("last_value") + 1)
    value = ReferenceSequence.objects.get(year=year).last_value
    return f"DEM-{year}-{value:06d}"


# --- drafts -----------------------------------------------------------------------------------
def create_draft(person, kind, beneficiary, *, follows=None, family=None):
    """The draft of `kind` for `beneficiary`: the existing one (« Reprendre ») or a new one.

    Raises NotEligible when the type's rules refuse it. A double click creates one draft (the
    database allows one draft per type and beneficiary)."""
    from .engine import Family

    family = family or Family.load(person)
    verdict = kind.beneficiary_eligibility(family, beneficiary)
    if not verdict:
        raise NotEligible(verdict.message)
    existing = Demarche.objects.drafts().filter(
        person=person, type=kind.slug, beneficiary=beneficiary
    )
    found = existing.first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return (
                Demarche.objects.create(
                    person=person, type=kind.slug, beneficiary=beneficiary, follows=follows
                ),
                True,
            )
    except IntegrityError:
        return existing.get(), False


def save_step(demarche, step, form, request=None) -> Demarche:
    """Store a valid step form: answers in the payload, uploads as files (replacing older ones).

    When the answers change, later steps marked `reset_when_earlier_changes` are forgotten."""
    kind = demarche.kind
    with transaction.atomic():
        locked = lock(demarche)
        if not locked.is_draft:
            raise TransitionNotAllowed("Cette démarche est déjà envoyée : elle ne se modifie plus.")
        new = form.to_payload()
        changed = locked.payload.get(step.slug) != new
        payload = dict(locked.payload)
        payload[step.slug] = new
        uploads = form.uploads()
        if changed or uploads:
            index = kind.step_index(step.slug)
            for later in kind.steps[index + 1 :]:
                if later.reset_when_earlier_changes:
                    payload.pop(later.slug, None)
        locked.payload = payload
        locked.save(update_fields=["payload", "updated_at"])
        for file_kind, (label, info) in uploads.items():
            attach_file(locked, file_kind, label, info)
        form.demarche = locked
        form.after_save(request)
        demarche.payload = locked.payload
        return locked


def attach_file(demarche, kind, label, info) -> DemarcheFile:
    """Store a checked upload (portal.uploads.UploadInfo) as the démarche's file of `kind`.

    A draft keeps one file per kind (a new one replaces the old); a document sent for a
    « pièce demandée » is added to the others."""
    if demarche.is_draft:
        for old in DemarcheFile.objects.filter(demarche=demarche, kind=kind):
            name, storage = old.file.name, old.file.storage
            old.delete()
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    row = DemarcheFile(
        demarche=demarche,
        kind=kind,
        label=label[:120],
        original_name=info.safe_name,
        content_type=info.content_type,
        size=info.size,
    )
    row.file.save(info.safe_name, ContentFile(info.data), save=False)
    row.save()
    return row


# --- submission -------------------------------------------------------------------------------
def check_complete(demarche):
    """Re-validate every step's stored answers (raises IncompleteDemarche)."""
    kind = demarche.kind
    for step in kind.steps:
        errors = step.form_class.revalidate(demarche, demarche.payload.get(step.slug))
        if errors:
            raise IncompleteDemarche(step, errors)


def submit(demarche, user) -> Demarche:
    """« Valider »: the draft becomes a request (reference, accusé de réception, effects).

    Idempotent: submitting a démarche already submitted (double click, replayed POST) changes
    nothing and sends nothing; the caller shows its confirmation page again."""
    from .engine import Family

    kind = demarche.kind
    with transaction.atomic():
        locked = lock(demarche)
        if not locked.is_draft:
            return locked
        check_complete(locked)
        family = Family.load(locked.person)
        verdict = kind.beneficiary_eligibility(family, locked.beneficiary)
        if not verdict:
            raise NotEligible(verdict.message)
        now = timezone.now()
        locked.reference = next_reference(timezone.localtime(now).year)
        transition(locked, "submit", by=user, at=now)
        if kind.auto_accept_after is not None and not kind.accept_on_submit:
            locked.auto_accept_at = now + kind.auto_accept_after
            locked.save(update_fields=["auto_accept_at", "updated_at"])
        kind.on_submit(locked)
        if kind.accept_on_submit:
            transition(locked, "start_instruction", at=now)
            transition(locked, "accept", at=now)
            kind.on_accept(locked)
        notifications.acknowledge(locked)
        return locked


# --- instruction (agents, H2) ----------------------------------------------------------------
def _examine(locked, by, at=None):
    """A decision on a démarche still « déposée » first puts it « en instruction »."""
    if locked.status == Status.DEPOSEE:
        log = transition(locked, "start_instruction", by=by, at=at)
        return log
    return None


def start_instruction(demarche, by) -> Demarche:
    with transaction.atomic():
        locked = lock(demarche)
        log = transition(locked, "start_instruction", by=by)
        notifications.decision(locked, log)
        return locked


def accept(demarche, by=None, *, at=None) -> Demarche:
    """Accept (an agent, or the system when `by` is None) and apply the type's effect."""
    with transaction.atomic():
        locked = lock(demarche)
        _examine(locked, by, at)
        log = transition(locked, "accept", by=by, at=at)
        locked.kind.on_accept(locked)
        notifications.decision(locked, log)
        return locked


def refuse(demarche, by, reason) -> Demarche:
    with transaction.atomic():
        locked = lock(demarche)
        if not reason or not reason.strip():
            raise TransitionNotAllowed("Un motif est obligatoire pour « Refusée ».")
        _examine(locked, by)
        log = transition(locked, "refuse", by=by, reason=reason)
        locked.kind.on_refuse(locked)
        notifications.decision(locked, log)
        return locked


def request_document(demarche, by, message) -> Demarche:
    with transaction.atomic():
        locked = lock(demarche)
        if not message or not message.strip():
            raise TransitionNotAllowed("Un message est obligatoire pour demander une pièce.")
        _examine(locked, by)
        log = transition(locked, "request_document", by=by, reason=message)
        notifications.decision(locked, log)
        return locked


def classify(demarche, by, reason) -> Demarche:
    """« Classer sans suite »."""
    with transaction.atomic():
        locked = lock(demarche)
        if not reason or not reason.strip():
            raise TransitionNotAllowed("Un motif est obligatoire pour « Classée sans suite ».")
        _examine(locked, by)
        log = transition(locked, "classify", by=by, reason=reason)
        locked.kind.on_refuse(locked)
        notifications.decision(locked, log)
        return locked


AGENT_DECISIONS = {
    "start_instruction": lambda d, agent, reason: start_instruction(d, agent),
    "accept": lambda d, agent, reason: accept(d, agent),
    "refuse": refuse,
    "request_document": request_document,
    "classify": classify,
}


def decide(demarche, action, agent, reason="") -> Demarche:
    """H2: apply an agent's decision by name (the admin's decision form)."""
    if action not in AGENT_DECISIONS:
        raise TransitionNotAllowed(f"Action inconnue : {action}.")
    return AGENT_DECISIONS[action](demarche, agent, reason)


def provide_document(demarche, user, info, comment="") -> Demarche:
    """« Pièce demandée »: the person adds the document; the request goes back to instruction."""
    with transaction.atomic():
        locked = lock(demarche)
        transition(
            locked,
            "provide_document",
            by=user,
            reason=(comment or "").strip() or "Document ajouté par l'assuré.",
        )
        attach_file(locked, "piece_complementaire", "Pièce complémentaire", info)
        return locked


# --- periodic work ----------------------------------------------------------------------------
def accept_due(now=None) -> list:
    """Accept the démarches whose automatic acceptance date has passed (E5: 48 h).

    Each row is claimed under its own lock and checked again, so running this twice at once
    (two beat schedulers, a retry) accepts each démarche once."""
    now = now or timezone.now()
    due = list(
        Demarche.objects.filter(
            auto_accept_at__lte=now, status__in=[Status.DEPOSEE, Status.EN_INSTRUCTION]
        ).values_list("pk", flat=True)
    )
    accepted = []
    for pk in due:
        with transaction.atomic():
            locked = Demarche.objects.select_for_update().filter(pk=pk).first()
            if (
                locked is None
                or locked.auto_accept_at is None
                or locked.auto_accept_at > now
                or locked.status not in (Status.DEPOSEE, Status.EN_INSTRUCTION)
            ):
                continue
            _examine(locked, None, now)
            log = transition(locked, "accept", at=now)
            locked.kind.on_accept(locked)
            notifications.decision(locked, log)
            accepted.append(locked.pk)
    return accepted
