"""One renderer per document type (ARCHITECTURE decision 5).

A renderer gathers the data of one document for one person (every lookup starts from that
person: ARCHITECTURE decision 2), names it, says until when it is valid, and renders it: data ->
context -> HTML template with print CSS -> WeasyPrint bytes. When a document cannot be issued
(no IJ in the period, rights closed, not eligible…) it raises `DocumentUnavailable` with the
French sentence to show.

Renderers are registered by kind in `RENDERERS`; `services.issue()` is the only caller.
"""

from __future__ import annotations

import abc
import datetime
from collections import defaultdict
from decimal import Decimal
from functools import cached_property

from django.template.loader import render_to_string
from django.utils import timezone, translation

from assures.models import Beneficiary, Ceam, LongTermCondition, Person, TreatingDoctor
from paiements.enums import Nature, Payee, SickLeaveKind
from paiements.models import Payment
from portal.dates import fr_date

from . import rules
from .enums import DocumentKind, IjMention
from .pdf import html_to_pdf, static_uri
from .verification import format_code, qr_data_uri, verification_page_url

ZERO = Decimal("0.00")
# Double submissions within this window give back the document already issued (dedupe).
REUSE_WINDOW = datetime.timedelta(minutes=10)
TPT_MARKER = "temps partiel thérapeutique"


