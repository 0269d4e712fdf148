from django.contrib import admin

from .models import Transaction


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    """The simulator's journal (superusers only: it is the bank's, not the caisse's)."""

    list_display = (
        "transaction_id",
        "merchant",
        "reference",
        "amount_cents",
        "outcome",
        "created_at",
    )
    list_filter = ("outcome",)
    search_fields = ("transaction_id", "reference")
    readonly_fields = [f.name for f in Transaction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser
