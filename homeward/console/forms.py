"""Input checks for the staff console. The services check again; these give clear messages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

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


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9000, 12, 31)


class DateRangeForm(forms.Form):
    """A "From" and a "To" day (both optional, inclusive) for the forms that filter by date."""

    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        for name, day in (("since", since), ("until", until)):
            if isinstance(day, dt.date) and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, f"A day from {FIRST_DAY.year} to {LAST_DAY.year}.")
                return cleaned
        if isinstance(since, dt.date) and isinstance(until, dt.date) and until < since:
            self.add_error("until", "The last day comes on or after the first.")
        return cleaned

    def bounds(self, zone: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None]:
        """Midnight starting the first day and midnight ending the last, on ``zone``'s
        clocks (each None when not given)."""
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        start = dt.datetime.combine(since, dt.time(0), tzinfo=zone) if since else None
        end = (
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
            if until
            else None
        )
        return start, end


class ArchiveCodeEmailForm(forms.Form):
    email = forms.EmailField(
        label="Email it to (optional)",
        required=False,
        help_text="An address the resident gives you; empty to hand the code over on paper.",
    )
