from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite

from homeward.core.errors import DomainError
from homeward.people import throttle
from homeward.people.models import Contact, Resident, StaffMembership, User
from homeward.people.names import check_display_name


class OperatorAdminSite(OTPAdminSite):
    """The Django admin, for platform operators: a password, then a code from the app that
    ``manage.py operator_second_factor`` set up; attempts go through the one sign-in
    throttle, counted as a staff account's before the password is checked."""

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        try:
            attempt = throttle.begin_password(
                kind=throttle.Kind.STAFF,
                name=request.POST.get("username", ""),
                address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            return HttpResponse(
                error.message, status=error.status, content_type="text/plain; charset=utf-8"
            )
        with attempt:  # leaving it without succeeded() (an error too) counts a failure
            response = super().login(request, extra_context)
            # The admin redirects only once both the password and the code were right.
            if response.status_code == 302 and request.user.is_authenticated:
                attempt.succeeded()
        return response


# Every model registered below, and Django's own, are served by the operator's site.
admin.site.__class__ = OperatorAdminSite


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


class ContactAdminForm(forms.ModelForm):
    # The admin supplies the model and fields (modelform_factory); this adds the name rule.

    def clean_display_name(self) -> str:
        """The operator is held to the same rule as sign-up: names travel into emails."""
        name: str = self.cleaned_data["display_name"]
        try:
            check_display_name(name)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return name


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    list_display = ("display_name", "email", "notice_version", "created_at")
    search_fields = ("display_name", "user__email")
