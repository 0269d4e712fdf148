"""The CPAM agents' workspace on the registry (FEATURES H1, H5), mounted at /agents/.

Every insured's record is reached through an `AuditedModelAdmin` (assures/audit.py): an agent
only sees the people of their caisse, and every page of a record they open or change leaves an
`AccessLog` row. Reference data shared by all caisses (caisses, doctors, complementary
organisations) is not scoped.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import identifiers
from .admin_login import AgentAdminSite, ThrottledAdminAuthenticationForm
from .audit import (
    AuditedModelAdmin,
    CaisseScopedAdminMixin,
    NirSearchMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    sees_all_caisses,
)
from .models import (
    AccessLog,
    BankAccount,
    Beneficiary,
    Caisse,
    Ceam,
    ComplementaryContract,
    ComplementaryOrganisation,
    Doctor,
    LongTermCondition,
    Person,
    Pregnancy,
    Proxy,
    TreatingDoctor,
    VitaleCard,
)

admin.site.site_header = "Espace agents — Assurance Maladie"
admin.site.site_title = "Espace agents"
admin.site.index_title = "Registre des assurés"
admin.site.site_url = None  # the insured portal does not let agents in
# H1, ARCHITECTURE decisions 1 and 9: throttled password, then the authenticator app's code
# (assures/admin_login.py). The default site becomes an AgentAdminSite in place, so every
# ModelAdmin registered on it, here or in another app, keeps working (django-otp's recipe).
admin.site.__class__ = AgentAdminSite
admin.site.login_form = ThrottledAdminAuthenticationForm


class CaisseFilterForSuperusersMixin:
    """The « caisse » filter only means something to those who see every caisse."""

    caisse_filter = "caisse"

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if sees_all_caisses(request.user):
            filters.append(self.caisse_filter)
        return filters


# --- reference data ---------------------------------------------------------------------------
@admin.register(Caisse)
class CaisseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "city", "phone")
    search_fields = ("code", "name", "city")
    ordering = ("name",)


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    list_display = ("rpps", "last_name", "first_name", "specialty", "city")
    search_fields = ("rpps", "last_name", "first_name", "city")
    list_filter = ("specialty",)


@admin.register(ComplementaryOrganisation)
class ComplementaryOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "number")
    search_fields = ("name", "number")


# --- the insured person and their file ------------------------------------------------------------
class PersonAdminForm(forms.ModelForm):
    """The NIR may be typed with spaces, 13 characters or 15 with the key (checked)."""

    nir = forms.CharField(
        label="NIR",
        max_length=25,
        required=False,
        help_text="13 caractères, ou 15 avec la clé ; les espaces sont acceptés.",
    )

    class Meta:
        model = Person
        fields = (
            "nir",
            "sex",
            "last_name",
            "usage_name",
            "first_name",
            "birth_date",
            "birth_place",
            "caisse",
            "rights_start",
            "rights_end",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.nir:  # also when bound, or the NIR would always look changed
            self.initial["nir"] = identifiers.format_nir(self.instance.nir)

    def clean_nir(self):
        value = self.cleaned_data["nir"]
        if not value.strip():
            return None
        try:
            return identifiers.validate_nir(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class FileInline(admin.TabularInline):
    """A part of the person's file, its rows fetched with what their labels need.

    Each row prints `str(obj)`, which for most parts names the person (and a doctor, an
    organisation…): joining them here keeps the change page at a fixed number of queries.
    """

    extra = 0
    show_change_link = True
    joined = ("person",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.joined)


class BeneficiaryInline(ReadOnlyInlineMixin, FileInline):
    model = Beneficiary
    fk_name = "insured"
    fields = ("person", "quality", "since")
    joined = ("person", "insured")
    verbose_name = "ayant droit rattaché"
    verbose_name_plural = "ayants droit rattachés"


class VitaleCardInline(FileInline):
    model = VitaleCard
    fields = ("serial_number", "status", "issued_on", "status_changed_at")


class CeamInline(FileInline):
    model = Ceam
    fields = ("card_number", "issued_on", "expires_on")


class BankAccountInline(ReadOnlyInlineMixin, FileInline):
    """IBANs are masked here; the full IBAN is on the (audited) page of the account."""

    model = BankAccount
    fields = ("holder", "masked_iban", "bic", "since", "is_current")
    readonly_fields = ("masked_iban",)

    @admin.display(description="IBAN")
    def masked_iban(self, obj):
        return obj.masked_iban


class ComplementaryContractInline(ReadOnlyInlineMixin, FileInline):
    model = ComplementaryContract
    fields = ("organisation", "start", "end", "automatic_transmission")
    joined = ("person", "organisation")


class TreatingDoctorInline(ReadOnlyInlineMixin, FileInline):
    model = TreatingDoctor
    fields = ("doctor", "declared_on", "ended_on")
    joined = ("person", "doctor")


class LongTermConditionInline(FileInline):
    model = LongTermCondition
    fields = ("label", "start", "end")


class PregnancyInline(FileInline):
    model = Pregnancy
    fields = ("declared_on", "expected_delivery", "expected_children")


class ProxyInline(FileInline):
    model = Proxy
    fields = ("mandatary_name", "mandatary_birth_date", "start", "end", "revoked_at")


@admin.register(Person)
class PersonAdmin(CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin):
    """H1/H5: an agent's view of an insured's file, limited to their caisse and audited."""

    caisse_path = "caisse"
    audit_person_path = ""
    form = PersonAdminForm
    list_display = (
        "nir_column",
        "display_last_name",
        "first_name",
        "birth_date",
        "caisse",
        "rights_column",
        "account_column",
    )
    list_display_links = ("nir_column", "display_last_name")
    list_select_related = ("caisse", "account")
    list_filter = ("sex",)
    search_fields = ("last_name", "usage_name", "first_name")
    show_full_result_count = False
    readonly_fields = ("public_id", "nir_with_key")
    fieldsets = (
        (
            "Identité",
            {
                "fields": (
                    "nir",
                    "nir_with_key",
                    "sex",
                    "last_name",
                    "usage_name",
                    "first_name",
                    "birth_date",
                    "birth_place",
                )
            },
        ),
        ("Droits", {"fields": ("caisse", "rights_start", "rights_end")}),
        (
            "Adresse postale",
            {"fields": ("address_line1", "address_line2", "postal_code", "city", "country")},
        ),
        ("Référence technique", {"classes": ("collapse",), "fields": ("public_id",)}),
    )
    inlines = (
        BeneficiaryInline,
        VitaleCardInline,
        CeamInline,
        BankAccountInline,
        ComplementaryContractInline,
        TreatingDoctorInline,
        LongTermConditionInline,
        PregnancyInline,
        ProxyInline,
    )

    def has_delete_permission(self, request, obj=None):
        # The registry keeps its people: the audit trail (AccessLog, PROTECT) refers to them.
        return False

    @admin.display(description="NIR", ordering="nir")
    def nir_column(self, obj):
        return obj.nir_display or "—"

    @admin.display(description="NIR avec clé")
    def nir_with_key(self, obj):
        return obj.nir_display or "—"

    @admin.display(description="nom", ordering="last_name")
    def display_last_name(self, obj):
        return obj.display_last_name.upper()

    @admin.display(description="droits ouverts", boolean=True)
    def rights_column(self, obj):
        return obj.rights_open()

    @admin.display(description="compte en ligne", boolean=True)
    def account_column(self, obj):
        return hasattr(obj, "account")


# --- each part of a file, on its own page -------------------------------------------------------
class PersonPartAdmin(CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin):
    """Base for a model hanging off a person through its `person` foreign key."""

    caisse_path = "person__caisse"
    caisse_filter = "person__caisse"
    audit_person_path = "person"
    nir_search_path = "person__nir"
    search_fields = ("person__last_name", "person__usage_name", "person__first_name")
    autocomplete_fields = ("person",)
    list_select_related = ("person",)
    show_full_result_count = False


@admin.register(Beneficiary)
class BeneficiaryAdmin(PersonPartAdmin):
    caisse_path = "insured__caisse"
    caisse_filter = "insured__caisse"
    audit_person_path = "insured"
    nir_search_path = "insured__nir"
    search_fields = ("insured__last_name", "person__last_name", "person__first_name")
    autocomplete_fields = ("insured", "person")
    list_select_related = ("insured", "person")
    list_display = ("person", "quality", "insured", "since")
    list_filter = ("quality",)


@admin.register(VitaleCard)
class VitaleCardAdmin(PersonPartAdmin):
    list_display = ("serial_number", "person", "status", "issued_on", "status_changed_at")
    list_filter = ("status",)
    search_fields = ("serial_number", *PersonPartAdmin.search_fields)


@admin.register(Ceam)
class CeamAdmin(PersonPartAdmin):
    list_display = ("card_number", "person", "issued_on", "expires_on")
    search_fields = ("card_number", *PersonPartAdmin.search_fields)


@admin.register(BankAccount)
class BankAccountAdmin(PersonPartAdmin):
    """IBANs are masked in the list; the full IBAN is only on an account's audited page."""

    list_display = ("masked_iban_column", "holder", "person", "since", "is_current")
    list_filter = ("is_current",)
    search_fields = ("holder", *PersonPartAdmin.search_fields)

    @admin.display(description="IBAN")
    def masked_iban_column(self, obj):
        return obj.masked_iban


