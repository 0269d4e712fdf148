"""Agents' access to the registry: caisse scoping (FEATURES H1) and the audit trail (H5).

Two reusable pieces, used by the admin today and by later agent features (instruction of
démarches H2, messages H3, codes provisoires H4):

* `scope_to_caisse(queryset, user, caisse_path)` keeps only the rows an agent may see: a
  superuser sees everything, a staff user attached to a caisse sees the rows whose
  `caisse_path` is that caisse, anybody else sees nothing.
* `log_access(agent, person, action, obj, detail)` writes one `AccessLog` row (who, when, which
  caisse and service, whose file, what object, what was done). X2 shows these rows to the
  insured.

`CaisseScopedAdminMixin` and `AuditedModelAdmin` plug both into a `ModelAdmin`: querysets,
object lookups by URL and foreign-key choices are scoped; opening an object's page logs a
« consultation », saving logs a « modification » (with the changed field names), adding a
« création », deleting a « suppression » — inline objects included. Changelists are not
per-person reads and are not logged, but they are scoped like everything else.
"""

from __future__ import annotations

import re

from django.contrib import admin

from . import identifiers
from .enums import AccessAction
from .models import AccessLog, Caisse, Person

ADMIN_SERVICE = "Administration"
DETAIL_MAX_LENGTH = AccessLog._meta.get_field("detail").max_length


# --- scoping (H1) ---------------------------------------------------------------------------
def sees_all_caisses(user) -> bool:
    """Superusers (the national administration) are not limited to one caisse."""
    return bool(user.is_active and user.is_superuser)


def agent_caisse_id(user):
    """The caisse an agent works for, or None when the user is not a scoped agent."""
    if user.is_active and user.is_staff and not user.is_superuser:
        return user.caisse_id
    return None


def scope_to_caisse(queryset, user, caisse_path: str):
    """H1: the rows of `queryset` that `user` may see, `caisse_path` leading to the caisse.

    `caisse_path` is a lookup such as "caisse" (Person), "person__caisse" (a card) or
    "insured__caisse" (a payment). A staff user without a caisse sees nothing.
    """
    if sees_all_caisses(user):
        return queryset
    caisse_id = agent_caisse_id(user)
    if caisse_id is None:
        return queryset.none()
    return queryset.filter(**{caisse_path: caisse_id})


def people_for(user):
    """The registry people `user` may see (for choices, autocompletes, agent views)."""
    return scope_to_caisse(Person.objects.all(), user, "caisse")


def caisses_for(user):
    """The caisses `user` may attach people to: theirs only, or all for a superuser."""
    return scope_to_caisse(Caisse.objects.all(), user, "pk")


# --- audit (H5) -----------------------------------------------------------------------------
def agent_service(agent) -> str:
    """« service » of an AccessLog row: the agent's role groups, or « Administration »."""
    cached = getattr(agent, "_audit_service", None)
    if cached is None:
        names = sorted(agent.groups.values_list("name", flat=True))
        cached = ", ".join(names) or (ADMIN_SERVICE if agent.is_superuser else "")
        agent._audit_service = cached
    return cached


def _truncate(text: str) -> str:
    text = str(text or "")
    if len(text) <= DETAIL_MAX_LENGTH:
        return text
    return text[: DETAIL_MAX_LENGTH - 1] + "…"


def log_access(agent, person, action, obj=None, detail="", *, object_type=None, object_id=None):
    """H5: record that `agent` did `action` (AccessAction) on `obj` in `person`'s file.

    `obj` gives the object type (its model's verbose name) and id; pass `object_type` and
    `object_id` instead for something that is not a model instance (an export, a code sent…).
    Returns the AccessLog row, or None when there is no person to attribute the access to.
    """
    if person is None:
        return None
    if obj is not None:
        object_type = object_type or str(obj._meta.verbose_name)
        object_id = object_id if object_id is not None else obj.pk
    if object_type is None:
        raise ValueError("log_access needs an object or an object_type.")
    return AccessLog.objects.create(
        agent=agent,
        caisse_id=agent.caisse_id,
        service=agent_service(agent),
        person=person,
        action=AccessAction(action),
        object_type=_truncate(object_type)[:100],
        object_id="" if object_id is None else str(object_id)[:64],
        detail=_truncate(detail),
    )


def changed_fields_detail(field_names) -> str:
    return "Champs modifiés : " + ", ".join(field_names)


def follow_path(obj, path: str):
    """`obj` followed along a dotted/double-underscore attribute path ("" returns `obj`)."""
    for part in [p for p in path.replace(".", "__").split("__") if p]:
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


