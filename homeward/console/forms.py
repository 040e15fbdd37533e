"""Input checks for the staff console. The services check again; these give clear messages."""

from __future__ import annotations

from django import forms

from homeward.review.models import ReviewTask
from homeward.screening import categories


class SignInForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=ReviewTask.Decision.choices)
    reason_code = forms.ChoiceField(
        label="Reason for blocking",
        choices=[("", "Choose a reason…"), *categories.CHOICES],
        required=False,  # only blocking needs one; clean() checks, the browser helps
        widget=forms.Select(attrs={"required": True}),
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the record; the sender sees only the reason category, if the "
        "facility shows reasons.",
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("decision") == ReviewTask.Decision.BLOCK and not data.get("reason_code"):
            self.add_error("reason_code", "Choose the reason for blocking this message.")
        return data


class ConnectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    reason = forms.CharField(max_length=300, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("decision") == "deny" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the connection is denied.")
        return data


class EndConnectionForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        error_messages={"required": "Say why the connection is ended."},
    )


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label="Resident number or name", max_length=100, required=False)
