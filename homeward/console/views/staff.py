"""Staff accounts an admin looks after: who they are, and resetting a lost second factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import admin_required
from homeward.console.requests import StaffRequest
from homeward.core.errors import NotFound
from homeward.people import second_factor


@admin_required
def staff_list(request: StaffRequest) -> HttpResponse:
    rows = second_factor.staff_rows(request.user)
    return render(request, "console/staff.html", {"rows": rows})


@require_POST
@admin_required
def reset_factor(request: StaffRequest, user_id: int) -> HttpResponse:
    try:
        target = second_factor.reset(actor=request.user, staff_user_id=user_id)
    except NotFound:
        raise Http404("No such staff member.") from None
    messages.success(
        request,
        f"The second factor of {target.username} is reset. They set up an authenticator "
        "app again at their next sign-in.",
    )
    return redirect("console:staff")
