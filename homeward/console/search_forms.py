"""The message search form: the words, and the filters (``monitoring.search.Filters``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from homeward.console.forms import DateRangeForm
from homeward.facilities.models import Facility
from homeward.messaging.models import Message
from homeward.monitoring import query as search_query
from homeward.monitoring.search import Filters
from homeward.screening import categories

SCREENING_CHOICES = [("", "Any"), ("flag", "Flagged"), ("block", "Blocked")]


class MessageSearchForm(DateRangeForm):
    field_order = ["q", "facility", "resident", "contact", "since", "until"]

    q = forms.CharField(
        label="Words",
        max_length=search_query.MAX_LENGTH,
        help_text='All the words; "a phrase" in quotes; OR between two; -word to leave one '
        "out. Case and accents do not matter, and disguised spellings (k.n.1.f.e) are found.",
    )
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), required=False, empty_label="All my facilities"
    )
    resident = forms.CharField(label="Resident number", max_length=30, required=False)
    contact = forms.CharField(
        label="Contact", max_length=100, required=False, help_text="Part of a name or email."
    )
    direction = forms.ChoiceField(
        choices=[("", "Both ways"), *Message.Direction.choices], required=False
    )
    status = forms.ChoiceField(choices=[("", "Any"), *Message.Status.choices], required=False)
    category = forms.ChoiceField(
        label="Screening category", choices=[("", "Any"), *categories.CHOICES], required=False
    )
    screening = forms.ChoiceField(label="Screening said", choices=SCREENING_CHOICES, required=False)

    def __init__(self, *args: object, facilities: QuerySet[Facility], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        facility_field = self.fields["facility"]
        assert isinstance(facility_field, forms.ModelChoiceField)
        facility_field.queryset = facilities.order_by("name")
        self.facilities = facilities

    def clean_q(self) -> search_query.Query:
        try:
            return search_query.parse(self.cleaned_data["q"])
        except search_query.QueryError as error:
            raise forms.ValidationError(str(error)) from None

    def time_zone(self) -> ZoneInfo:
        """The clocks dates are read on: the chosen facility's, else the first of the
        staff member's facilities."""
        chosen = self.cleaned_data.get("facility") or self.facilities.order_by("name").first()
        return ZoneInfo(chosen.timezone) if chosen is not None else ZoneInfo("UTC")

    def filters(self) -> Filters:
        data = self.cleaned_data
        since, before = self.bounds(self.time_zone())
        facility = data.get("facility")
        return Filters(
            facility_id=facility.pk if facility is not None else None,
            resident_number=data.get("resident", "").strip(),
            contact=data.get("contact", "").strip(),
            since=since,
            before=before,
            direction=data.get("direction", ""),
            status=data.get("status", ""),
            category=data.get("category", ""),
            screening=data.get("screening", ""),
        )
