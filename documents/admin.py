"""Documents issued, in the agents' workspace (FEATURES H1, H5, D8).

Read-only: agents see which documents were issued to the insured of their caisse (never another
caisse's); opening one is logged like any read of a file, and so is downloading its PDF from the
admin (`AccessLog`, assures/audit.py).
"""

from django.contrib import admin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from assures.admin import CaisseFilterForSuperusersMixin
from assures.audit import AuditedModelAdmin, NirSearchMixin, ReadOnlyAdminMixin
from assures.enums import AccessAction

from .models import GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(
    ReadOnlyAdminMixin, CaisseFilterForSuperusersMixin, NirSearchMixin, AuditedModelAdmin
):
    caisse_path = "owner__caisse"
    caisse_filter = "owner__caisse"
    audit_person_path = "owner"
    nir_search_path = "owner__nir"
    list_display = ("created_at", "title", "kind", "owner", "code_column", "valid_until")
    list_select_related = ("owner",)
    list_filter = ("kind", "created_at")
    search_fields = ("owner__last_name", "owner__first_name", "=verification_code")
    search_help_text = (
        "Recherchez par NIR de l'assuré (espaces acceptés), nom de l'assuré ou code de "
        "vérification."
    )
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "title",
        "kind",
        "owner",
        "created_at",
        "valid_until",
        "code_column",
        "parameters",
        "size",
        "public_id",
        "download_link",
    )
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        code = search_term.replace("-", "").replace(" ", "").upper()
        if len(code) == 12 and code.isalnum() and not code.isdigit():
            return queryset.filter(verification_code=code), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="code de vérification", ordering="verification_code")
    def code_column(self, obj):
        return obj.verification_code_display

    @admin.display(description="PDF")
    def download_link(self, obj):
        url = reverse("admin:documents_generateddocument_download", args=[obj.pk])
        return format_html('<a href="{}">Télécharger le PDF</a> (consultation journalisée)', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/telecharger/",
                self.admin_site.admin_view(self.download_view),
                name="documents_generateddocument_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        """H5: an agent's download of an insured's PDF is an audited read."""
        if not self.has_view_permission(request):
            raise Http404
        document = get_object_or_404(self.get_queryset(request), pk=pk)
        self.log_agent_access(request, document, AccessAction.VIEW, "Téléchargement du PDF")
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=document.download_name,
            content_type="application/pdf",
        )
