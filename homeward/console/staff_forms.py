"""The forms of the staff page: add a staff member; and the page where one chooses a
password from the link an admin gave them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from homeward.people import staff_accounts
from homeward.people.models import StaffMembership


class AddStaffForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=staff_accounts.USERNAME_LONGEST,
        help_text="What they sign in with: letters, digits and @ . + - _ (no spaces).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label="First name", max_length=staff_accounts.NAME_LONGEST)
    last_name = forms.CharField(label="Last name", max_length=staff_accounts.NAME_LONGEST)
    email = forms.EmailField(label="Email", required=False, help_text="Optional.")
    role = forms.ChoiceField(label="Role")
    place = forms.ChoiceField(label="Works at")

    def __init__(self, *args: Any, places: list[staff_accounts.Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = {role for place in places for role in place.roles}
        role, where = self.fields["role"], self.fields["place"]
        assert isinstance(role, forms.ChoiceField) and isinstance(where, forms.ChoiceField)
        role.choices = [
            (value, label) for value, label in StaffMembership.Role.choices if value in offered
        ]
        where.choices = [(place.key, place.label) for place in places]
        where.help_text = "Agency admins work across a whole agency; facility admins at one."


class ChoosePasswordForm(forms.Form):
    password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validation.password_validators_help_texts()),
    )
    again = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("again") != cleaned["password"]:
            self.add_error("again", "The two passwords are not the same.")
        return cleaned
