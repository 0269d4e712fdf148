"""« Mes démarches » (FEATURES E, E20): the generic pages every démarche type goes through.

    /demarches/                                  hub « Mes démarches »
    /demarches/<type>/                           start: information, beneficiary, « Commencer »
    /demarches/<type>/<uuid>/etape/<step>/       one page per step (« Étape 2 sur 4 »)
    /demarches/<type>/<uuid>/recapitulatif/      summary, attestation, « Valider »
    /demarches/<type>/<uuid>/confirmation/       the reference and what comes next
    /demarches/suivi/                            « Suivre mes démarches » (drafts: « Reprendre »)
    /demarches/suivi/<uuid>/                     status, history, files, « pièce demandée »
    /demarches/fichiers/<uuid>/                  download of a justificatif (owner only)

Every queryset starts from the logged-in person (ARCHITECTURE decision 2): another person's
démarche or file is a 404, never a 403.
"""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from accounts.decorators import insured_required
from portal.uploads import file_response

from . import services
from .engine import Family
from .enums import STATUS_BADGES, Section, Status
from .forms import BeneficiaryForm, ProvideDocumentForm, SummaryForm
from .models import Demarche, DemarcheFile, DemarcheTransition
from .registry import all_types, get_type


def optional_url(name, *args):
    """The URL of a page another app may or may not offer yet (no dead link)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def step_url(demarche, step):
    return reverse("demarches:step", args=[demarche.type, demarche.public_id, step.slug])


def summary_url(demarche):
    return reverse("demarches:summary", args=[demarche.type, demarche.public_id])


def resume_url(demarche):
    """Where « Reprendre » leads: the first step not filled yet, or the summary."""
    step = demarche.kind.first_incomplete_step(demarche)
    return step_url(demarche, step) if step else summary_url(demarche)


def own_draft(request, type_slug, public_id):
    """The logged-in person's démarche of this type (404 otherwise)."""
    kind = get_type(type_slug)
    demarche = get_object_or_404(
        Demarche.objects.select_related("beneficiary", "person"),
        public_id=public_id,
        type=kind.slug,
        person=request.user.person,
    )
    return kind, demarche


def progress(kind, position):
    """« Étape 2 sur 4 » (the summary counts as the last step)."""
    return {"number": position, "total": len(kind.steps) + 1}


# --- hub -----------------------------------------------------------------------------------------
@insured_required
def hub(request):
    """« Mes démarches »: the démarches open to the person, by section, and the drafts."""
    person = request.user.person
    family = Family.load(person)
    sections = {section: [] for section in Section}
    for kind in all_types():
        verdict = kind.eligibility(person, family.today, family=family)
        sections[kind.section].append({"kind": kind, "eligibility": verdict})
    for draft in family.drafts:
        draft.resume_url = resume_url(draft)
    return render(
        request,
        "demarches/hub.html",
        {
            "sections": [
                {
                    "id": section.value,
                    "label": section.label,
                    "available": [e for e in entries if e["eligibility"]],
                    "unavailable": [e for e in entries if not e["eligibility"]],
                }
                for section, entries in sections.items()
            ],
            "drafts": family.drafts,
            "open_count": sum(1 for d in family.demarches if d.is_open),
            "documents_url": optional_url("documents:hub") or optional_url("documents:index"),
            "messagerie_url": optional_url("messagerie:inbox") or optional_url("messagerie:index"),
        },
    )


def _type_requires_reauthentication(request):
    """The démarche of the URL changes where the caisse pays (E5): allauth asks the person to
    confirm their identity first, then resumes the request (its middleware and session)."""
    try:
        return get_type(request.resolver_match.kwargs["type_slug"]).requires_reauthentication
    except (Http404, KeyError):
        return False  # the view answers 404 itself


reauthenticated_if_needed = reauthentication_required(enabled=_type_requires_reauthentication)


