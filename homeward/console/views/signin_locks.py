"""Sign-in locks that facility and agency admins may release before their time: staff
accounts in their scope, and kiosk resident numbers and devices at their facilities."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from homeward.console.access import admin_required
from homeward.console.requests import StaffRequest
from homeward.core.errors import NotFound
from homeward.people import throttle


@require_GET
@admin_required
def index(request: StaffRequest) -> HttpResponse:
    context = {"locks": throttle.locks_for_admin(request.user)}
    return render(request, "console/signin_locks.html", context)


@require_POST
@admin_required
def release(request: StaffRequest, lock_id: int) -> HttpResponse:
    try:
        lock = throttle.release_lock(admin=request.user, lock_id=lock_id)
    except NotFound:
        raise Http404("No such lock.") from None
    messages.success(request, f"Released: {lock.get_kind_display()} {lock.subject}.")
    return redirect("console:signin_locks")
