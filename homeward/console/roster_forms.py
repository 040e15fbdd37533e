"""The forms of a facility's roster page: book one person, or upload the roster file."""

from __future__ import annotations

from django import forms

from homeward.roster import bookings


class BookingForm(forms.Form):
    number = forms.CharField(label="Resident number", max_length=bookings.LONGEST["number"])
    first_name = forms.CharField(label="First name", max_length=bookings.LONGEST["first_name"])
    last_name = forms.CharField(label="Last name", max_length=bookings.LONGEST["last_name"])
    housing_unit = forms.CharField(
        label="Housing unit",
        max_length=bookings.LONGEST["housing_unit"],
        required=False,
        help_text="Optional. A unit the facility does not have yet is added.",
    )


class RosterFileForm(forms.Form):
    file = forms.FileField(
        label="Roster file (CSV)",
        help_text=(
            f"CSV text (UTF-8), up to {bookings.MAX_ROWS:,} people and "
            f"{bookings.MAX_FILE_BYTES // 1_000_000} MB. The first line names the columns: "
            "number, first_name, last_name, and housing_unit if you have it."
        ),
    )
