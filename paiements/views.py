"""« Mes paiements » (FEATURES C1, C4, C5, C6, C7). Views parse, authorise, call, render.

Every queryset starts from the logged-in person (ARCHITECTURE decision 2): someone else's
payment, créance or payment attempt is a 404, like one that does not exist.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import insured_required

from . import delais, listing, psp, services
from .enums import AttemptStatus, Nature
from .forms import CreancePayForm, CreanceSearchForm, DelaysForm, PaymentSearchForm
from .models import (
    Creance,
    CreancePayment,
    Payment,
    ProcessingDelay,
    ProcessingTheme,
    SickLeave,
)


def optional_url(name, *args):
    """The URL of a page another part of the portal may not have built yet (else None)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _months_param(request):
    try:
        months = int(request.GET.get("mois", listing.RECENT_MONTHS))
    except ValueError:
        return listing.RECENT_MONTHS
    months = max(listing.RECENT_MONTHS, min(months, listing.MAX_MONTHS))
    return months - months % listing.MONTHS_STEP or listing.RECENT_MONTHS


def _query_with(request, **changes):
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def filter_payments(queryset, form):
    beneficiary = form.beneficiary
    if beneficiary is not None:
        queryset = queryset.filter(beneficiary=beneficiary)
    if form.natures:
        queryset = queryset.filter(nature__in=form.natures)
    if form.cleaned_data.get("a_transmettre"):
        queryset = queryset.filter(nature=Nature.CARE, sent_to_complementary=False)
    return queryset


@require_GET
@insured_required
def payment_list(request, history=False):
    """C1 « Mes paiements »: the 6 last months month by month, « Afficher plus de paiements »,
    « Rechercher », and « Accéder à mon historique de plus de 6 mois » (`history`)."""
    person = request.user.person
    today = timezone.localdate()
    family = person.family()
    form = PaymentSearchForm(request.GET, family=family)
    months = _months_param(request)
    window = more_url = None
    searched_period = False
    if form.is_valid():
        start, end = form.cleaned_data.get("du"), form.cleaned_data.get("au")
        if start or end:
            searched_period = True
            end = end or today
            start = start or listing.add_months(end, -(listing.RECENT_MONTHS - 1))
        else:
            start, end = listing.window_for(today, months, history=history)
            if months < listing.MAX_MONTHS:
                more_url = _query_with(request, mois=str(months + listing.MONTHS_STEP))
        window = listing.build_window(
            filter_payments(Payment.objects.for_person(person), form), start, end, people=family
        )
    filtered = any(
        request.GET.get(key) for key in ("du", "au", "beneficiaire", "nature", "a_transmettre")
    )
    return render(
        request,
        "paiements/liste.html",
        {
            "form": form,
            "window": window,
            "history": history,
            "more_url": more_url,
            "searched_period": searched_period,
            "filtered": filtered,
            "clear_url": reverse("paiements:history" if history else "paiements:list"),
            "history_url": reverse("paiements:history") + _query_with(request, mois=None),
            "recent_url": reverse("paiements:list") + _query_with(request, mois=None),
            "statements_url": optional_url("documents:monthly_statements"),
        },
    )


@require_GET
@insured_required
def payment_detail(request, public_id):
    """C1/C5: the detail of one payment (lines of the décompte, arrêt de travail, period)."""
    person = request.user.person
    payment = get_object_or_404(
        Payment.objects.for_person(person)
        .select_related("beneficiary", "sick_leave")
        .prefetch_related("lines"),
        public_id=public_id,
    )
    same_leave = []
    if payment.sick_leave_id:
        same_leave = list(
            Payment.objects.for_person(person)
            .filter(sick_leave_id=payment.sick_leave_id)
            .order_by("paid_on", "id")
        )
    lines = list(payment.lines.all())
    return render(
        request,
        "paiements/detail.html",
        {
            "payment": payment,
            "lines": lines,
            "total_deduction": sum((line.deduction for line in lines), services.ZERO),
            "total_reimbursed": sum((line.reimbursed for line in lines), services.ZERO),
            "same_leave": same_leave,
            "decompte_url": optional_url("documents:payment_statement", payment.public_id),
        },
    )


@require_GET
@insured_required
def sick_leaves(request):
    """C5: indemnités journalières grouped by arrêt de travail (the 20 latest arrêts)."""
    person = request.user.person
    leaves = list(
        SickLeave.objects.filter(person=person)
        .order_by("-start")
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.for_person(person).order_by("paid_on", "id"),
                to_attr="paid",
            )
        )[:20]
    )
    for leave in leaves:
        leave.total = sum((p.amount for p in leave.paid), services.ZERO)
    return render(request, "paiements/arrets.html", {"leaves": leaves})


