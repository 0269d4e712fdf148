"""Online accounts in the agents' workspace: insured people's accounts and agents (FEATURES H1).

An insured's account (contact data, e-mail, phones) is part of their file: an agent sees only
the accounts of their caisse's people and every opening or change is audited (H5). Agents'
accounts carry a caisse and role groups (accounts/roles.py); only a superuser may grant them.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from assures.audit import (
    AuditedModelAdmin,
    NirSearchMixin,
    agent_caisse_id,
    log_access,
    people_for,
    sees_all_caisses,
)
from assures.enums import AccessAction

from .creation.fields import FrenchPhoneField
from .enums import CodeChannel, CodeDelivery
from .models import TemporaryCode, User
from .recovery import codes

PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions", "caisse", "person")


def _check_insured_or_agent(cleaned):
    if cleaned.get("person") and cleaned.get("is_staff"):
        raise ValidationError(
            "Un compte d'assuré ne peut pas être un compte d'agent : retirez la personne "
            "ou le statut « équipe »."
        )


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        _check_insured_or_agent(cleaned)
        return cleaned


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        _check_insured_or_agent(cleaned)
        return cleaned


@admin.register(User)
class UserAdmin(NirSearchMixin, AuditedModelAdmin, DjangoUserAdmin):
    """Accounts: insured (username = NIR, linked to a person) and agents (staff + caisse)."""

    audit_person_path = "person"
    nir_search_path = "username"
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = (
        "username",
        "last_name",
        "first_name",
        "kind_column",
        "caisse_column",
        "is_active",
        "last_login",
    )
    list_select_related = ("caisse", "person__caisse")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    search_help_text = "Recherchez par NIR (espaces acceptés), identifiant, nom ou e-mail."
    show_full_result_count = False
    autocomplete_fields = ("person",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Identité et coordonnées",
            {"fields": ("first_name", "last_name", "email", "mobile_phone", "landline_phone")},
        ),
        (
            "Préférences de contact",
            {
                "fields": (
                    "contact_by_email",
                    "contact_by_sms",
                    "contact_by_phone",
                    "paperless_since",
                )
            },
        ),
        ("Assuré", {"fields": ("person",)}),
        (
            "Agent",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "caisse",
                    "groups",
                    "is_superuser",
                    "user_permissions",
                )
            },
        ),
        ("Dates importantes", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            "Agent",
            {
                "description": (
                    "Les comptes des assurés sont créés par les assurés eux-mêmes depuis le "
                    "portail ; créez ici les comptes des agents."
                ),
                "fields": ("first_name", "last_name", "email", "is_staff", "caisse", "groups"),
            },
        ),
    )

    def get_queryset(self, request):
        """H1: an agent sees their caisse's insured accounts and fellow agents only."""
        queryset = super().get_queryset(request)
        if sees_all_caisses(request.user):
            return queryset
        caisse_id = agent_caisse_id(request.user)
        if caisse_id is None:
            return queryset.none()
        return queryset.filter(Q(person__caisse=caisse_id) | Q(caisse=caisse_id))

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if sees_all_caisses(request.user):
            filters.append("caisse")
        return filters

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser grants privileges, a caisse or links an account to a person."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in PRIVILEGE_FIELDS if f not in readonly]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not request.user.is_superuser:
            # Readonly privilege fields make no sense on a blank account.
            return (fieldsets[0],)
        return fieldsets

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            log_access(
                request.user,
                self.get_audited_person(user),
                AccessAction.CHANGE,
                user,
                "Mot de passe",
            )
        return response

    @admin.display(description="type de compte")
    def kind_column(self, obj):
        if obj.person_id:
            return "Assuré"
        if obj.is_superuser:
            return "Administrateur"
        if obj.is_staff:
            return "Agent"
        return "—"

    @admin.display(description="caisse")
    def caisse_column(self, obj):
        caisse = obj.caisse or (obj.person.caisse if obj.person_id else None)
        return caisse or "—"