# --- start ---------------------------------------------------------------------------------------
@insured_required
@reauthenticated_if_needed
def start(request, type_slug):
    """The type's information, the choice of the beneficiary, then a draft (or the existing one)."""
    kind = get_type(type_slug)
    person = request.user.person
    family = Family.load(person)
    candidates = [
        {"person": member, "eligibility": kind.beneficiary_eligibility(family, member)}
        for member in kind.candidates(family)
    ]
    eligible = [c for c in candidates if c["eligibility"]]
    choices = [
        (
            str(c["person"].public_id),
            c["person"].full_name + (" (vous)" if c["person"] == person else ""),
        )
        for c in eligible
    ]
    form = BeneficiaryForm(
        request.POST if request.method == "POST" else None,
        choices=choices,
        initial={"follows": request.GET.get("suite"), "beneficiary": request.GET.get("pour")},
    )
    if request.method == "POST" and eligible and form.is_valid():
        member = family.member(form.cleaned_data["beneficiary"])
        follows = None
        if form.cleaned_data.get("follows"):
            follows = (
                Demarche.objects.filter(
                    person=person, public_id=form.cleaned_data["follows"], beneficiary=member
                )
                .exclude(status=Status.BROUILLON)
                .first()
            )
        try:
            demarche, _created = services.create_draft(
                person, kind, member, follows=follows, family=family
            )
        except services.NotEligible as refusal:
            form.add_error("beneficiary", str(refusal))
        else:
            return redirect(resume_url(demarche))
    drafts = [d for d in family.drafts if d.type == kind.slug]
    for draft in drafts:
        draft.resume_url = resume_url(draft)
    return render(
        request,
        "demarches/start.html",
        {
            "kind": kind,
            "form": form,
            "candidates": candidates,
            "eligible": eligible,
            "unavailable": [c for c in candidates if not c["eligibility"]],
            "drafts": drafts,
            **kind.start_context(family),
        },
    )


# --- steps ---------------------------------------------------------------------------------------
@insured_required
@reauthenticated_if_needed
def step(request, type_slug, public_id, step_slug):
    kind, demarche = own_draft(request, type_slug, public_id)
    if not demarche.is_draft:
        return redirect("demarches:detail", demarche.public_id)
    current = kind.step(step_slug)
    if current is None:
        raise Http404("Étape inconnue.")
    index = kind.step_index(current.slug)
    missing = next((s for s in kind.steps[:index] if s.slug not in demarche.payload), None)
    if missing is not None:  # earlier steps first
        return redirect(step_url(demarche, missing))
    form_class = current.form_class
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, demarche=demarche)
        action = next((name for name in form.extra_actions if name in request.POST), None)
        if action:
            with transaction.atomic():
                services.lock(demarche)
                ok, message = form.perform_action(action, request)
            (messages.success if ok else messages.error)(request, message)
            return redirect(step_url(demarche, current))
        if form.is_valid():
            try:
                services.save_step(demarche, current, form, request)
            except services.TransitionNotAllowed as error:
                messages.error(request, str(error))
                return redirect("demarches:detail", demarche.public_id)
            following = kind.steps[index + 1] if index + 1 < len(kind.steps) else None
            if following is not None:
                return redirect(step_url(demarche, following))
            return redirect(summary_url(demarche))
    else:
        form = form_class(initial=demarche.payload.get(current.slug), demarche=demarche)
    previous = kind.steps[index - 1] if index > 0 else None
    return render(
        request,
        current.template,
        {
            "kind": kind,
            "demarche": demarche,
            "step": current,
            "form": form,
            "progress": progress(kind, index + 1),
            "previous_url": step_url(demarche, previous)
            if previous
            else reverse("demarches:start", args=[kind.slug]),
            "is_last_step": index + 1 == len(kind.steps),
        },
    )


