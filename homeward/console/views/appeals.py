"""Appeals on the console: the open appeals of the staff member's facilities (theirs
first), one appeal with what was decided and why the person disagrees, the decision, and
each facility's appeal and overturn rates. Staff outside the appeal's facility get a 404;
staff who may not decide it (the decision's author, or neither assigned nor an admin) see
it without the form and are refused with a 403 if they post."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import forbidden, reader_required
from homeward.console.requests import StaffRequest
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound, PermissionDenied
from homeward.enforcement import access as enforcement_access
from homeward.enforcement import appeal_stats, appeals
from homeward.enforcement.models import Appeal
from homeward.messaging import history
from homeward.people import access
from homeward.screening import categories

REPORT_DAYS = 90


@reader_required
def desk(request: StaffRequest) -> HttpResponse:
    after = request.GET.get("after", "")
    page = appeals.desk_page(request.user, after=after)
    context = {"page": page, "after": after, "now": clock.now()}
    return render(request, "console/appeals.html", context)


def _appeal_for(request: StaffRequest, appeal_id: int) -> Appeal:
    try:
        return enforcement_access.appeal_for(request.user, appeal_id)
    except NotFound:
        raise Http404("No such appeal.") from None


@reader_required
def appeal(request: StaffRequest, appeal_id: int) -> HttpResponse:
    found = _appeal_for(request, appeal_id)
    message = found.message
    if message is not None:
        # The page shows the blocked message: every staff read of a message is audited.
        history.record_message_view(staff=request.user, message=message)
    context = {
        "appeal": found,
        "message": message,
        "category": categories.label(message.block_category) if message else "",
        "can_decide": found.status == Appeal.Status.OPEN
        and appeals.may_decide(request.user, found),
    }
    return render(request, "console/appeal.html", context)


@require_POST
@reader_required
def decide(request: StaffRequest, appeal_id: int) -> HttpResponse:
    found = _appeal_for(request, appeal_id)
    try:
        appeals.decide(
            staff=request.user,
            appeal_id=found.pk,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404("No such appeal.") from None
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {error.message}")
        return redirect("console:appeal", appeal_id=found.pk)
    messages.success(request, "Decided. The person who appealed is told.")
    return redirect("console:appeals")


@reader_required
def report(request: StaffRequest) -> HttpResponse:
    since = clock.now() - dt.timedelta(days=REPORT_DAYS)
    facilities = access.staff_facilities(request.user).order_by("name")
    rows = [appeal_stats.for_facility(facility, since) for facility in facilities]
    return render(request, "console/appeals_report.html", {"rows": rows, "days": REPORT_DAYS})