# --- H4: « code provisoire » issued by an agent (FEATURES A3, A9) -----------------------------
class TemporaryCodeIssueForm(forms.ModelForm):
    """What the agent chooses: whose code, the channel (desk or phone) and how it is handed
    over (shown once on screen, or by SMS to a mobile number)."""

    phone = FrenchPhoneField(
        mobile=True,
        label="Téléphone portable",
        help_text="Obligatoire pour un envoi par SMS (accueil téléphonique : toujours par SMS).",
    )

    agent = None  # set per request by TemporaryCodeAdmin.get_form

    class Meta:
        model = TemporaryCode
        fields = ("person", "channel", "delivery", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channel" in self.fields:  # the add form (a code's own page is read-only)
            self.fields["channel"].choices = [
                (c.value, c.label) for c in (CodeChannel.DESK, CodeChannel.PHONE)
            ]
            self.fields["delivery"].initial = CodeDelivery.DISPLAY

    def clean(self):
        cleaned = super().clean()
        if {"channel", "delivery", "phone"} & set(self.errors):
            return cleaned
        try:
            codes.check_issuance(
                channel=cleaned.get("channel"),
                delivery=cleaned.get("delivery"),
                issued_by=self.agent,
                phone=cleaned.get("phone"),
            )
        except ValidationError as error:
            field = "phone" if cleaned.get("delivery") == CodeDelivery.SMS else "delivery"
            self.add_error(field, error)
        return cleaned


@admin.register(TemporaryCode)
class TemporaryCodeAdmin(NirSearchMixin, AuditedModelAdmin):
    """H4: issue a code provisoire to an insured of the agent's caisse; the list and each
    code's page show who issued which code, when, how, and what became of it (never the
    code itself, which is stored hashed). Issuing is written to the audit trail (H5)."""

    caisse_path = "person__caisse"
    audit_person_path = "person"
    nir_search_path = "person__nir"
    form = TemporaryCodeIssueForm
    add_form_template = "admin/accounts/temporarycode/add_form.html"
    autocomplete_fields = ("person",)
    list_display = (
        "person",
        "issued_at",
        "channel",
        "delivery",
        "issued_by",
        "expires_at",
        "status_column",
        "attempts",
    )
    list_select_related = ("person", "issued_by")
    list_filter = ("channel", "delivery", "used_for")
    search_fields = ("person__last_name", "person__usage_name", "person__first_name")
    search_help_text = "Recherchez par NIR (espaces acceptés) ou nom de l'assuré."
    show_full_result_count = False
    readonly_fields = (
        "person",
        "channel",
        "delivery",
        "phone",
        "issued_by",
        "issued_at",
        "expires_at",
        "status_column",
        "attempts",
        "used_at",
        "used_for",
        "revoked_at",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("person", "channel", "delivery", "phone")
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="état")
    def status_column(self, obj):
        return obj.status.label

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.agent = request.user
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("person", None)  # only a person of the agent's caisse is pre-filled
        person_id = request.GET.get("person", "")
        person = (
            people_for(request.user).filter(pk=person_id).first() if person_id.isdigit() else None
        )
        if person is not None:
            initial["person"] = person.pk
            account = User.objects.filter(person=person).first()
            if account is not None and account.mobile_phone:
                initial["phone"] = account.mobile_phone
        return initial

    def save_model(self, request, obj, form, change):
        """The service creates the row (hash, 48 h, replaces older codes, SMS, audit row)."""
        row, code = codes.issue_code(
            form.cleaned_data["person"],
            channel=form.cleaned_data["channel"],
            delivery=form.cleaned_data["delivery"],
            issued_by=request.user,
            phone=form.cleaned_data.get("phone") or "",
        )
        for field in TemporaryCode._meta.concrete_fields:
            setattr(obj, field.attname, getattr(row, field.attname))
        obj._state.adding = False
        request._issued_code = code

    def response_add(self, request, obj, post_url_continue=None):
        """Show the code once (desk) or where it was sent (SMS); never in a URL or message."""
        code = getattr(request, "_issued_code", None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Code provisoire délivré",
            "row": obj,
            "code": code if obj.delivery == CodeDelivery.DISPLAY else None,
            "valid_until": timezone.localtime(obj.expires_at),
            "person_url": reverse("admin:assures_person_change", args=[obj.person_id]),
        }
        response = TemplateResponse(request, "admin/accounts/temporarycode/issued.html", context)
        add_never_cache_headers(response)
        return response
