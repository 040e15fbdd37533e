"""The retention page's forms (``monitoring.retention``)."""

from __future__ import annotations

from django import forms

from homeward.monitoring.models import LegalHold
from homeward.monitoring.retention import MAX_DAYS


class PeriodForm(forms.Form):
    days = forms.IntegerField(
        label="Keep message text for (days)",
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text="Empty: kept. Messages still on their way are never removed.",
    )


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label="Hold", choices=LegalHold.Kind.choices)
    subject = forms.CharField(
        label="Which",
        max_length=254,
        help_text="A resident's number, a contact's email, a connection's or a case's number.",
    )
    reason = forms.CharField(max_length=500)


class ReleaseForm(forms.Form):
    reason = forms.CharField(label="Why it is released", max_length=500)