class DocumentUnavailable(Exception):
    """The document cannot be issued; `message` is the French explanation for the person."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def month_label(year, month):
    return fr_date(datetime.date(year, month, 1), "F Y")


class DocumentRenderer(abc.ABC):
    """data -> context -> HTML template with print CSS -> WeasyPrint bytes."""

    kind: DocumentKind
    template_name: str
    # None: the same parameters always give the same document (a payment, a closed month);
    # a timedelta: a situation at a date, re-issued after that window (double-submit dedupe).
    reuse_window: datetime.timedelta | None = REUSE_WINDOW

    def __init__(self, owner: Person, parameters: dict, today: datetime.date | None = None):
        self.owner = owner
        self.parameters = parameters or {}
        self.today = today or timezone.localdate()

    @cached_property
    def data(self) -> dict:
        return self.get_data()

    @abc.abstractmethod
    def get_data(self) -> dict:
        """Query what the document shows; raise DocumentUnavailable when it cannot be issued."""

    @abc.abstractmethod
    def get_title(self) -> str:
        """The title printed on the document and listed in « Mes documents »."""

    def get_valid_until(self) -> datetime.date | None:
        return None

    # --- helpers for subclasses ---------------------------------------------------------------
    def person_on_file(self, public_id) -> Person:
        """The insured or one of their ayants droit, by public id (never anybody else)."""
        for person in self.owner.family():
            if str(person.public_id) == str(public_id):
                return person
        raise DocumentUnavailable("Cette personne n'est pas rattachée à votre dossier.")

    # --- rendering ----------------------------------------------------------------------------
    def get_context(self, document) -> dict:
        caisse = self.owner.caisse
        issued_at = timezone.localtime(document.created_at)
        return {
            **self.data,
            "title": self.get_title(),
            "kind": self.kind,
            "owner": self.owner,
            "caisse": caisse,
            "issued_at": issued_at,
            "valid_until": document.valid_until,
            "code": format_code(document.verification_code),
            "qr": qr_data_uri(document.verification_code),
            "verify_page": verification_page_url(),
            "verify_page_display": verification_page_url().split("://", 1)[-1],
            "logo": static_uri("img/logo.svg"),
            "eu_stars": static_uri("documents/eu-stars.svg"),
            "today": self.today,
        }

    def render_html(self, document) -> str:
        with translation.override("fr"):
            return render_to_string(self.template_name, self.get_context(document))

    def render(self, document) -> bytes:
        return html_to_pdf(self.render_html(document))


# --- D1 « Attestation de droits » -------------------------------------------------------------
class RightsAttestation(DocumentRenderer):
    """D1: identity, NIR, caisse, rights period and médecin traitant of the insured and of the
    chosen beneficiary (default: everyone on the file)."""

    kind = DocumentKind.RIGHTS
    template_name = "documents/pdf/attestation_droits.html"

    def get_data(self):
        chosen = self.parameters.get("beneficiary")
        everyone = self.owner.family()
        people = everyone if not chosen else [self.person_on_file(chosen)]
        if not self.owner.rights_open(self.today):
            raise DocumentUnavailable(
                "Vos droits à l'Assurance Maladie ne sont pas ouverts à ce jour : aucune "
                "attestation ne peut être délivrée. Contactez votre caisse au 36 46."
            )
        closed = [p for p in people if not p.rights_open(self.today)]
        if chosen and closed:
            raise DocumentUnavailable(
                f"Les droits de {closed[0].full_name} ne sont pas ouverts à ce jour : aucune "
                "attestation ne peut être délivrée pour cette personne."
            )
        people = [p for p in people if p.rights_open(self.today)]
        doctors = {
            t.person_id: t.doctor
            for t in TreatingDoctor.objects.filter(
                person__in=people, ended_on__isnull=True
            ).select_related("doctor")
        }
        qualities = dict(
            Beneficiary.objects.filter(insured=self.owner, person__in=people).values_list(
                "person_id", "quality"
            )
        )
        rows = [
            {
                "person": p,
                "is_insured": p.pk == self.owner.pk,
                "quality": "Assuré(e)"
                if p.pk == self.owner.pk
                else Beneficiary(quality=qualities.get(p.pk)).get_quality_display(),
                "doctor": doctors.get(p.pk),
            }
            for p in people
        ]
        return {
            "rows": rows,
            "people": people,
            "only": people[0] if chosen else None,
            "ald": self.owner.alds.filter(start__lte=self.today).exists(),
        }

    def get_title(self):
        only = self.data["only"]
        suffix = f" — {only.full_name}" if only is not None else ""
        return f"Attestation de droits{suffix}"

    def get_valid_until(self):
        return rules.rights_attestation_valid_until(self.data["people"], self.today)


# --- D2 « Attestation de paiement d'indemnités journalières » ---------------------------------
def sick_leave_label(payment):
    if payment.sick_leave_id:
        return payment.sick_leave.get_kind_display()
    return ""


class DailyAllowancesAttestation(DocumentRenderer):
    """D2: the IJ paid to the insured in a year or between two dates (8-year window), with the
    optional mentions the person ticked."""

    kind = DocumentKind.DAILY_ALLOWANCES
    template_name = "documents/pdf/attestation_ij.html"

    @property
    def period(self):
        start = datetime.date.fromisoformat(self.parameters["start"])
        end = datetime.date.fromisoformat(self.parameters["end"])
        return start, end

    def get_data(self):
        start, end = self.period
        if start < rules.ij_window_start(self.today) or end > self.today or start > end:
            raise DocumentUnavailable(
                "La période doit se situer dans les 8 dernières années, sans dépasser aujourd'hui."
            )
        payments = list(
            rules.ij_payments(self.owner)
            .filter(paid_on__gte=start, paid_on__lte=end)
            .select_related("sick_leave")
            .order_by("paid_on", "id")
        )
        if not payments:
            raise DocumentUnavailable(
                f"Aucune indemnité journalière ne vous a été versée entre le "
                f"{start:%d/%m/%Y} et le {end:%d/%m/%Y}."
            )
        mentions = set(self.parameters.get("mentions") or [])
        alds = []
        if IjMention.ALD in mentions:
            alds = list(
                LongTermCondition.objects.filter(person=self.owner, start__lte=end).order_by(
                    "start"
                )
            )
        show_tpt = IjMention.THERAPEUTIC_PART_TIME in mentions
        rows = [
            {
                "payment": p,
                "leave": sick_leave_label(p),
                "tpt": TPT_MARKER in p.label.lower(),
            }
            for p in payments
        ]
        return {
            "start": start,
            "end": end,
            "year": self.parameters.get("year"),
            "rows": rows,
            "total": sum((p.amount for p in payments), ZERO),
            "mention_ald": IjMention.ALD in mentions,
            "alds": alds,
            "mention_tpt": show_tpt,
            "tpt_total": sum((r["payment"].amount for r in rows if r["tpt"]), ZERO),
        }

    def get_title(self):
        year = self.parameters.get("year")
        if year:
            return f"Attestation de paiement d'indemnités journalières {year}"
        start, end = self.period
        return (
            "Attestation de paiement d'indemnités journalières du "
            f"{start:%d/%m/%Y} au {end:%d/%m/%Y}"
        )


# --- D3 « Relevé fiscal » ---------------------------------------------------------------------
# Share of the IJ that is taxable, by kind of arrêt (impots.gouv: IJ of an accident du travail or
# a maladie professionnelle are taxable for half of their amount; maladie and maternité in full).
TAXABLE_SHARE = {
    SickLeaveKind.WORK_ACCIDENT: Decimal("0.5"),
    SickLeaveKind.OCCUPATIONAL_DISEASE: Decimal("0.5"),
}


def taxable_amount(payment) -> Decimal:
    kind = payment.sick_leave.kind if payment.sick_leave_id else None
    share = TAXABLE_SHARE.get(kind, Decimal(1))
    return (payment.amount * share).quantize(Decimal("0.01"))


class TaxStatement(DocumentRenderer):
    """D3: the taxable IJ paid during the previous year (only if there are some)."""

    kind = DocumentKind.TAX_STATEMENT
    template_name = "documents/pdf/releve_fiscal.html"
    reuse_window = None

    def get_data(self):
        year = int(self.parameters["year"])
        if year != rules.tax_year(self.today):
            raise DocumentUnavailable(
                f"Le relevé fiscal disponible est celui de l'année {rules.tax_year(self.today)}."
            )
        payments = list(
            rules.ij_payments(self.owner)
            .filter(paid_on__year=year)
            .select_related("sick_leave")
            .order_by("paid_on", "id")
        )
        if not payments:
            raise DocumentUnavailable(
                f"Aucun relevé fiscal n'existe pour {year} : vous n'avez pas perçu "
                "d'indemnités journalières cette année-là."
            )
        rows = [
            {"payment": p, "leave": sick_leave_label(p), "taxable": taxable_amount(p)}
            for p in payments
        ]
        return {
            "year": year,
            "rows": rows,
            "total_paid": sum((p.amount for p in payments), ZERO),
            "total_taxable": sum((r["taxable"] for r in rows), ZERO),
            "half_taxed": any(r["taxable"] != r["payment"].amount for r in rows),
        }

    def get_title(self):
        return f"Relevé fiscal {self.parameters['year']}"


# --- D4 CEAM ----------------------------------------------------------------------------------
def institution_id(caisse):
    """Field 7 of the CEAM: the institution's identifier and short name."""
    return f"{caisse.code.zfill(5)} - {caisse.name.upper()}"


class CeamCertificate(DocumentRenderer):
    """D4: « certificat provisoire de remplacement » of the CEAM, valid 3 months."""

    kind = DocumentKind.CEAM_CERTIFICATE
    template_name = "documents/pdf/ceam_certificat.html"

    def get_data(self):
        person = self.person_on_file(self.parameters["person"])
        period = rules.ceam_certificate_period(person, self.today)
        if period is None:
            raise DocumentUnavailable(
                f"Les droits de {person.full_name} ne sont pas ouverts à ce jour : aucun "
                "certificat provisoire ne peut être délivré."
            )
        return {
            "person": person,
            "card": rules.ceam_in_force(person, self.today),
            "valid_from": period[0],
            "valid_to": period[1],
            "institution": institution_id(self.owner.caisse),
        }

    def get_title(self):
        return (
            "Certificat provisoire de remplacement de la carte européenne d'assurance "
            f"maladie — {self.data['person'].full_name}"
        )

    def get_valid_until(self):
        return self.data["valid_to"]


class CeamCard(DocumentRenderer):
    """D4: the digital image of a CEAM in force, to print."""

    kind = DocumentKind.CEAM_CARD
    template_name = "documents/pdf/ceam_carte.html"
    reuse_window = None

    def get_data(self):
        person = self.person_on_file(self.parameters["person"])
        card = Ceam.objects.filter(
            person=person,
            card_number=self.parameters["card"],
            issued_on__lte=self.today,
            expires_on__gte=self.today,
        ).first()
        if card is None:
            raise DocumentUnavailable(
                f"{person.full_name} n'a pas de carte européenne d'assurance maladie en cours "
                "de validité."
            )
        return {"person": person, "card": card, "institution": institution_id(person.caisse)}

    def get_title(self):
        return f"Carte européenne d'assurance maladie — {self.data['person'].full_name}"

    def get_valid_until(self):
        return self.data["card"].expires_on


