"""H3: CPAM agents answer the insured's messages from the admin (/agents/).

Threads are scoped to the agent's caisse and every opening is logged (assures/audit.py: H1,
H5). The change page is a read-only history of the exchange (messages inline, attachments
downloadable through an audited view) followed by the « Répondre » form, which posts to
`<id>/repondre/`: `services.reply_as_agent` writes the answer, marks the insured's messages
read, notifies the insured (bell + e-mail notice) and logs the answer, in one transaction.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaks_filter
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from assures.admin import CaisseFilterForSuperusersMixin
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
from .enums import ThreadStatus
from .forms import AgentReplyForm
from .models import Attachment, Message, Thread


class AwaitingReplyFilter(admin.SimpleListFilter):
    title = "réponse"
    parameter_name = "reponse"

    def lookups(self, request, model_admin):
        return (("attendue", "En attente de réponse"), ("faite", "Répondu"))

    def queryset(self, request, queryset):
        if self.value() == "attendue":
            return queryset.filter(awaiting_reply=True)
        if self.value() == "faite":
            return queryset.filter(awaiting_reply=False)
        return queryset


class MessageInline(ReadOnlyInlineMixin, admin.StackedInline):
    """The history of the exchange, oldest first, read-only."""

    model = Message
    show_change_link = False
    fields = ("sent_by", "created_at", "subject", "body_display", "attachments_display", "read")
    readonly_fields = fields
    verbose_name = "message"
    verbose_name_plural = "historique de l'échange"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "thread")
            .prefetch_related("attachments")
            .order_by("created_at", "pk")
        )

    @admin.display(description="lu par le destinataire")
    def read(self, obj):
        if obj.read_at is None:
            return "Pas encore lu" if obj.from_caisse else "Pas encore traité par la caisse"
        return date_format(timezone.localtime(obj.read_at), "DATETIME_FORMAT")

    @admin.display(description="de")
    def sent_by(self, obj):
        if not obj.from_caisse:
            return f"L'assuré ({obj.author.get_full_name() if obj.author else 'compte supprimé'})"
        if obj.is_automatic:
            return "Message automatique de la caisse"
        return f"Caisse — {obj.author.get_full_name() or obj.author.username}"

    @admin.display(description="message")
    def body_display(self, obj):
        return linebreaks_filter(obj.body, autoescape=True)  # escaped, then <p>/<br>

    @admin.display(description="pièces jointes")
    def attachments_display(self, obj):
        items = obj.attachments.all()
        if not items:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({}, {})',
            (
                (
                    reverse(
                        "admin:messagerie_thread_attachment", args=[obj.thread_id, a.public_id]
                    ),
                    a.original_name,
                    a.type_label,
                    a.size_display,
                )
                for a in items
            ),
        )


@admin.register(Thread)
class ThreadAdmin(
    ReadOnlyAdminMixin, CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin
):
    """H3: the caisse's exchanges with its insured, read-only, with a « Répondre » form."""

    caisse_path = "person__caisse"
    caisse_filter = "person__caisse"
    audit_person_path = "person"
    nir_search_path = "person__nir"
    change_form_template = "admin/messagerie/thread/change_form.html"
    change_list_template = "admin/messagerie/thread/change_list.html"
    list_display = (
        "subject",
        "person",
        "nir_column",
        "theme",
        "status",
        "awaiting_column",
        "last_message_at",
    )
    list_select_related = ("person",)
    list_filter = (AwaitingReplyFilter, "theme", "status")
    search_fields = ("subject", "person__last_name", "person__usage_name", "person__first_name")
    search_help_text = "Recherchez par NIR (espaces acceptés), nom ou prénom de l'assuré, ou objet."
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "reference",
        "person",
        "caisse",
        "theme",
        "subject",
        "related_reference",
        "status",
        "created_at",
        "last_message_at",
    )
    readonly_fields = fields
    inlines = (MessageInline,)
    actions = ("close_threads", "reopen_threads")

    def get_queryset(self, request):
        awaiting = Message.objects.filter(thread=OuterRef("pk")).unread_by_caisse()
        return super().get_queryset(request).annotate(awaiting_reply=Exists(awaiting))

    # Read-only history (ReadOnlyAdminMixin): agents answer through the reply form, never edit
    # what was written.
    def has_reply_permission(self, request, obj=None):
        return request.user.has_perm("messagerie.reply_thread")

    @admin.display(description="NIR", ordering="person__nir")
    def nir_column(self, obj):
        return (obj.person.nir_display or "—").replace(" ", "\u00a0")  # on one line

    @admin.display(description="en attente de réponse", boolean=True, ordering="-awaiting_reply")
    def awaiting_column(self, obj):
        return obj.awaiting_reply

    @admin.display(description="référence")
    def reference(self, obj):
        return obj.reference

    # --- actions --------------------------------------------------------------------------
    @admin.action(description="Clore les échanges sélectionnés", permissions=["reply"])
    def close_threads(self, request, queryset):
        count = services.set_thread_status(request.user, queryset, ThreadStatus.CLOSED)
        self.message_user(request, f"{count} échange(s) clos.", messages.SUCCESS)

    @admin.action(description="Rouvrir les échanges sélectionnés", permissions=["reply"])
    def reopen_threads(self, request, queryset):
        count = services.set_thread_status(request.user, queryset, ThreadStatus.OPEN)
        self.message_user(request, f"{count} échange(s) rouvert(s).", messages.SUCCESS)

    # --- the reply form and the attachments -----------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/repondre/",
                self.admin_site.admin_view(self.reply_view),
                name="{}_{}_reply".format(*info),
            ),
            path(
                "<path:object_id>/pieces-jointes/<uuid:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="{}_{}_attachment".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if self.has_reply_permission(request):
            extra_context.setdefault("reply_form", AgentReplyForm())
            extra_context["reply_url"] = reverse("admin:messagerie_thread_reply", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["title"] = f"Échange {obj.reference} avec {obj.person}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _scoped_thread(self, request, object_id):
        thread = self.get_object(request, unquote(object_id))
        if thread is None:  # another caisse's thread is a 404 (H1)
            raise Http404("Échange introuvable.")
        return thread

    def reply_view(self, request, object_id):
        thread = self._scoped_thread(request, object_id)
        if not self.has_reply_permission(request, thread):
            raise PermissionDenied
        change_url = reverse("admin:messagerie_thread_change", args=[thread.pk])
        if request.method != "POST":
            return redirect(change_url)
        form = AgentReplyForm(request.POST, request.FILES)
        if form.is_valid():
            services.reply_as_agent(
                request.user,
                thread,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
                close=form.cleaned_data["close"],
                client_token=form.cleaned_data["client_token"],
            )
            self.message_user(
                request,
                format_html(
                    "Votre réponse à {} a été envoyée ; l'assuré est prévenu dans son compte "
                    "et par e-mail s'il l'accepte.",
                    thread.person,
                ),
                messages.SUCCESS,
            )
            return redirect(change_url)
        # Errors: the change page again, as a GET (history, and the form with its messages
        # next to the fields). Showing the history is a consultation: the change view logs it.
        request.method = "GET"
        return self.change_view(request, object_id, extra_context={"reply_form": form})

    def attachment_view(self, request, object_id, attachment_id):
        thread = self._scoped_thread(request, object_id)
        attachment = Attachment.objects.filter(
            message__thread=thread, public_id=attachment_id
        ).first()
        if attachment is None:
            raise Http404("Pièce jointe introuvable.")
        log_access(
            request.user,
            thread.person,
            AccessAction.VIEW,
            attachment,
            f"Pièce jointe de l'échange {thread.reference}",
        )
        try:
            return file_response(attachment.file, attachment.original_name, attachment.content_type)
        except FileNotFoundError as error:
            raise Http404("Fichier introuvable.") from error
