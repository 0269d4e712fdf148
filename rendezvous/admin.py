"""F3 for CPAM agents (/agents/): accueils, slots and bookings of their own caisse (H1).

* « Accueils » and « Créneaux » are the caisse's own data: scoped to the agent's caisse like
  everything else (assures/audit.py). A slot's page lists the people booked on it, so opening
  it logs one consultation per person shown (H5).
* « Créer une série de créneaux » (from the slot list or an accueil's page) makes days × hours
  × types of slots at once (`services.generate_slots`).
* « Rendez-vous »: read-only, scoped, every opening logged (H5, AuditedModelAdmin); the action
  « Annuler les rendez-vous sélectionnés » cancels through `services.cancel` (the insured is
  told by e-mail/SMS, each cancellation logged).
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from assures.admin import CaisseFilterForSuperusersMixin
from assures.audit import (
    AuditedModelAdmin,
    NirSearchMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    log_access,
    scope_to_caisse,
    sees_all_caisses,
)
from assures.enums import AccessAction
from portal.dates import fr_datetime

from . import rules, services
from .enums import Status
from .forms import SlotSeriesForm
from .models import Appointment, Place, Slot


def places_for(user):
    """H1: the accueils an agent may see and use (theirs; all for a superuser)."""
    return scope_to_caisse(Place.objects.select_related("caisse"), user, "caisse")


class PlaceFilter(admin.SimpleListFilter):
    """The accueils of the agent's caisse only (never another caisse's names)."""

    title = "accueil"
    parameter_name = "accueil"
    place_path = "place"

    def lookups(self, request, model_admin):
        return [(str(p.pk), str(p)) for p in places_for(request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{f"{self.place_path}_id": int(value)})
        return queryset


class AppointmentPlaceFilter(PlaceFilter):
    place_path = "slot__place"


class WhenFilter(admin.SimpleListFilter):
    title = "date"
    parameter_name = "quand"
    field = "starts_at"

    def lookups(self, request, model_admin):
        return (("a_venir", "À venir"), ("passes", "Passés"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "a_venir":
            return queryset.filter(**{f"{self.field}__gt": now})
        if self.value() == "passes":
            return queryset.filter(**{f"{self.field}__lte": now})
        return queryset


class AppointmentWhenFilter(WhenFilter):
    field = "slot__starts_at"


class ScopedPlaceChoiceMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Place:
            kwargs["queryset"] = places_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- accueils ----------------------------------------------------------------------------------
@admin.register(Place)
class PlaceAdmin(CaisseFilterForSuperusersMixin, AuditedModelAdmin):
    caisse_path = "caisse"
    list_display = ("name", "city", "caisse", "is_active", "upcoming_slots", "series_link")
    list_select_related = ("caisse",)
    search_fields = ("name", "city", "postal_code")
    fields = (
        "caisse",
        "name",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "access_info",
        "is_active",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(upcoming_count=Count("slots", filter=Q(slots__starts_at__gt=timezone.now())))
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if request.user.caisse_id and not sees_all_caisses(request.user):
            initial.setdefault("caisse", request.user.caisse_id)
        return initial

    @admin.display(description="créneaux à venir", ordering="upcoming_count")
    def upcoming_slots(self, obj):
        return obj.upcoming_count

    @admin.display(description="")
    def series_link(self, obj):
        url = reverse("admin:rendezvous_slot_generate") + f"?accueil={obj.pk}"
        return format_html('<a href="{}">Créer une série de créneaux</a>', url)


# --- créneaux ----------------------------------------------------------------------------------
class SlotAdminForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ("place", "starts_at", "duration_minutes", "mode", "capacity", "is_open")

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        booked = self.instance.booked_count if self.instance.pk else 0
        if capacity < booked:
            raise forms.ValidationError(
                f"{booked} rendez-vous sont déjà pris sur ce créneau : la capacité ne peut pas "
                "descendre en dessous. Annulez d'abord des rendez-vous."
            )
        return capacity


class SlotAppointmentInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The people booked on the slot (each opening of the slot's page is logged, H5)."""

    model = Appointment
    fields = ("reference", "person", "reason", "phone", "status")
    readonly_fields = fields
    verbose_name_plural = "rendez-vous pris sur ce créneau"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Status.BOOKED).select_related("person")


