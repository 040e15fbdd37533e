from django.contrib import admin
from django.http import HttpRequest

from homeward.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only and its chain breaks if a row changes."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "facility_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