# --- D5 décompte, relevés mensuels and annuels (C1, C2, C3) -----------------------------------
def payments_with_lines(queryset):
    return queryset.select_related("beneficiary", "sick_leave").prefetch_related("lines")


def payment_totals(payments):
    to_insured = sum((p.amount for p in payments if p.payee == Payee.INSURED), ZERO)
    to_third = sum((p.amount for p in payments if p.payee == Payee.THIRD_PARTY), ZERO)
    deductions = sum((line.deduction for p in payments for line in p.lines.all()), ZERO)
    return {
        "to_insured": to_insured,
        "to_third_parties": to_third,
        "total": to_insured + to_third,
        "deductions": deductions,
    }


class PaymentStatement(DocumentRenderer):
    """C1 « ↓ » / D5: the décompte of one payment, line by line."""

    kind = DocumentKind.PAYMENT_STATEMENT
    template_name = "documents/pdf/decompte.html"
    reuse_window = None

    def get_data(self):
        payment = (
            payments_with_lines(Payment.objects.for_person(self.owner))
            .filter(public_id=self.parameters["payment"])
            .first()
        )
        if payment is None:
            raise DocumentUnavailable("Ce paiement n'existe pas sur votre compte.")
        lines = list(payment.lines.all())
        return {
            "payment": payment,
            "lines": lines,
            "totals": {
                "amount_paid": sum((line.amount_paid for line in lines), ZERO),
                "base": sum((line.base for line in lines), ZERO),
                "reimbursed": sum((line.reimbursed for line in lines), ZERO),
                "deduction": sum((line.deduction for line in lines), ZERO),
                "net": sum((line.net for line in lines), ZERO),
            },
        }

    def get_title(self):
        payment = self.data["payment"]
        return f"Décompte du paiement du {payment.paid_on:%d/%m/%Y}"


class MonthlyStatement(DocumentRenderer):
    """C2 / D5: every payment of one month (one of the 27 last complete months)."""

    kind = DocumentKind.MONTHLY_STATEMENT
    template_name = "documents/pdf/releve_mensuel.html"
    reuse_window = None

    @property
    def month(self):
        year, month = (int(x) for x in self.parameters["month"].split("-"))
        return year, month

    def get_data(self):
        year, month = self.month
        if (year, month) not in rules.statement_months(self.today):
            raise DocumentUnavailable(
                "Les relevés mensuels disponibles sont ceux des 27 derniers mois écoulés."
            )
        start, end = rules.month_bounds(year, month)
        payments = list(payments_with_lines(rules.payments_between(self.owner, start, end)))
        if not payments:
            raise DocumentUnavailable(f"Aucun paiement en {month_label(year, month)}.")
        return {
            "start": start,
            "end": end,
            "month_label": month_label(year, month),
            "payments": payments,
            "totals": payment_totals(payments),
        }

    def get_title(self):
        return f"Relevé mensuel — {month_label(*self.month)}"