@admin.register(Slot)
class SlotAdmin(CaisseFilterForSuperusersMixin, ScopedPlaceChoiceMixin, AuditedModelAdmin):
    caisse_path = "place__caisse"
    caisse_filter = "place__caisse"
    form = SlotAdminForm
    change_list_template = "admin/rendezvous/slot/change_list.html"
    list_display = ("starts_at", "place", "mode", "duration_minutes", "seats", "is_open")
    list_select_related = ("place",)
    list_filter = (WhenFilter, PlaceFilter, "mode", "is_open")
    date_hierarchy = "starts_at"
    ordering = ("starts_at",)
    show_full_result_count = False
    list_per_page = 100
    inlines = (SlotAppointmentInline,)
    actions = ("close_slots", "open_slots")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.booked_count:
            # Booked people were told this place, time and type: cancel them first.
            return ("place", "starts_at", "duration_minutes", "mode", "booked_count")
        return ("booked_count",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False  # the bookings' history stays (cancel them, or close the slot)
        return super().has_delete_permission(request, obj)

    @admin.display(description="réservés / capacité")
    def seats(self, obj):
        return f"{obj.booked_count} / {obj.capacity}"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if change and obj is not None and obj.pk is not None:
            for appointment in obj.appointments.filter(status=Status.BOOKED).select_related(
                "person"
            ):
                log_access(
                    request.user,
                    appointment.person,
                    AccessAction.VIEW,
                    appointment,
                    f"Liste des rendez-vous du créneau {obj}",
                )
        return response

    @admin.action(description="Fermer les créneaux sélectionnés à la réservation")
    def close_slots(self, request, queryset):
        count = queryset.filter(is_open=True).update(is_open=False)
        self.message_user(
            request,
            f"{count} créneau(x) fermé(s). Les rendez-vous déjà pris restent : annulez-les "
            "depuis « Rendez-vous » si l'accueil ne peut pas les assurer.",
            messages.SUCCESS,
        )

    @admin.action(description="Rouvrir les créneaux sélectionnés à la réservation")
    def open_slots(self, request, queryset):
        count = queryset.filter(is_open=False).update(is_open=True)
        self.message_user(request, f"{count} créneau(x) rouvert(s).", messages.SUCCESS)

    # --- « Créer une série de créneaux » -------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "generer/",
                self.admin_site.admin_view(self.generate_view),
                name="rendezvous_slot_generate",
            ),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        places = places_for(request.user).filter(is_active=True)
        if request.method == "POST":
            form = SlotSeriesForm(request.POST, places=places)
            if form.is_valid():
                data = form.cleaned_data
                created, existing = services.generate_slots(
                    data["place"],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    weekdays=data["weekdays"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    duration_minutes=data["duration_minutes"],
                    modes=data["modes"],
                    capacity=data["capacity"],
                )
                text = f"{created} créneau(x) créé(s) à « {data['place']} »"
                if existing:
                    text += f" ; {existing} existai(en)t déjà et n'ont pas été modifiés"
                self.message_user(request, text + ".", messages.SUCCESS)
                url = reverse("admin:rendezvous_slot_changelist")
                return HttpResponseRedirect(f"{url}?accueil={data['place'].pk}&quand=a_venir")
        else:
            today = timezone.localdate()
            first, _last = rules.booking_window(today)
            place_id = request.GET.get("accueil", "")
            form = SlotSeriesForm(
                places=places,
                initial={
                    "place": int(place_id) if place_id.isdigit() else None,
                    "first_day": first,
                    "last_day": first + datetime.timedelta(weeks=4),
                    "start_time": "09:00",
                    "end_time": "12:00",
                },
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Créer une série de créneaux",
            "form": form,
            "has_places": places.exists(),
        }
        return TemplateResponse(request, "admin/rendezvous/slot/generate.html", context)


# --- rendez-vous -------------------------------------------------------------------------------
class CancelByCaisseForm(forms.Form):
    reason = forms.CharField(
        label="Motif communiqué à l'assuré",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple « Fermeture exceptionnelle de l'accueil ». Écrivez-le simplement.",
    )


@admin.register(Appointment)
class AppointmentAdmin(
    ReadOnlyAdminMixin, CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin
):
    caisse_path = "slot__place__caisse"
    caisse_filter = "slot__place__caisse"
    audit_person_path = "person"
    nir_search_path = "person__nir"
    list_display = ("reference", "when", "person", "nir_column", "place", "mode", "reason")
    list_display += ("status",)
    list_select_related = ("person", "slot__place")
    list_filter = (AppointmentWhenFilter, "status", "mode", "reason", AppointmentPlaceFilter)
    search_fields = ("reference", "person__last_name", "person__usage_name", "person__first_name")
    search_help_text = "Recherchez par NIR (espaces acceptés), nom, prénom ou référence."
    date_hierarchy = "slot__starts_at"
    ordering = ("slot__starts_at",)
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "reference",
        "person",
        "when",
        "place",
        "mode",
        "phone",
        "reason",
        "details",
        "status",
        "booked_at",
        "cancelled_at",
        "cancelled_by",
        "cancellation_reason",
    )
    readonly_fields = fields
    actions = ("cancel_appointments",)

    def has_cancel_permission(self, request, obj=None):
        return request.user.has_perm("rendezvous.cancel_appointment")

    @admin.display(description="date", ordering="slot__starts_at")
    def when(self, obj):
        return fr_datetime(obj.slot.starts_at)

    @admin.display(description="accueil")
    def place(self, obj):
        return obj.slot.place

    @admin.display(description="NIR", ordering="person__nir")
    def nir_column(self, obj):
        return (obj.person.nir_display or "—").replace(" ", "\u00a0")

    @admin.action(description="Annuler les rendez-vous sélectionnés", permissions=["cancel"])
    def cancel_appointments(self, request, queryset):
        """Intermediate page (the motif for the insured), then `services.cancel` for each."""
        queryset = queryset.select_related("person", "slot__place")
        if "confirmer" in request.POST:
            form = CancelByCaisseForm(request.POST)
            if form.is_valid():
                done, refused = 0, []
                for appointment in queryset:
                    try:
                        _obj, changed = services.cancel(
                            appointment, by=request.user, reason=form.cleaned_data["reason"]
                        )
                    except services.CancellationRefused as refusal:
                        refused.append(f"{appointment.reference} : {refusal}")
                    else:
                        done += changed
                self.message_user(
                    request,
                    f"{done} rendez-vous annulé(s) ; les assurés sont prévenus.",
                    messages.SUCCESS,
                )
                for text in refused:
                    self.message_user(request, text, messages.WARNING)
                return None
        else:
            form = CancelByCaisseForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Annuler des rendez-vous",
            "appointments": [
                {"obj": a, "when": fr_datetime(a.slot.starts_at)}
                for a in queryset.filter(status=Status.BOOKED)
            ],
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "form": form,
            "action_name": "cancel_appointments",
        }
        return TemplateResponse(
            request, "admin/rendezvous/appointment/cancel_confirmation.html", context
        )
