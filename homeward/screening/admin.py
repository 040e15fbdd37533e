from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from homeward.screening.models import Rule, RuleChange, RuleSetVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rules change only through homeward.screening.rules (the console, or the library
    loader for the baseline), so that every change is validated, audited, recorded in the
    rule's history and makes a new rule-set version. The admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ("pattern", "kind", "category", "action", "scope", "agency", "facility")
    list_filter = ("scope", "kind", "category", "action", "is_active")
    search_fields = ("pattern", "other")


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdmin):
    list_display = ("rule", "what", "actor_label", "at")


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(ReadOnlyAdmin):
    list_display = ("facility", "number", "fingerprint", "rule_count", "created_at")
