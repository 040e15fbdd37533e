from django.contrib import admin

from homeward.facilities.models import Agency, Facility, FacilityPolicy, HousingUnit


class PolicyInline(admin.StackedInline):
    model = FacilityPolicy
    can_delete = False


class UnitInline(admin.TabularInline):
    model = HousingUnit
    extra = 0


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "agency", "type", "state")
    list_filter = ("agency", "type", "state")
    search_fields = ("name", "code")
    inlines = [PolicyInline, UnitInline]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    # Retention and the attorney channel change only on the console, through their services:
    # they are audited, publish a new monitoring notice and queue the removal job.
    readonly_fields = ("message_retention_days", "removal_starts_at", "privileged_channel")
