"""Download pages (FEATURES D1–D8, C1 « ↓ », C2, C3) and « Vérifier une attestation » (X1).

Views stay thin: parse, authorise (every lookup starts from the signed-in person), call
`services.issue()`, render. Forms POST and redirect to the document's page (seed 001: « si
l'attestation est éditée, je peux la télécharger … en cliquant sur le lien associé »); the links
of « Mes paiements » (décompte, relevés) GET a document that is fixed in time, issued once and
then streamed again and again (D8).
"""

import datetime
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import insured_required
from paiements.models import Payment

from . import rules, services
from .enums import DocumentKind
from .forms import (
    DailyAllowancesForm,
    PersonChoiceForm,
    RightsAttestationForm,
    VerificationForm,
)
from .models import GeneratedDocument
from .renderers import DocumentUnavailable, institution_id, month_label
from .verification import format_code

RECENT_DOCUMENTS = 20
# X1: lookups of the public verification page per client address and minute (overridable with
# the DOCUMENTS_VERIFY_RATE_PER_MINUTE setting).
VERIFY_RATE_PER_MINUTE = 20


def _issue_and_show(request, kind, parameters):
    document = services.issue(request.user.person, kind, parameters)
    return redirect("documents:detail", public_id=document.public_id)


def _issue_and_download(request, kind, parameters):
    try:
        document = services.issue(request.user.person, kind, parameters)
    except DocumentUnavailable as error:
        return render(request, "documents/unavailable.html", {"message": error.message}, status=404)
    return redirect("documents:download", public_id=document.public_id)


# --- « Télécharger » hub ----------------------------------------------------------------------
@insured_required
@require_GET
def hub(request):
    """« Mes démarches » › « Télécharger »: everything this person can download (D1–D6, C2, C3),
    and the documents already issued, to download again (D8)."""
    person = request.user.person
    today = timezone.localdate()
    people = person.family()
    ceams = {c.person_id for c in rules.ceams_in_force(people, today)}
    return render(
        request,
        "documents/hub.html",
        {
            "person": person,
            "ij_allowed": rules.ij_attestation_allowed(person, today),
            "tax_year": rules.tax_year(today),
            "tax_available": rules.tax_statement_exists(person, today),
            "ceam_people": [p for p in people if p.pk in ceams],
            "mt_dents": rules.mt_dents_people(person, today),
            "annual_years": annual_years_with_payments(person, today),
            "recent": GeneratedDocument.objects.for_person(person)[:RECENT_DOCUMENTS],
        },
    )


def annual_years_with_payments(person, today):
    years = rules.annual_statement_years(today)
    found = {
        d.year
        for d in Payment.objects.for_person(person)
        .filter(
            paid_on__gte=datetime.date(min(years), 1, 1),
            paid_on__lte=datetime.date(max(years), 12, 31),
        )
        .dates("paid_on", "year")
    }
    return [y for y in years if y in found]