class AnnualStatement(DocumentRenderer):
    """C3: the yearly statement of benefits, by person and nature, then month by month."""

    kind = DocumentKind.ANNUAL_STATEMENT
    template_name = "documents/pdf/releve_annuel.html"
    reuse_window = None

    def get_data(self):
        year = int(self.parameters["year"])
        if year not in rules.annual_statement_years(self.today):
            raise DocumentUnavailable("Ce relevé annuel n'est pas disponible.")
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        payments = list(payments_with_lines(rules.payments_between(self.owner, start, end)))
        if not payments:
            raise DocumentUnavailable(f"Aucun paiement en {year} : pas de relevé annuel.")
        natures = [n for n in Nature if any(p.nature == n for p in payments)]
        by_person = defaultdict(lambda: defaultdict(lambda: ZERO))
        people = {}
        by_month = defaultdict(lambda: defaultdict(lambda: ZERO))
        for p in payments:
            people[p.beneficiary_id] = p.beneficiary
            by_person[p.beneficiary_id][p.nature] += p.amount
            by_person[p.beneficiary_id]["total"] += p.amount
            by_month[p.paid_on.month][p.nature] += p.amount
            by_month[p.paid_on.month]["total"] += p.amount
            by_month[p.paid_on.month]["count"] += 1
        person_rows = [
            {
                "person": person,
                "amounts": [by_person[pk][n] for n in natures],
                "total": by_person[pk]["total"],
            }
            for pk, person in sorted(people.items(), key=lambda kv: kv[1].birth_date)
        ]
        month_rows = [
            {
                "label": month_label(year, m).split(" ")[0].capitalize(),
                "count": int(by_month[m]["count"]),
                "amounts": [by_month[m][n] for n in natures],
                "total": by_month[m]["total"],
            }
            for m in range(1, 13)
        ]
        return {
            "year": year,
            "natures": [n.label for n in natures],
            "nature_totals": [
                sum((p.amount for p in payments if p.nature == n), ZERO) for n in natures
            ],
            "person_rows": person_rows,
            "month_rows": month_rows,
            "totals": payment_totals(payments),
            "count": len(payments),
        }

    def get_title(self):
        return f"Relevé annuel {self.parameters['year']}"


# --- D6 « Télécharger ma prise en charge M'T Dents » ------------------------------------------
class MtDentsVoucher(DocumentRenderer):
    """D6 / G3: the yearly M'T Dents prise en charge of a person aged 3 to 24 on the file."""

    kind = DocumentKind.MT_DENTS
    template_name = "documents/pdf/mt_dents.html"
    reuse_window = None

    def get_data(self):
        person = self.person_on_file(self.parameters["person"])
        period = rules.mt_dents_period(person, self.today)
        if period is None or not person.rights_open(self.today):
            raise DocumentUnavailable(
                f"{person.full_name} ne peut pas bénéficier de l'examen M'T Dents : il est "
                "proposé chaque année de 3 à 24 ans."
            )
        if self.parameters.get("start") != period[0].isoformat():
            raise DocumentUnavailable("Cette prise en charge M'T Dents n'est plus valable.")
        return {
            "person": person,
            "age": person.age_on(period[0]),
            "valid_from": period[0],
            "valid_to": period[1],
        }

    def get_title(self):
        person = self.data["person"]
        return f"Prise en charge M'T Dents {self.data['age']} ans — {person.full_name}"

    def get_valid_until(self):
        return self.data["valid_to"]


RENDERERS: dict[str, type[DocumentRenderer]] = {
    r.kind: r
    for r in (
        RightsAttestation,
        DailyAllowancesAttestation,
        TaxStatement,
        CeamCertificate,
        CeamCard,
        PaymentStatement,
        MonthlyStatement,
        AnnualStatement,
        MtDentsVoucher,
    )
}


def get_renderer(kind, owner, parameters, today=None) -> DocumentRenderer:
    return RENDERERS[DocumentKind(kind)](owner, parameters, today)