@insured_required
@reauthenticated_if_needed
def summary(request, type_slug, public_id):
    """« Récapitulatif », attestation sur l'honneur and « Valider » (one submission only)."""
    kind, demarche = own_draft(request, type_slug, public_id)
    if not demarche.is_draft:
        return redirect("demarches:confirmation", kind.slug, demarche.public_id)
    missing = kind.first_incomplete_step(demarche)
    if missing is not None:
        return redirect(step_url(demarche, missing))
    form = SummaryForm(
        request.POST if request.method == "POST" else None, attestation_text=kind.attestation
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(demarche, request.user)
        except services.IncompleteDemarche as incomplete:
            messages.error(request, str(incomplete))
            return redirect(step_url(demarche, incomplete.step))
        except services.NotEligible as refusal:
            error = str(refusal)
        else:
            return redirect("demarches:confirmation", kind.slug, demarche.public_id)
    return render(
        request,
        "demarches/summary.html",
        {
            "kind": kind,
            "demarche": demarche,
            "sections": kind.summary(demarche, review=True),
            "warnings": kind.warnings(demarche),
            "form": form,
            "error": error,
            "progress": progress(kind, len(kind.steps) + 1),
            "previous_url": step_url(demarche, kind.steps[-1]),
        },
    )


@insured_required
def confirmation(request, type_slug, public_id):
    kind, demarche = own_draft(request, type_slug, public_id)
    if demarche.is_draft:
        return redirect(resume_url(demarche))
    return render(
        request,
        "demarches/confirmation.html",
        {"kind": kind, "demarche": demarche, **kind.confirmation_context(demarche)},
    )


# --- tracking (E20) -------------------------------------------------------------------------------
@insured_required
def suivi(request):
    """« Suivre mes démarches »: every request with its status; drafts with « Reprendre »."""
    person = request.user.person
    rows = list(
        Demarche.objects.for_person(person)
        .select_related("beneficiary")
        .order_by("-submitted_at", "-created_at")
    )
    drafts = [d for d in rows if d.is_draft]
    for draft in drafts:
        draft.resume_url = resume_url(draft)
    submitted = [d for d in rows if not d.is_draft]
    for d in submitted:
        d.badge = STATUS_BADGES.get(d.status, "")
    return render(
        request,
        "demarches/suivi.html",
        {"drafts": drafts, "demarches": submitted},
    )


@insured_required
def detail(request, public_id):
    person = request.user.person
    demarche = get_object_or_404(
        Demarche.objects.select_related("beneficiary", "follows").prefetch_related(
            Prefetch("transitions", queryset=DemarcheTransition.objects.order_by("at", "pk")),
            "files",
        ),
        public_id=public_id,
        person=person,
    )
    if demarche.is_draft:
        return redirect(resume_url(demarche))
    kind = demarche.kind
    form = None
    if demarche.status == Status.PIECE_DEMANDEE:
        posted = request.method == "POST"
        form = ProvideDocumentForm(
            request.POST if posted else None, request.FILES if posted else None
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.provide_document(
                    demarche,
                    request.user,
                    form.cleaned_data["document"],
                    form.cleaned_data["comment"],
                )
            except services.TransitionNotAllowed as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Votre document est bien transmis à votre caisse.")
            return redirect("demarches:detail", demarche.public_id)
    elif request.method == "POST":
        return redirect("demarches:detail", demarche.public_id)
    transitions = list(demarche.transitions.all())
    requested = next(
        (t for t in reversed(transitions) if t.to_status == Status.PIECE_DEMANDEE), None
    )
    return render(
        request,
        "demarches/detail.html",
        {
            "kind": kind,
            "demarche": demarche,
            "badge": STATUS_BADGES.get(demarche.status, ""),
            "transitions": transitions,
            "files": list(demarche.files.all()),
            "sections": kind.summary(demarche),
            "document_form": form,
            "requested": requested,
            **kind.tracking_context(demarche),
        },
    )


@insured_required
def download(request, public_id):
    """A justificatif of one of the person's démarches (someone else's: 404)."""
    stored = get_object_or_404(
        DemarcheFile.objects.select_related("demarche"),
        public_id=public_id,
        demarche__person=request.user.person,
    )
    return file_response(stored.file, stored.original_name, stored.content_type)


@insured_required
@require_POST
def revoke_proxy(request):
    """E13: revoke a procuration in force, from « Mes informations » or « Mes démarches »."""
    from .types.procuration import proxies_in_force, revoke

    proxy_id = request.POST.get("procuration", "")
    if not proxy_id.isdigit():
        raise Http404("Procuration inconnue.")
    proxy = get_object_or_404(proxies_in_force(request.user.person), pk=int(proxy_id))
    revoke(proxy, request.user)
    messages.success(request, f"La procuration donnée à {proxy.mandatary_name} est révoquée.")
    destination = request.POST.get("retour")
    if destination == "mes-informations":
        return redirect("portal:mes_informations")
    return redirect("demarches:start", "procuration")