# --- D1 « Attestation de droits » -------------------------------------------------------------
@insured_required
@require_http_methods(["GET", "POST"])
def rights_attestation(request):
    person = request.user.person
    people = person.family()
    form = RightsAttestationForm(request.POST or None, owner=person, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            return _issue_and_show(request, DocumentKind.RIGHTS, form.parameters())
        except DocumentUnavailable as error:
            form.add_error("beneficiary", error.message)
    return render(request, "documents/attestation_droits.html", {"form": form, "person": person})


# --- D2 « Attestation de paiement d'indemnités journalières » ---------------------------------
@insured_required
@require_http_methods(["GET", "POST"])
def daily_allowances_attestation(request):
    person = request.user.person
    today = timezone.localdate()
    if not rules.ij_attestation_allowed(person, today):
        return render(
            request,
            "documents/attestation_ij.html",
            {"form": None, "window_start": rules.ij_window_start(today)},
        )
    form = DailyAllowancesForm(request.POST or None, owner=person, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            return _issue_and_show(request, DocumentKind.DAILY_ALLOWANCES, form.parameters())
        except DocumentUnavailable as error:
            form.add_error(None, error.message)
    return render(
        request,
        "documents/attestation_ij.html",
        {"form": form, "window_start": rules.ij_window_start(today)},
    )


# --- D3 « Relevé fiscal » ---------------------------------------------------------------------
@insured_required
@require_http_methods(["GET", "POST"])
def tax_statement(request):
    person = request.user.person
    today = timezone.localdate()
    year = rules.tax_year(today)
    available = rules.tax_statement_exists(person, today)
    if request.method == "POST" and available:
        return _issue_and_show(request, DocumentKind.TAX_STATEMENT, {"year": year})
    return render(request, "documents/releve_fiscal.html", {"year": year, "available": available})


# --- D4 CEAM ----------------------------------------------------------------------------------
@insured_required
@require_GET
def ceam(request):
    """« Carte européenne d'assurance maladie (CEAM) »: the digital image of each card in force
    (to print) and the certificat provisoire de remplacement."""
    return _ceam_page(request, certificate_form=None)


def _ceam_page(request, certificate_form, status=200):
    person = request.user.person
    today = timezone.localdate()
    people = person.family()
    cards = {c.person_id: c for c in rules.ceams_in_force(people, today)}
    open_people = [p for p in people if p.rights_open(today)]
    form = certificate_form or PersonChoiceForm(
        owner=person, people=open_people, label="Certificat provisoire pour"
    )
    return render(
        request,
        "documents/ceam.html",
        {
            "cards": [
                {"person": p, "card": cards[p.pk], "institution": institution_id(person.caisse)}
                for p in people
                if p.pk in cards
            ],
            "without_card": [p for p in people if p.pk not in cards],
            "form": form,
            "today": today,
            "validity_months": rules.CEAM_CERTIFICATE_MONTHS,
        },
        status=status,
    )


@insured_required
@require_POST
def ceam_card(request, public_id):
    person = request.user.person
    today = timezone.localdate()
    people = {str(p.public_id): p for p in person.family()}
    holder = people.get(str(public_id))
    card = rules.ceam_in_force(holder, today) if holder else None
    if card is None:
        raise Http404("Aucune carte en cours de validité.")
    return _issue_and_show(
        request,
        DocumentKind.CEAM_CARD,
        {"person": str(holder.public_id), "card": card.card_number},
    )


@insured_required
@require_POST
def ceam_certificate(request):
    person = request.user.person
    today = timezone.localdate()
    open_people = [p for p in person.family() if p.rights_open(today)]
    form = PersonChoiceForm(
        request.POST, owner=person, people=open_people, label="Certificat provisoire pour"
    )
    if form.is_valid():
        try:
            return _issue_and_show(
                request,
                DocumentKind.CEAM_CERTIFICATE,
                {"person": str(form.cleaned_data["person"].public_id)},
            )
        except DocumentUnavailable as error:
            form.add_error("person", error.message)
    return _ceam_page(request, certificate_form=form)


# --- D6 « Télécharger ma prise en charge M'T Dents » ------------------------------------------
@insured_required
@require_http_methods(["GET", "POST"])
def mt_dents(request):
    person = request.user.person
    today = timezone.localdate()
    eligible = rules.mt_dents_people(person, today)
    periods = {p.pk: period for p, period in eligible}
    form = None
    if eligible:
        form = PersonChoiceForm(
            request.POST or None,
            owner=person,
            people=[p for p, _ in eligible],
            label="Prise en charge pour",
        )
        if request.method == "POST" and form.is_valid():
            chosen = form.cleaned_data["person"]
            try:
                return _issue_and_show(
                    request,
                    DocumentKind.MT_DENTS,
                    {"person": str(chosen.public_id), "start": periods[chosen.pk][0].isoformat()},
                )
            except DocumentUnavailable as error:
                form.add_error("person", error.message)
    return render(
        request,
        "documents/mt_dents.html",
        {
            "form": form,
            "eligible": eligible,
            "min_age": rules.MT_DENTS_MIN_AGE,
            "max_age": rules.MT_DENTS_MAX_AGE,
        },
    )


# --- C1 « ↓ », C2 « Mes relevés mensuels », C3 « Relevé annuel » ------------------------------
@insured_required
@require_GET
def payment_statement(request, public_id):
    """C1 « ↓ »: the décompte of one of my payments (someone else's is a 404)."""
    payment = get_object_or_404(
        Payment.objects.for_person(request.user.person), public_id=public_id
    )
    return _issue_and_download(
        request, DocumentKind.PAYMENT_STATEMENT, {"payment": str(payment.public_id)}
    )


@insured_required
@require_GET
def monthly_statements(request):
    """C2 « Mes relevés mensuels »: the 27 last months, each a PDF (months without payment say
    « Aucun paiement »)."""
    person = request.user.person
    today = timezone.localdate()
    months = rules.statement_months(today)
    oldest = rules.month_bounds(*months[-1])[0]
    newest = rules.month_bounds(*months[0])[1]
    summary = {
        (row["month"].year, row["month"].month): row
        for row in Payment.objects.for_person(person)
        .filter(paid_on__gte=oldest, paid_on__lte=newest)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by()
    }
    rows = [
        {
            "year": y,
            "month": m,
            "label": month_label(y, m),
            "key": f"{y:04d}-{m:02d}",
            "count": summary.get((y, m), {}).get("count", 0),
            "total": summary.get((y, m), {}).get("total"),
        }
        for y, m in months
    ]
    return render(
        request,
        "documents/releves_mensuels.html",
        {"rows": rows, "annual_years": annual_years_with_payments(person, today)},
    )


@insured_required
@require_GET
def monthly_statement(request, year, month):
    if not 1 <= month <= 12 or (year, month) not in rules.statement_months(timezone.localdate()):
        raise Http404("Relevé mensuel indisponible.")
    return _issue_and_download(
        request, DocumentKind.MONTHLY_STATEMENT, {"month": f"{year:04d}-{month:02d}"}
    )


@insured_required
@require_GET
def annual_statement(request, year):
    if year not in rules.annual_statement_years(timezone.localdate()):
        raise Http404("Relevé annuel indisponible.")
    return _issue_and_download(request, DocumentKind.ANNUAL_STATEMENT, {"year": year})


# --- the document itself (D8) -----------------------------------------------------------------
@insured_required
@require_GET
def detail(request, public_id):
    """« Votre document est prêt »: the link to download it, its code and validity."""
    document = get_object_or_404(
        GeneratedDocument.objects.filter(owner_id=request.user.person_id), public_id=public_id
    )
    return render(
        request,
        "documents/document.html",
        {"document": document, "today": timezone.localdate()},
    )


@insured_required
@require_GET
@never_cache
def download(request, public_id):
    """D8: stream the stored PDF (never re-rendered), to its owner only."""
    document = (
        GeneratedDocument.objects.filter(owner_id=request.user.person_id, public_id=public_id)
        .only("file", "title", "kind", "created_at")
        .first()
    )
    if document is None:
        raise Http404("Document introuvable.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("Document introuvable.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.download_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- X1 « Vérifier une attestation » (public) -------------------------------------------------
def _client_key(request):
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # no address at all: one shared bucket
        return "unknown"


def _rate_limited(request) -> bool:
    """At most VERIFY_RATE_PER_MINUTE lookups per client address and minute (cache counter)."""
    window = int(time.time() // 60)
    key = f"documents:verify:{_client_key(request)}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=90)
        count = 1
    return count > getattr(settings, "DOCUMENTS_VERIFY_RATE_PER_MINUTE", VERIFY_RATE_PER_MINUTE)


@require_GET
@never_cache
def verify(request, code=None):
    """X1: a public page (no login) saying whether a code is genuine, the document type, its date
    and validity — nothing more (no name, no NIR, no amount)."""
    submitted = code is not None or "code" in request.GET
    form = VerificationForm({"code": code} if code is not None else request.GET or None)
    context = {"form": form, "submitted": submitted}
    if submitted:
        if _rate_limited(request):
            return render(request, "documents/verify_rate_limited.html", status=429)
        if form.is_valid():
            document = (
                GeneratedDocument.objects.filter(verification_code=form.cleaned_data["code"])
                .only("kind", "created_at", "valid_until", "verification_code")
                .first()
            )
            today = timezone.localdate()
            context.update(
                {
                    "checked_code": format_code(form.cleaned_data["code"]),
                    "document": document,
                    "genuine": document is not None,
                    "valid": document is not None and document.is_valid_on(today),
                    "today": today,
                }
            )
    return render(request, "documents/verify.html", context)