# --- admin integration ----------------------------------------------------------------------
def nir_search_prefix(search_term: str) -> str | None:
    """The NIR (or its beginning) an agent typed, spaces allowed; None for a name search.

    « 2 90 03 75 106 123 07 » -> "2900375106123" (the key, if any, is dropped).
    """
    compact = identifiers.compact_nir(search_term)
    if re.fullmatch(r"\d[\dAB]{0,14}", compact):
        return compact[:13]
    return None


class NirSearchMixin:
    """Search box that takes a NIR typed with spaces (and key), or names otherwise."""

    nir_search_path = "nir"
    search_help_text = "Recherchez par NIR (13 ou 15 caractères, espaces acceptés), nom ou prénom."

    def get_search_results(self, request, queryset, search_term):
        nir = nir_search_prefix(search_term)
        if nir:
            return queryset.filter(**{f"{self.nir_search_path}__startswith": nir}), False
        return super().get_search_results(request, queryset, search_term)


class CaisseScopedAdminMixin:
    """H1 for a ModelAdmin or an inline: rows, URLs and foreign-key choices limited to a caisse.

    Set `caisse_path` to the lookup from the model to its caisse ("caisse" for Person,
    "person__caisse" for a card, "insured__caisse" for a payment). Leave it None for reference
    data shared by every caisse (doctors, complementary organisations, caisses).
    """

    caisse_path: str | None = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.caisse_path is None:
            return queryset
        return scope_to_caisse(queryset, request.user, self.caisse_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Person:
            kwargs["queryset"] = people_for(request.user)
        elif related is Caisse:
            kwargs["queryset"] = caisses_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AuditedModelAdmin(CaisseScopedAdminMixin, admin.ModelAdmin):
    """H5: a scoped ModelAdmin whose every read or write of an insured's record is logged.

    Set `audit_person_path` to the attribute leading from an object to the person whose file
    it belongs to ("" for Person itself, "person", "insured"); override
    `get_audited_person()` for anything more subtle. Objects of inlines are attributed to
    their parent's person.
    """

    audit_person_path: str | None = None

    def get_audited_person(self, obj):
        if obj is None or self.audit_person_path is None:
            return None
        return follow_path(obj, self.audit_person_path)

    def log_agent_access(self, request, obj, action, detail="", person=None):
        person = person if person is not None else self.get_audited_person(obj)
        return log_access(request.user, person, action, obj, detail)

    # Reads: a rendered change (or view-only) page, a delete confirmation, the history.
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk is not None:
            self.log_agent_access(request, obj, AccessAction.VIEW)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = response.context_data.get("object")
            if obj is not None:
                self.log_agent_access(
                    request, obj, AccessAction.VIEW, "Page de confirmation de suppression"
                )
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            obj = response.context_data.get("object")
            if obj is not None:
                self.log_agent_access(
                    request, obj, AccessAction.VIEW, "Historique des modifications"
                )
        return response

    # Writes: the object itself, then every inline object added, changed or deleted.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # A save that changes nothing is no modification (its page was logged when read).
            if form.changed_data:
                self.log_agent_access(
                    request, obj, AccessAction.CHANGE, changed_fields_detail(form.changed_data)
                )
        else:
            self.log_agent_access(request, obj, AccessAction.ADD)

    def save_formset(self, request, form, formset, change):
        person = self.get_audited_person(form.instance)
        for deleted_form in formset.deleted_forms:
            if deleted_form.instance.pk is not None:
                log_access(
                    request.user,
                    person,
                    AccessAction.DELETE,
                    deleted_form.instance,
                    str(deleted_form.instance),
                )
        super().save_formset(request, form, formset, change)
        for new in formset.new_objects:
            log_access(request.user, person, AccessAction.ADD, new)
        for changed, fields in formset.changed_objects:  # only objects with changed fields
            log_access(
                request.user, person, AccessAction.CHANGE, changed, changed_fields_detail(fields)
            )

    def log_deletions(self, request, queryset):
        # Called before the deletion, by the delete view and the « delete selected » action.
        for obj in queryset:
            self.log_agent_access(request, obj, AccessAction.DELETE, str(obj))
        return super().log_deletions(request, queryset)


class ReadOnlyAdminMixin:
    """An admin that shows records and never adds, edits or deletes them here (history, logs,
    documents issued; changes go through the feature's own actions or services). Put it first
    among the bases."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    """An inline shown as a list (change links to the object's own, audited, page)."""

    can_delete = False
    extra = 0
    show_change_link = True
