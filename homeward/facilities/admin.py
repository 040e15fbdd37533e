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


admin.site.register(Agency)