@require_GET
@insured_required
def franchises_counter(request):
    """C4 « Mes participations forfaitaires et franchises »: this year's and last year's."""
    person = request.user.person
    family = person.family()
    year = timezone.localdate().year
    years = [year, year - 1]
    counters = services.year_counters(family, years)
    by_year = [{"year": y, "people": [(p, counters[(p.pk, y)]) for p in family]} for y in years]
    owed = sum((c.owed for c in counters.values()), services.ZERO)
    return render(
        request,
        "paiements/franchises.html",
        {
            "by_year": by_year,
            "owed": owed,
            "payable": services.CREANCE_BALANCE_MIN <= owed <= services.CREANCE_BALANCE_MAX,
        },
    )


# --- C6 « Payer une créance » -------------------------------------------------------------------
@require_GET
@insured_required
def creance_search(request):
    person = request.user.person
    form = CreanceSearchForm(request.GET or None)
    if form.is_valid():
        creance = Creance.objects.for_person(person).filter(
            reference=form.cleaned_data["reference"]
        )
        if creance.exists():
            return redirect("paiements:creance", reference=form.cleaned_data["reference"])
        # Someone else's reference says exactly the same as a reference that does not exist.
        form.add_error(
            "reference",
            "Aucun avis de sommes à payer ne correspond à cette référence. Vérifiez la "
            "référence indiquée en en-tête de votre courrier.",
        )
    return render(request, "paiements/creance_recherche.html", {"form": form})


@require_http_methods(["GET", "POST"])
@insured_required
def creance_pay(request, reference):
    person = request.user.person
    creance = get_object_or_404(Creance.objects.for_person(person), reference=reference)
    lines = list(creance.lines.all())
    available = services.available_on_lines(lines)
    form = CreancePayForm(request.POST or None, lines=lines, available=available)
    if request.method == "POST":
        # The same form sent twice (double click, back and resend): back to its first attempt.
        twin = _submitted_attempt(creance, request.POST.get("jeton"))
        if twin is not None:
            return _to_kiosque_or_status(request, twin)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.start_creance_payment(
                creance, form.cleaned_data["jeton"], form.amounts
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for line_pk, messages in error.message_dict.items():
                    field = f"montant_{line_pk}"
                    form.add_error(field if field in form.fields else None, messages)
            else:
                form.add_error(None, error.messages)
        else:
            return _to_kiosque_or_status(request, attempt)
    attempts = creance.attempts.order_by("-created_at")[:10]
    return render(
        request,
        "paiements/creance.html",
        {"creance": creance, "form": form, "attempts": attempts},
    )


def _submitted_attempt(creance, token):
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return CreancePayment.objects.filter(creance=creance, submission_token=token).first()


def _to_kiosque_or_status(request, attempt):
    if attempt.is_final:
        return redirect("paiements:creance_attempt", public_id=attempt.public_id)
    return_url = request.build_absolute_uri(reverse("paiements:kiosque_return"))
    return redirect(psp.payment_request_url(attempt, return_url))


@require_GET
@insured_required
def kiosque_return(request):
    """The browser comes back from the kiosque with a signed result (C6)."""
    try:
        result = psp.verify_return(request.GET)
        attempt = services.apply_kiosque_return(request.user.person, result)
    except psp.BadReturn:
        return render(request, "paiements/kiosque_refus.html", status=400)
    except CreancePayment.DoesNotExist:
        raise Http404 from None
    return redirect("paiements:creance_attempt", public_id=attempt.public_id)


@require_GET
@insured_required
def creance_attempt(request, public_id):
    person = request.user.person
    attempt = get_object_or_404(
        CreancePayment.objects.for_person(person).select_related("creance"), public_id=public_id
    )
    parts = list(attempt.lines.select_related("line"))
    return render(
        request,
        "paiements/creance_statut.html",
        {
            "attempt": attempt,
            "parts": parts,
            "statuses": AttemptStatus,
            "messagerie_url": optional_url("messagerie:inbox"),
        },
    )


# --- C7 « Mes délais » ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@insured_required
def delays(request):
    """« Consulter les délais de traitement de ma caisse »: an estimated processing date."""
    person = request.user.person
    caisse = person.caisse
    published = list(
        ProcessingDelay.objects.filter(caisse=caisse, theme__active=True)
        .select_related("theme")
        .order_by("theme__position", "theme__label")
    )
    themes = ProcessingTheme.objects.filter(
        active=True, pk__in=[delay.theme_id for delay in published]
    )
    form = DelaysForm(request.POST or None, themes=themes)
    estimate = delay = None
    if request.method == "POST" and form.is_valid():
        delay = next(d for d in published if d.theme_id == form.cleaned_data["thematique"].pk)
        estimate = delais.estimate(
            form.cleaned_data["date_envoi"],
            delay.working_days,
            timezone.localdate(),
            caisse.code,
        )
    return render(
        request,
        "paiements/delais.html",
        {
            "form": form,
            "caisse": caisse,
            "published": published,
            "estimate": estimate,
            "delay": delay,
            "messagerie_url": optional_url("messagerie:inbox"),
        },
    )
