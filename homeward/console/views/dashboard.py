"""The staff member's start page: their facilities and what is waiting for them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render

from homeward.connections import access as connection_access
from homeward.console.access import any_staff_required
from homeward.console.requests import StaffRequest
from homeward.core import clock
from homeward.enforcement import appeal_stats
from homeward.people import access
from homeward.people.models import User
from homeward.review import health
from homeward.review import selectors as review

OVERTURN_WINDOW = dt.timedelta(days=90)


@any_staff_required
def dashboard(request: StaffRequest) -> HttpResponse:
    now = clock.now()
    staff = request.user
    reviewing = set(
        access.staff_facilities(staff, access.REVIEW_ROLES).values_list("id", flat=True)
    )
    by_facility = review.queue_counts_by_facility(staff, now=now)
    waiting = connection_access.connections_awaiting(staff)
    waiting_by_facility: dict[int, int] = {}
    for facility_id in waiting.values_list("facility_id", flat=True):
        waiting_by_facility[facility_id] = waiting_by_facility.get(facility_id, 0) + 1
    rows = [
        {
            "facility": facility,
            "reviews": facility.pk in reviewing,
            "counts": by_facility.get(facility.pk, review.QueueCounts(0, 0)),
            "waiting": waiting_by_facility.get(facility.pk, 0),
        }
        for facility in access.staff_facilities(staff).select_related("agency").order_by("name")
    ]
    context = {
        "rows": rows,
        "totals": review.QueueCounts(
            open=sum(counts.open for counts in by_facility.values()),
            overdue=sum(counts.overdue for counts in by_facility.values()),
        ),
        "waiting": sum(waiting_by_facility.values()),
        **desk_health(staff, now),
    }
    return render(request, "console/dashboard.html", context)


def desk_health(staff: User, now: dt.datetime) -> dict[str, object]:
    """The review desk's health: each reviewer's pace over the last day and how often
    appeals overturned their blocks over the last 90 days; the oldest item and the overdue
    count."""
    if not access.staff_facilities(staff, access.REVIEW_ROLES).exists():
        return {}
    overturned = appeal_stats.overturned_by_reviewer(
        access.staff_facilities(staff, access.REVIEW_ROLES), now - OVERTURN_WINDOW
    )
    return {
        "pace": [(row, overturned.get(row.reviewer_id)) for row in health.pace(staff, now=now)],
        "queue_health": health.queue_health(staff, now=now),
    }
