"""H2 « Instruire les démarches » in the agents' workspace (/agents/).

* Queues: the list of submitted démarches (drafts are the person's own business) with
  filters by type and status showing their counts (facets), searchable by reference, NIR or
  name; limited to the agent's caisse (assures/audit.py, H1).
* A démarche's page is read-only: answers, files, history. Nothing is edited in place: every
  decision (« Passer en instruction », « Accepter », « Refuser » with a reason, « Demander une
  pièce » with a message, « Classer sans suite ») is a form that calls the engine's transition
  functions (demarches/services.py), which apply the registry effects (new address, IBAN,
  card…) and notify the person.
* Every opening, file download and decision is written to the audit trail (H5).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from assures.audit import (
    AuditedModelAdmin,
    NirSearchMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    log_access,
)
from assures.enums import AccessAction
from portal.uploads import file_response

from . import services
from .enums import Status
from .forms import DecisionForm
from .models import Demarche, DemarcheTransition
from .registry import find_type, type_choices


class TypeFilter(admin.SimpleListFilter):
    title = "type de démarche"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return type_choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(type=self.value())
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """The work to do first: what waits for an agent, what waits for the insured."""

    title = "file d'attente"
    parameter_name = "file"

    def lookups(self, request, model_admin):
        return [
            ("a_traiter", "À traiter (déposées ou en instruction)"),
            ("attente_assure", "En attente de l'assuré (pièce demandée)"),
            ("terminees", "Terminées"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "a_traiter":
            return queryset.filter(status__in=[Status.DEPOSEE, Status.EN_INSTRUCTION])
        if value == "attente_assure":
            return queryset.filter(status=Status.PIECE_DEMANDEE)
        if value == "terminees":
            return queryset.filter(status__in=[Status.ACCEPTEE, Status.REFUSEE, Status.SANS_SUITE])
        return queryset


class TransitionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = DemarcheTransition
    fields = ("at", "from_status", "to_status", "actor", "by", "reason")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "historique"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Demarche)
class DemarcheAdmin(ReadOnlyAdminMixin, NirSearchMixin, AuditedModelAdmin):
    caisse_path = "person__caisse"
    audit_person_path = "person"
    nir_search_path = "person__nir"
    change_form_template = "admin/demarches/demarche/change_form.html"
    list_display = (
        "reference",
        "type_column",
        "person",
        "beneficiary",
        "status",
        "submitted_at",
        "auto_accept_at",
    )
    list_display_links = ("reference",)
    list_filter = (QueueFilter, TypeFilter, "status", "submitted_at")
    list_select_related = ("person", "beneficiary")
    search_fields = ("reference", "person__last_name", "person__first_name")
    search_help_text = "Recherchez par référence (DEM-…), NIR ou nom de l'assuré."
    show_facets = admin.ShowFacets.ALWAYS
    show_full_result_count = False
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at",)
    inlines = (TransitionInline,)
    actions = ("start_instruction_selected",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "type_column",
                    "status",
                    "person",
                    "beneficiary",
                    "follows",
                    "submitted_at",
                    "decided_at",
                    "auto_accept_at",
                )
            },
        ),
        ("Réponses de l'assuré", {"fields": ("answers",)}),
        ("Pièces justificatives", {"fields": ("files_list",)}),
    )
    readonly_fields = (
        "reference",
        "type_column",
        "status",
        "person",
        "beneficiary",
        "follows",
        "submitted_at",
        "decided_at",
        "auto_accept_at",
        "answers",
        "files_list",
    )

    # --- what an agent may do -------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=Status.BROUILLON)

    # Read-only (ReadOnlyAdminMixin): statuses change only through decisions (the engine's
    # transitions), below.
    def has_instruct_permission(self, request, obj=None):
        return request.user.has_perm("demarches.instruct_demarche")

    # --- columns and read-only fields -----------------------------------------------------------
    @admin.display(description="démarche", ordering="type")
    def type_column(self, obj):
        kind = find_type(obj.type)
        return f"{kind.label} ({kind.feature})" if kind else obj.type

    @admin.display(description="réponses")
    def answers(self, obj):
        kind = find_type(obj.type)
        if kind is None:
            return "—"
        blocks = []
        # The agent checks what was typed (e.g. the full new IBAN): the page is audited (H5).
        for section in kind.summary(obj, review=True):
            rows = format_html_join(
                "",
                "<tr><th scope='row'>{}</th><td>{}</td></tr>",
                ((i.label, i.value) for i in section.items),
            )
            blocks.append(format_html("<h3>{}</h3><table>{}</table>", section.title, rows))
        return format_html_join("", "{}", ((b,) for b in blocks))

    @admin.display(description="fichiers")
    def files_list(self, obj):
        files = list(obj.files.all())
        if not files:
            return "Aucune pièce."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><a href='{}'>{}</a> — {} ({} ko)</li>",
                (
                    (
                        reverse("admin:demarches_demarche_file", args=[obj.pk, f.public_id]),
                        f.label,
                        f.original_name,
                        max(1, f.size // 1024),
                    )
                    for f in files
                ),
            ),
        )

    # --- decisions ------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/decision/",
                wrap(self.decision_view),
                name="demarches_demarche_decision",
            ),
            path(
                "<int:object_id>/fichier/<uuid:file_id>/",
                wrap(self.file_view),
                name="demarches_demarche_file",
            ),
            path(
                "<int:object_id>/commande-vitale/",
                wrap(self.vitale_view),
                name="demarches_demarche_vitale",
            ),
            *super().get_urls(),
        ]

    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, str(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("Démarche introuvable.")
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_instruct_permission(request):
            allowed = services.allowed_agent_actions(obj)
            if allowed:
                extra_context["decision_form"] = DecisionForm(allowed=allowed)
                extra_context["decision_url"] = reverse(
                    "admin:demarches_demarche_decision", args=[obj.pk]
                )
            kind = find_type(obj.type)
            if (
                kind is not None
                and hasattr(kind, "advance_order")
                and obj.status == Status.ACCEPTEE
            ):
                extra_context["vitale_url"] = reverse(
                    "admin:demarches_demarche_vitale", args=[obj.pk]
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def decision_view(self, request, object_id):
        obj = self._object_or_404(request, object_id)
        if not self.has_instruct_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:demarches_demarche_change", args=[obj.pk])
        allowed = services.allowed_agent_actions(obj)
        form = DecisionForm(request.POST if request.method == "POST" else None, allowed=allowed)
        if request.method == "POST" and form.is_valid():
            action = form.cleaned_data["action"]
            try:
                services.decide(obj, action, request.user, form.cleaned_data["reason"])
            except services.TransitionNotAllowed as error:
                messages.error(request, str(error))
                return redirect(change_url)
            obj.refresh_from_db()
            label = dict(DecisionForm.ACTIONS)[action].split(" (")[0]
            log_access(
                request.user,
                obj.person,
                AccessAction.CHANGE,
                obj,
                f"Décision « {label} » sur {obj.reference} : {obj.get_status_display()}",
            )
            messages.success(
                request, f"{obj.reference} : {obj.get_status_display()}. L'assuré est informé."
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"Décision sur {obj.reference}",
            "form": form,
            "change_url": change_url,
            "sections": find_type(obj.type).summary(obj, review=True)
            if find_type(obj.type)
            else [],
        }
        return TemplateResponse(request, "admin/demarches/demarche/decision.html", context)

    def file_view(self, request, object_id, file_id):
        obj = self._object_or_404(request, object_id)
        stored = obj.files.filter(public_id=file_id).first()
        if stored is None:
            raise Http404("Fichier introuvable.")
        log_access(
            request.user,
            obj.person,
            AccessAction.VIEW,
            stored,
            f"Téléchargement de « {stored.label} » ({obj.reference})",
        )
        return file_response(stored.file, stored.original_name, stored.content_type)

    def vitale_view(self, request, object_id):
        obj = self._object_or_404(request, object_id)
        if request.method != "POST" or not self.has_instruct_permission(request):
            raise PermissionDenied
        kind = find_type(obj.type)
        change_url = reverse("admin:demarches_demarche_change", args=[obj.pk])
        if kind is None or not hasattr(kind, "advance_order"):
            raise Http404("Pas de commande de carte pour cette démarche.")
        new_status = kind.advance_order(obj)
        if new_status is None:
            messages.error(request, "La commande de cette carte ne peut pas avancer davantage.")
        else:
            log_access(
                request.user,
                obj.person,
                AccessAction.CHANGE,
                obj,
                f"Commande de carte Vitale ({obj.reference}) : {new_status.label}",
            )
            messages.success(request, f"Carte Vitale : {new_status.label}.")
        return redirect(change_url)

    @admin.action(
        description="Passer en instruction les démarches déposées sélectionnées",
        permissions=["instruct"],
    )
    def start_instruction_selected(self, request, queryset):
        done = 0
        for obj in queryset.filter(status=Status.DEPOSEE).select_related("person"):
            try:
                services.start_instruction(obj, request.user)
            except services.TransitionNotAllowed:
                continue
            log_access(
                request.user,
                obj.person,
                AccessAction.CHANGE,
                obj,
                f"Passage en instruction de {obj.reference}",
            )
            done += 1
        messages.success(request, f"{done} démarche(s) passée(s) en instruction.")
