from django.contrib import admin

from homeward.screening.models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("phrase", "category", "action", "agency", "facility", "is_active")
    list_filter = ("category", "action", "is_active")
    search_fields = ("phrase",)
