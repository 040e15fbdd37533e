"""A facility's prices and its money report, for its facility admins and the admins of its
agency.

A facility outside the staff member's facilities is a 404; staff of the facility without an
admin role (reviewers, investigators) get a 403 page. Prices are never edited: an admin adds
a schedule that takes over from its start. The report is read from the ledger's postings, so
it always agrees with the ledger; downloading it is an export, and every export is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeward.console.access import for_facility_admins, other_administered
from homeward.console.money_forms import PriceScheduleForm, ReportPeriodForm, add_months
from homeward.console.requests import StaffRequest
from homeward.console.templatetags.console import local
from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound
from homeward.core.templatetags.money import dollars
from homeward.facilities.models import Facility
from homeward.ledger import pricing, schedules, statements
from homeward.ledger.models import PriceSchedule

for_price_admins = for_facility_admins(
    "Prices and money reports are for facility admins and agency admins."
)


# --- prices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    schedule: PriceSchedule
    state: str  # "in_force", "scheduled" (starts later) or "replaced"
    author: str  # who added it, from the audit log ("" when not recorded)

    @property
    def model(self) -> pricing.PricingModel:
        return pricing.model_of(self.schedule)

    @property
    def unit_word(self) -> str:
        """What one price buys under this model ("stamp", "message"), '' if nothing is sold."""
        unit = self.model.unit_price(self.schedule)
        return unit[0] if unit else ""

    @property
    def payer_label(self) -> str:
        return self.model.payer_label(self.schedule)

    @property
    def row_template(self) -> str:
        """The model's own words in the price table (``console/pricing/<model>.html``)."""
        return f"console/pricing/{self.schedule.model}.html"

    @property
    def cap_below_one_price(self) -> bool:
        """A legal cap under one stamp (or one message): every message costs the cap."""
        cap = self.schedule.message_cap_cents
        unit = self.model.unit_price(self.schedule)
        return cap is not None and unit is not None and cap < unit[1]


def schedule_rows(facility: Facility, now: dt.datetime) -> list[ScheduleRow]:
    """Every schedule of the facility, newest start first, with the one in force marked."""
    try:
        current: PriceSchedule | None = pricing.schedule_in_force(facility.pk, now)
    except DomainError:
        current = None
    found = list(facility.price_schedules.order_by("-effective_from", "-id"))
    authors = audit.authors(
        action="prices.added",
        object_type="priceschedule",
        object_ids=[schedule.pk for schedule in found],
    )
    rows = []
    for schedule in found:
        if current is not None and schedule.pk == current.pk:
            state = "in_force"
        elif schedule.effective_from > now:
            state = "scheduled"
        else:
            state = "replaced"
        rows.append(ScheduleRow(schedule, state, authors.get(str(schedule.pk), "")))
    return rows


@for_price_admins
def prices(request: StaffRequest, facility: Facility) -> HttpResponse:
    rows = schedule_rows(facility, clock.now())
    context = {
        "facility": facility,
        "rows": rows,
        "in_force": next((row for row in rows if row.state == "in_force"), None),
        "others": other_administered(request.user, facility),
    }
    return render(request, "console/prices.html", context)


def _added_message(schedule: PriceSchedule, facility: Facility) -> str:
    if schedule.effective_from <= clock.now():
        said = "The new prices are in force from now on."
    else:
        said = f"The new prices start {local(schedule.effective_from, facility)}."
    row = ScheduleRow(schedule, "", "")
    if row.cap_below_one_price:
        said += (
            f" The legal cap ({dollars(schedule.message_cap_cents)}) is below the price of one "
            "message, so every message costs the cap."
        )
    return said


@for_price_admins
def add_prices(request: StaffRequest, facility: Facility) -> HttpResponse:
    form = PriceScheduleForm(request.POST or None, zone=ZoneInfo(facility.timezone))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                schedule = schedules.add_schedule(
                    staff=request.user, facility=facility, **form.schedule_fields()
                )
            except NotFound as error:
                raise Http404(error.message) from None
            except schedules.InvalidSchedule as error:
                form.add_schedule_errors(error)
            else:
                messages.success(request, _added_message(schedule, facility))
                return redirect("console:prices", code=facility.code)
        status = 400  # nothing was saved: say what to fix
    context = {"facility": facility, "form": form}
    return render(request, "console/prices_add.html", context, status=status)


# --- the money report ---------------------------------------------------------------------


def _this_month(facility: Facility) -> dt.date:
    return clock.now().astimezone(ZoneInfo(facility.timezone)).date().replace(day=1)


def _report_rows(facility: Facility, months: list[dt.date]) -> list[statements.ReportRow]:
    """One row per month of the period, months without money included (as zeros)."""
    found = statements.facility_report(facility, start=months[0], end=add_months(months[-1], 1))
    by_month = {row.month: row for row in found}
    return [by_month.get(month) or statements.ReportRow(month) for month in months]


def _totals(rows: list[statements.ReportRow]) -> statements.ReportRow:
    total = statements.ReportRow(rows[0].month)
    for item in fields(statements.ReportRow):
        if item.name != "month":
            setattr(total, item.name, sum(getattr(row, item.name) for row in rows))
    return total


def _shows_kiosk_time(facility: Facility, totals: statements.ReportRow) -> bool:
    """Kiosk-time columns where residents pay for kiosk time now, or paid in the period."""
    if totals.kiosk_time or totals.kiosk_sessions:
        return True
    try:
        schedule = pricing.schedule_in_force(facility.pk, clock.now())
    except DomainError:  # no prices yet
        return False
    return pricing.model_of(schedule).charges_kiosk_sessions


def _period_form(request: HttpRequest, facility: Facility) -> ReportPeriodForm:
    return ReportPeriodForm(request.GET, this_month=_this_month(facility))


def _bad_period(request: HttpRequest, facility: Facility, form: ReportPeriodForm) -> HttpResponse:
    context = {"facility": facility, "form": form, "rows": None}
    return render(request, "console/money_report.html", context, status=400)


@for_price_admins
def report(request: StaffRequest, facility: Facility) -> HttpResponse:
    form = _period_form(request, facility)
    if not form.is_valid():
        return _bad_period(request, facility, form)
    rows = _report_rows(facility, form.months())
    totals = _totals(rows)
    context = {
        "facility": facility,
        "form": form,
        "start": form.cleaned_data["start"],
        "end": form.cleaned_data["end"],
        "rows": rows,
        "totals": totals,
        "shows_kiosk_time": _shows_kiosk_time(facility, totals),
        "others": other_administered(request.user, facility),
    }
    return render(request, "console/money_report.html", context)


@for_price_admins
def report_csv(request: StaffRequest, facility: Facility) -> HttpResponse:
    form = _period_form(request, facility)
    if not form.is_valid():
        return _bad_period(request, facility, form)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    period = {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"}
    body = statements.report_csv(facility, _report_rows(facility, form.months()))
    audit.record(
        actor=request.user,
        action="money.report_exported",
        obj=facility,
        facility_id=facility.pk,
        data=period,
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"money-{facility.code}-{period['from']}-to-{period['to']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
