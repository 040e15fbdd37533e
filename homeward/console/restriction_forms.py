"""Input checks for suspending and revoking on the console; ``enforcement.restrictions``
checks again (dates that make no sense, who may do it)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms

from homeward.enforcement.models import Restriction
from homeward.facilities.models import Facility


def start_of(day: dt.date, facility: Facility) -> dt.datetime:
    """Midnight at the start of ``day`` on the facility's clocks: when a restriction that
    "ends on" that day ends."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(facility.timezone))


class ImposeForm(forms.Form):
    kind = forms.ChoiceField(
        label="What",
        choices=Restriction.Kind.choices,
        widget=forms.RadioSelect,
        initial=Restriction.Kind.SUSPENSION,
    )
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), empty_label=None, label="At", required=False
    )
    ends_on = forms.DateField(
        label="Ends on (suspensions)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Messaging comes back at midnight at the start of this day, facility time. "
        "A revocation has no end.",
    )
    agency_wide = forms.BooleanField(label="At every facility of the agency", required=False)
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The person is told this reason.",
    )

    def __init__(self, *args: object, facilities: list[Facility], wide: bool, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["facility"].queryset = Facility.objects.filter(  # type: ignore[attr-defined]
            pk__in=[f.pk for f in facilities]
        )
        self.only = facilities[0] if len(facilities) == 1 else None
        if self.only is not None:  # nothing to choose
            self.fields["facility"].widget = forms.HiddenInput()
        if not wide:
            del self.fields["agency_wide"]

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("facility"):
            if self.only is None:
                self.add_error("facility", "Choose the facility.")
            data["facility"] = self.only
        if data.get("kind") == Restriction.Kind.SUSPENSION and not data.get("ends_on"):
            self.add_error("ends_on", "A suspension needs an end date.")
        if data.get("kind") == Restriction.Kind.REVOCATION and data.get("ends_on"):
            self.add_error("ends_on", "A revocation has no end date: leave it empty.")
        return data


class ChangeForm(forms.Form):
    action = forms.ChoiceField(choices=[("change_end", "Change the end"), ("lift", "Lift now")])
    ends_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=500)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("action") == "change_end" and not data.get("ends_on"):
            self.add_error("ends_on", "Choose the new end date.")
        return data


class WatchForm(forms.Form):
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.all(), required=False, widget=forms.HiddenInput
    )
    expires_on = forms.DateField(label="Until", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=500)
