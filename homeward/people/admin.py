from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from homeward.people.models import Contact, Resident, StaffMembership, User


class MembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0


@admin.register(User)
class HomewardUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ("number", "last_name", "first_name", "facility", "status")
    list_filter = ("facility", "status")
    search_fields = ("number", "last_name", "first_name")
    exclude = ("pin_hash",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("display_name", "email", "notice_version", "created_at")
    search_fields = ("display_name", "user__email")
