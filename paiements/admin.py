"""Payments in the agents' workspace (FEATURES H1, H5): scoped to the caisse, audited.

Payments with their décompte lines (C1, C4), arrêts de travail (C5), C2S periods (C4),
créances and their payment attempts (C6) belong to an insured's file: every page of one is
scoped to the agent's caisse and logged (assures/audit.py). The delays a caisse publishes (C7)
are edited by its own agents only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from assures.admin import CaisseFilterForSuperusersMixin, PersonPartAdmin
from assures.audit import (
    AuditedModelAdmin,
    CaisseScopedAdminMixin,
    NirSearchMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    sees_all_caisses,
)
from assures.models import Beneficiary
from portal.templatetags.portal import euros

from .enums import Nature
from .models import (
    BENEFICIARY_OUTSIDE_FAMILY,
    ONLY_IJ_ON_SICK_LEAVE,
    ZERO,
    C2sCoverage,
    Creance,
    CreanceLine,
    CreancePayment,
    CreancePaymentLine,
    Payment,
    PaymentLine,
    ProcessingDelay,
    ProcessingTheme,
    SickLeave,
)


class PaymentAdminForm(forms.ModelForm):
    class Meta:
        model = Payment
        fields = (
            "insured",
            "beneficiary",
            "paid_on",
            "nature",
            "label",
            "amount",
            "payee",
            "payee_name",
            "care_date",
            "sent_to_complementary",
            "sick_leave",
            "period_start",
            "period_end",
        )

    def clean(self):
        cleaned = super().clean()
        insured, beneficiary = cleaned.get("insured"), cleaned.get("beneficiary")
        if insured and beneficiary and insured != beneficiary:
            attached = Beneficiary.objects.filter(insured=insured, person=beneficiary).exists()
            if not attached:
                raise ValidationError({"beneficiary": BENEFICIARY_OUTSIDE_FAMILY})
        leave = cleaned.get("sick_leave")
        if leave and insured and leave.person_id != insured.pk:
            self.add_error("sick_leave", "L'arrêt de travail doit être celui de l'assuré.")
        if leave and cleaned.get("nature") != Nature.DAILY_ALLOWANCE:
            self.add_error("sick_leave", ONLY_IJ_ON_SICK_LEAVE)
        return cleaned


class PaymentLineInline(admin.TabularInline):
    """The lines of a décompte (C1). A care payment's amount is their net sum."""

    model = PaymentLine
    extra = 0
    fields = (
        "care_date",
        "act",
        "act_code",
        "professional",
        "amount_paid",
        "base",
        "rate",
        "reimbursed",
        "deduction_kind",
        "deduction",
    )


@admin.register(Payment)
class PaymentAdmin(CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin):
    """A payment belongs to the insured's (ouvrant droit's) file: scoped and logged by it."""

    caisse_path = "insured__caisse"
    caisse_filter = "insured__caisse"
    audit_person_path = "insured"
    nir_search_path = "insured__nir"
    form = PaymentAdminForm
    list_display = (
        "paid_on",
        "insured",
        "beneficiary",
        "nature",
        "label",
        "amount_column",
        "payee",
        "sent_to_complementary",
    )
    list_select_related = ("insured", "beneficiary")
    list_filter = ("nature", "payee", "paid_on")
    search_fields = ("insured__last_name", "insured__first_name", "label")
    search_help_text = (
        "Recherchez par NIR de l'assuré (espaces acceptés), nom de l'assuré ou libellé."
    )
    autocomplete_fields = ("insured", "beneficiary", "sick_leave")
    readonly_fields = ("public_id", "source_reference")  # set by the CSV import (H6)
    show_full_result_count = False
    inlines = (PaymentLineInline,)

    @admin.display(description="montant", ordering="amount")
    def amount_column(self, obj):
        return euros(obj.amount)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        payment = form.instance
        if payment.nature == Nature.CARE:
            lines = list(payment.lines.all())
            if lines:
                total = sum((line.net for line in lines), ZERO)
                if total > ZERO and total != payment.amount:
                    payment.amount = total
                    payment.save(update_fields=["amount"])


class PaymentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Payment
    fk_name = "sick_leave"
    fields = ("paid_on", "label", "period_start", "period_end", "amount")
    verbose_name = "indemnité journalière versée"
    verbose_name_plural = "indemnités journalières versées"


@admin.register(SickLeave)
class SickLeaveAdmin(PersonPartAdmin):
    """C5: arrêts de travail; their IJ payments are listed below each one."""

    list_display = ("person", "kind", "start", "end", "employer", "received_on")
    list_filter = ("kind",)
    search_fields = ("employer", *PersonPartAdmin.search_fields)
    readonly_fields = ("source_reference",)  # set by the CSV import (H6)
    inlines = (PaymentInline,)


@admin.register(C2sCoverage)
class C2sCoverageAdmin(PersonPartAdmin):
    """C4: a C2S period exempts from participations forfaitaires and franchises."""

    list_display = ("person", "start", "end", "with_participation")
    list_filter = ("with_participation",)


class CreanceLineInline(admin.TabularInline):
    model = CreanceLine
    extra = 0
    fields = ("label", "period_label", "amount_due", "amount_paid")
    readonly_fields = ("amount_paid",)


class CreancePaymentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = CreancePayment
    fields = ("created_at", "amount", "status", "transaction_id", "returned_at")
    verbose_name = "tentative de paiement au kiosque"
    verbose_name_plural = "tentatives de paiement au kiosque"


@admin.register(Creance)
class CreanceAdmin(PersonPartAdmin):
    """C6: an « avis de sommes à payer », its lines and the payments made online."""

    list_display = ("reference", "person", "issued_on", "label")
    search_fields = ("reference", *PersonPartAdmin.search_fields)
    inlines = (CreanceLineInline, CreancePaymentInline)

    def get_search_results(self, request, queryset, search_term):
        # A 16-digit reference would otherwise be taken for the beginning of a NIR.
        term = search_term.strip().upper()
        if len(term) == 17 and term[:16].isdigit():
            return queryset.filter(reference=term), False
        return super().get_search_results(request, queryset, search_term)


class CreancePaymentLineInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = CreancePaymentLine
    fields = ("line", "amount")
    show_change_link = False


@admin.register(CreancePayment)
class CreancePaymentAdmin(
    ReadOnlyAdminMixin, CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin
):
    """C6: payment attempts, as the kiosque reported them. Read-only: only its signed return
    changes an attempt."""

    caisse_path = "creance__person__caisse"
    caisse_filter = "creance__person__caisse"
    audit_person_path = "creance__person"
    nir_search_path = "creance__person__nir"
    list_display = ("created_at", "creance", "amount", "status", "transaction_id")
    list_select_related = ("creance",)
    list_filter = ("status",)
    search_fields = ("creance__reference", "transaction_id")
    readonly_fields = (
        "public_id",
        "creance",
        "submission_token",
        "amount",
        "status",
        "transaction_id",
        "created_at",
        "returned_at",
    )
    inlines = (CreancePaymentLineInline,)
    show_full_result_count = False


# --- C7 « Mes délais »: reference data and each caisse's published delays ---------------------
@admin.register(ProcessingTheme)
class ProcessingThemeAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "position", "active")
    list_editable = ("position", "active")
    search_fields = ("label", "code")
    prepopulated_fields = {"code": ("label",)}


@admin.register(ProcessingDelay)
class ProcessingDelayAdmin(CaisseScopedAdminMixin, admin.ModelAdmin):
    """Each caisse publishes its own delays, the same for all its insured (C7)."""

    caisse_path = "caisse"
    list_display = ("theme", "caisse", "working_days", "updated_on")
    list_editable = ("working_days",)
    list_select_related = ("theme", "caisse")
    list_filter = ("theme",)
    ordering = ("caisse__name", "theme__position")

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if sees_all_caisses(request.user):
            filters.append("caisse")
        return filters

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if request.user.caisse_id and not sees_all_caisses(request.user):
            initial.setdefault("caisse", request.user.caisse_id)
        return initial

    def save_model(self, request, obj, form, change):
        if form.changed_data:
            obj.updated_on = timezone.localdate()
        super().save_model(request, obj, form, change)