@admin.register(ComplementaryContract)
class ComplementaryContractAdmin(PersonPartAdmin):
    list_display = ("person", "organisation", "start", "end", "automatic_transmission")
    list_select_related = ("person", "organisation")
    list_filter = ("automatic_transmission",)
    autocomplete_fields = ("person", "organisation")


@admin.register(TreatingDoctor)
class TreatingDoctorAdmin(PersonPartAdmin):
    list_display = ("person", "doctor", "declared_on", "ended_on")
    list_select_related = ("person", "doctor")
    autocomplete_fields = ("person", "doctor")


@admin.register(LongTermCondition)
class LongTermConditionAdmin(PersonPartAdmin):
    list_display = ("label", "person", "start", "end")
    search_fields = ("label", *PersonPartAdmin.search_fields)


@admin.register(Pregnancy)
class PregnancyAdmin(PersonPartAdmin):
    list_display = ("person", "declared_on", "expected_delivery", "expected_children")


@admin.register(Proxy)
class ProxyAdmin(PersonPartAdmin):
    list_display = ("person", "mandatary_name", "start", "end", "revoked_at")
    search_fields = ("mandatary_name", *PersonPartAdmin.search_fields)


# --- the audit trail itself -----------------------------------------------------------------------
@admin.register(AccessLog)
class AccessLogAdmin(
    ReadOnlyAdminMixin,
    CaisseFilterForSuperusersMixin,
    NirSearchMixin,
    CaisseScopedAdminMixin,
    admin.ModelAdmin,
):
    """H5: read-only for everyone (no add, change or delete); agents see their caisse's."""

    caisse_path = "person__caisse"
    nir_search_path = "person__nir"
    list_display = (
        "at",
        "agent",
        "caisse",
        "service",
        "person",
        "action",
        "object_type",
        "object_id",
        "detail",
    )
    list_select_related = ("agent", "caisse", "person")
    list_filter = ("action", "at")
    search_fields = ("person__last_name", "person__first_name", "agent__username")
    search_help_text = "Recherchez par NIR de l'assuré, nom de l'assuré ou identifiant de l'agent."
    show_full_result_count = False
