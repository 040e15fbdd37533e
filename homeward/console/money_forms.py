"""Forms for the prices and money pages. Money is typed in dollars and percents; the forms
turn it into cents and basis points, and the schedule service checks everything again."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from homeward.core import features
from homeward.core.errors import DomainError
from homeward.ledger import pricing, schedules
from homeward.ledger.models import PriceSchedule

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a pricing setting's words, translated later

# Service field → form field, to put each service error next to what the admin typed.
FORM_FIELDS = {
    "stamp_cents": "stamp_price",
    "per_message_cents": "per_message_price",
    "photo_cents": "photo_price",
    "message_cap_cents": "message_cap",
    "deposit_fee_flat_cents": "deposit_fee_flat",
    "deposit_fee_bp": "deposit_fee_percent",
    "deposit_fee_cap_cents": "deposit_fee_cap",
    "account_fee_cents": "account_fee",
}

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# A longer report is a database export, not a page.
MAX_REPORT_MONTHS = 120


def _dollars(
    label: StrOrPromise, *, optional: bool = False, help_text: StrOrPromise = ""
) -> forms.CharField:
    """A price typed in dollars. Left empty it is zero, or (``optional``) "none"."""
    return forms.CharField(
        label=label,
        max_length=20,
        required=False,
        initial="" if optional else "0.00",
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class PriceScheduleForm(forms.Form):
    model = forms.ChoiceField(label="How messages are priced", choices=PriceSchedule.Model.choices)
    payer = forms.ChoiceField(
        label="Who pays",
        choices=PriceSchedule.Payer.choices,
        help_text="Free messaging is always paid by the agency.",
    )
    effective_from = forms.DateTimeField(
        label="Prices start",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    stamp_price = _dollars("Price of one stamp (stamps)", help_text="In dollars, e.g. 0.40.")
    chars_per_stamp = forms.IntegerField(
        label="Characters per stamp (stamps)",
        min_value=1,
        max_value=schedules.MAX_CHARS_PER_STAMP,
        initial=2000,
        required=False,
    )
    photo_stamps = forms.IntegerField(
        label="Stamps per photo (stamps)",
        min_value=0,
        max_value=schedules.MAX_STAMPS,
        initial=1,
        required=False,
    )
    reply_stamps = forms.IntegerField(
        label="Stamps for a prepaid reply (stamps)",
        min_value=0,
        max_value=schedules.MAX_STAMPS,
        initial=1,
        required=False,
    )
    per_message_price = _dollars(
        "Price of one message (per message; free: what the agency pays)",
        help_text="In dollars, e.g. 0.25.",
    )
    photo_price = _dollars(
        "Price of one photo (per message, per minute; free: what the agency pays)",
        help_text="In dollars, e.g. 0.50. Stamps price a photo in stamps, above.",
    )
    message_cap = _dollars(
        "Legal cap on the price of one message (optional)",
        optional=True,
        help_text="Leave empty for no cap. A cap below one stamp is allowed: the cap wins.",
    )
    deposit_fee_flat = _dollars("Deposit fee, flat part", help_text="In dollars.")
    deposit_fee_percent = forms.CharField(
        label="Deposit fee, percent of the deposit",
        max_length=10,
        required=False,
        initial="0",
        help_text="From 0 to 100, e.g. 2.5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    deposit_fee_cap = _dollars(
        "Most a deposit fee can be (optional)", optional=True, help_text="Leave empty for no cap."
    )
    account_fee = _dollars("Account fee", help_text="In dollars.")
    stamp_packs = forms.CharField(
        label="Stamp packs (stamps, optional)",
        required=False,
        max_length=300,
        help_text="Packs sold ahead, e.g. “10 for 3.50, 25 for 8.00”. Leave empty for none.",
    )

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        if not features.PHOTOS:
            # No photos yet: their price is not asked for (schedules keep the usual 1 stamp).
            del self.fields["photo_stamps"]
            del self.fields["photo_price"]
        # The prices only some pricing models use, after the price of a message.
        own = [setting.form_name for setting in pricing.settings()]
        for setting in pricing.settings():
            self.fields[setting.form_name] = _dollars(setting.label, help_text=setting.help_text)
        names = [name for name in self.fields if name not in own]
        at = names.index("per_message_price") + 1
        self.order_fields([*names[:at], *own, *names[at:]])
        self.fields["effective_from"].help_text = (
            f"Facility time ({zone.key}). Leave empty for “now”. Schedules are never edited: "
            "a new one takes over from its start."
        )

    def full_clean(self) -> None:
        # Dates and times are typed in the facility's time zone, not the server's.
        with timezone.override(self.zone):
            super().full_clean()

    def _money(self, name: str) -> int | None:
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return None
        try:
            return schedules.parse_dollars(text)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    # Counts left empty keep the usual values (they matter only for stamps).
    def clean_chars_per_stamp(self) -> int:
        value = self.cleaned_data.get("chars_per_stamp")
        return 2000 if value is None else value

    def clean_photo_stamps(self) -> int:
        value = self.cleaned_data.get("photo_stamps")
        return 1 if value is None else value

    def clean_reply_stamps(self) -> int:
        value = self.cleaned_data.get("reply_stamps")
        return 1 if value is None else value

    def clean_stamp_price(self) -> int:
        return self._money("stamp_price") or 0

    def clean_per_message_price(self) -> int:
        return self._money("per_message_price") or 0

    def clean_photo_price(self) -> int:
        return self._money("photo_price") or 0

    def clean_message_cap(self) -> int | None:
        return self._money("message_cap")

    def clean_deposit_fee_flat(self) -> int:
        return self._money("deposit_fee_flat") or 0

    def clean_deposit_fee_cap(self) -> int | None:
        return self._money("deposit_fee_cap")

    def clean_account_fee(self) -> int:
        return self._money("account_fee") or 0

    def clean_stamp_packs(self) -> list[dict[str, int]]:
        try:
            return schedules.parse_packs(self.cleaned_data.get("stamp_packs") or "")
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_deposit_fee_percent(self) -> int:
        try:
            return schedules.parse_percent(self.cleaned_data.get("deposit_fee_percent") or "0")
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for setting in pricing.settings():
            try:
                data[setting.form_name] = self._money(setting.form_name) or 0
            except forms.ValidationError as error:
                self.add_error(setting.form_name, error)
        return data

    def schedule_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        own = {setting.name: data[setting.form_name] for setting in pricing.settings()}
        return {
            **own,
            "model": data["model"],
            "payer": data["payer"],
            "effective_from": data["effective_from"],
            "chars_per_stamp": data["chars_per_stamp"],
            "stamp_cents": data["stamp_price"],
            "photo_stamps": data.get("photo_stamps", 1),
            "reply_stamps": data["reply_stamps"],
            "per_message_cents": data["per_message_price"],
            "photo_cents": data.get("photo_price", 0),
            "message_cap_cents": data["message_cap"],
            "deposit_fee_flat_cents": data["deposit_fee_flat"],
            "deposit_fee_bp": data["deposit_fee_percent"],
            "deposit_fee_cap_cents": data["deposit_fee_cap"],
            "account_fee_cents": data["account_fee"],
            "stamp_packs": data["stamp_packs"],
        }

    def add_schedule_errors(self, error: schedules.InvalidSchedule) -> None:
        own = {setting.name: setting.form_name for setting in pricing.settings()}
        for name, message in error.errors.items():
            field = FORM_FIELDS.get(name) or own.get(name, name)
            self.add_error(field if field in self.fields else None, message)


def _month(text: str) -> dt.date | None:
    match = MONTH.match(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


class ReportPeriodForm(forms.Form):
    """A period of whole months, ``from`` to ``to`` inclusive, typed as YYYY-MM. Either end
    left out takes its default: the last 12 months, this month included."""

    start = forms.CharField(label="From (month)", max_length=20, required=False)
    end = forms.CharField(label="To (month)", max_length=20, required=False)

    def __init__(self, data: Any, *, this_month: dt.date) -> None:
        # The query string says from/to; "from" is a Python keyword, so the fields differ.
        bound = {"start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__(bound)
        self.this_month = this_month

    def _parse(self, name: str, default: dt.date) -> dt.date:
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return default
        month = _month(text)
        if month is None:
            raise forms.ValidationError("Enter a month as YYYY-MM, e.g. 2025-01.")
        return month

    def clean_end(self) -> dt.date:
        return self._parse("end", self.this_month)

    def clean_start(self) -> dt.date:
        return self._parse("start", add_months(self.this_month, -11))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The period must start before it ends.")
            if add_months(start, MAX_REPORT_MONTHS) <= end:
                raise forms.ValidationError(
                    f"Choose at most {MAX_REPORT_MONTHS} months; download longer periods in parts."
                )
        return data

    def months(self) -> list[dt.date]:
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        count = (end.year - start.year) * 12 + end.month - start.month + 1
        return [add_months(start, index) for index in range(count)]
