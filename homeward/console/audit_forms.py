"""The audit log's filters (``monitoring.audit_log.Filters``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from homeward.facilities.models import Facility
from homeward.monitoring.audit_log import Filters


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label="Who", max_length=150, required=False, help_text="Part of a username or name."
    )
    action = forms.CharField(
        label="Action",
        max_length=80,
        required=False,
        help_text='An action or its beginning: "message." for every message action.',
    )
    object_type = forms.CharField(label="Object type", max_length=60, required=False)
    object_id = forms.CharField(label="Object id", max_length=60, required=False)
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), required=False, empty_label="Any (or none)"
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, facilities: QuerySet[Facility], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        facility_field = self.fields["facility"]
        assert isinstance(facility_field, forms.ModelChoiceField)
        facility_field.queryset = facilities.order_by("name")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and until < since:
            self.add_error("until", "The last day comes on or after the first.")
        return cleaned

    def filters(self) -> Filters:
        """The filters; dates are whole days in UTC, as the log keeps its times."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        facility = data.get("facility")
        utc = ZoneInfo("UTC")
        return Filters(
            actor=data.get("actor", "").strip(),
            action=data.get("action", "").strip(),
            object_type=data.get("object_type", "").strip(),
            object_id=data.get("object_id", "").strip(),
            facility_id=facility.pk if facility is not None else None,
            since=dt.datetime.combine(since, dt.time(0), tzinfo=utc) if since else None,
            before=(
                dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=utc)
                if until
                else None
            ),
        )
