"""The audit log's filters (``monitoring.audit_log.Filters``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet

from homeward.console.forms import DateRangeForm
from homeward.facilities.models import Facility
from homeward.monitoring.audit_log import Filters


class AuditFilterForm(DateRangeForm):
    field_order = ["actor", "action", "object_type", "object_id", "facility", "since", "until"]

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

    def __init__(self, *args: object, facilities: QuerySet[Facility], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        facility_field = self.fields["facility"]
        assert isinstance(facility_field, forms.ModelChoiceField)
        facility_field.queryset = facilities.order_by("name")

    def filters(self) -> Filters:
        """The filters; dates are whole days in UTC, as the log keeps its times."""
        data = self.cleaned_data
        since, before = self.bounds(ZoneInfo("UTC"))
        facility = data.get("facility")
        return Filters(
            actor=data.get("actor", "").strip(),
            action=data.get("action", "").strip(),
            object_type=data.get("object_type", "").strip(),
            object_id=data.get("object_id", "").strip(),
            facility_id=facility.pk if facility is not None else None,
            since=since,
            before=before,
        )
