"""Input checks for the kiosk pages. Services make the decisions; forms only parse."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from homeward.facilities.models import Facility


class DeviceForm(forms.Form):
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), empty_label=None, label=_("Facility")
    )
    name = forms.CharField(
        max_length=100,
        label=_("Name of this kiosk"),
        help_text=_("Where it is, so staff can find it: for example “B Block, second tablet”."),
    )

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facility = self.fields["facility"]
        assert isinstance(facility, forms.ModelChoiceField)
        facility.queryset = facilities


class SignInForm(forms.Form):
    number = forms.CharField(max_length=30, label=_("Resident number"))
    pin = forms.CharField(
        max_length=12, label=_("PIN"), widget=forms.PasswordInput(attrs={"inputmode": "numeric"})
    )


class ReplyForm(forms.Form):
    # No max_length here: the service checks the facility's limit and says so plainly.
    body = forms.CharField(
        label=_("Your reply"), required=False, strip=False, widget=forms.Textarea
    )
    client_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"client_token": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update(
            {"data-limit": str(limit), "aria-describedby": "reply-counter", "rows": 6}
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Their email address"), max_length=254)
