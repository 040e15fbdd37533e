"""Opening a case and adding messages to one (``monitoring.cases``)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from homeward.core.ids import whole_number
from homeward.facilities.models import Agency
from homeward.monitoring.models import Case


class OpenCaseForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label=None)
    name = forms.CharField(max_length=200)
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), help_text="Why it is opened."
    )

    def __init__(self, *args: object, agencies: QuerySet[Agency], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
        if agencies.count() == 1:
            field.widget = forms.HiddenInput()
            field.initial = agencies.first()


class AddToCaseForm(forms.Form):
    case = forms.ModelChoiceField(queryset=Case.objects.none(), empty_label=None)
    message = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: object, cases: QuerySet[Case], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["case"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cases

    def clean_message(self) -> list[int]:
        return list(self.cleaned_data["message"])

    def full_clean(self) -> None:
        # The ids are checked by the service against the staff member's scope; here only
        # that they are whole numbers.
        messages = self.fields["message"]
        assert isinstance(messages, forms.TypedMultipleChoiceField)
        raw = self.data.getlist("message") if hasattr(self.data, "getlist") else []
        messages.choices = [(v, v) for v in raw if whole_number(str(v)) is not None]
        super().full_clean()
