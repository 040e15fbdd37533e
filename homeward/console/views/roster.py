"""A facility's roster, for its facility admins and the admins of its agency: book one
person, or upload the roster file the jail management system writes (``roster.bookings``).

A facility outside the staff member's facilities is a 404; staff of the facility without an
admin role (reviewers, investigators) get a 403 page. A file with a line that is not a
booking, or a person who cannot be booked from the form, saves nothing and says why (400);
a file's transfers and returning people are listed as not booked, beside those booked.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from homeward.console.access import for_facility_admins, other_administered
from homeward.console.requests import StaffRequest
from homeward.console.roster_forms import BookingForm, RosterFileForm
from homeward.core.errors import NotFound
from homeward.facilities.models import Facility
from homeward.roster import bookings

for_roster_admins = for_facility_admins("Bookings are for facility admins and agency admins.")
# The people (or problems) of a booking listed on its answer; the rest are counted.
LISTED = 100


@for_roster_admins
def page(request: StaffRequest, facility: Facility) -> HttpResponse:
    return _page(request, facility)


@require_POST
@for_roster_admins
def book_one(request: StaffRequest, facility: Facility) -> HttpResponse:
    form = BookingForm(request.POST)
    if not form.is_valid():
        return _page(request, facility, booking_form=form)
    found = bookings.checked(0, form.cleaned_data)
    if isinstance(found, str):
        return _page(request, facility, booking_form=form, problems=[found])
    return _book(request, facility, [found], booking_form=form)


@require_POST
@for_roster_admins
def upload(request: StaffRequest, facility: Facility) -> HttpResponse:
    form = RosterFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, facility, file_form=form)
    try:
        listed = bookings.read_upload(form.cleaned_data["file"])
    except bookings.InvalidBookings as error:
        return _page(request, facility, problems=error.problems, from_file=True)
    return _book(request, facility, listed, from_file=True)


def _book(
    request: StaffRequest,
    facility: Facility,
    listed: list[bookings.Booking],
    *,
    booking_form: BookingForm | None = None,
    from_file: bool = False,
) -> HttpResponse:
    try:
        done = bookings.book(staff=request.user, facility=facility, bookings=listed)
    except NotFound:
        raise Http404("No such facility.") from None
    except bookings.InvalidBookings as error:
        return _page(
            request,
            facility,
            booking_form=booking_form,
            problems=error.problems,
            from_file=from_file,
        )
    if booking_form is not None and done.not_booked:  # the one person asked for
        return _page(request, facility, booking_form=booking_form, problems=done.not_booked)
    context = {
        "facility": facility,
        "done": done,
        # (the first LISTED of each, and how many more)
        "not_booked": _listed(done.not_booked),
        "booked": _listed(done.booked),
        "updated": _listed(done.updated),
        "again": _listed(done.again),
    }
    return render(request, "console/roster_done.html", context)


def _listed(items: list[Any]) -> tuple[list[Any], int]:
    return items[:LISTED], max(0, len(items) - LISTED)


def _page(
    request: StaffRequest,
    facility: Facility,
    *,
    booking_form: BookingForm | None = None,
    file_form: RosterFileForm | None = None,
    problems: list[str] | None = None,
    from_file: bool = False,
) -> HttpResponse:
    refused = bool(problems) or (booking_form or file_form) is not None
    context = {
        "facility": facility,
        "booking_form": booking_form or BookingForm(),
        "file_form": file_form or RosterFileForm(),
        "problems": _listed(problems or []),
        "from_file": from_file,
        "others": other_administered(request.user, facility),
    }
    return render(request, "console/roster.html", context, status=400 if refused else 200)
