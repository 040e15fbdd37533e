"""Who may open a console page: signed-in staff, with the right role, not idle too long.

Anonymous visitors are sent to the staff sign-in page. A signed-in person with no staff
membership (a contact) is refused with a 403 page and nothing happens. A staff member
whose role does not cover the page also gets a 403; a resource outside their facilities is
a 404, decided later by the scoped lookups.

Before any console page, a staff member also proves a second factor in this session
(enrolling an authenticator app first if they have none) and accepts the current staff
monitoring notice. After 30 minutes idle the session ends, so both the password and the
second factor are asked again. A new app is set up only within 10 minutes of typing the
password in this session: a session that holds only an old password (stolen, or left
open) cannot attach its own app after an admin reset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from homeward.console import notice
from homeward.console.requests import SigningInRequest, StaffContext, StaffRequest
from homeward.core import clock
from homeward.core.errors import NotFound
from homeward.facilities.models import Agency, Facility
from homeward.monitoring import access as monitoring_access
from homeward.people import access, second_factor
from homeward.people.models import StaffMembership, User

Role = StaffMembership.Role

# Staff are signed out after this long without a request (re-authentication after idle).
IDLE_SECONDS = 30 * 60
# Refresh the "last seen" mark at most this often, so a busy reviewer does not cause a
# session write on every page.
TOUCH_SECONDS = 60
SEEN_KEY = "console_seen"
# When this session's password was typed. Enrolling an app must follow it closely, so that
# only the person who knows the password now, not whoever holds an old session, sets up
# the second factor.
PASSWORD_AT_KEY = "password_at"
ENROL_WITHIN_SECONDS = 10 * 60

P = ParamSpec("P")
# A page as Django calls it, and the same page as written: taking the typed request.
View = Callable[Concatenate[HttpRequest, P], HttpResponse]
StaffView = Callable[Concatenate[StaffRequest, P], HttpResponse]
SigningInView = Callable[Concatenate[SigningInRequest, P], HttpResponse]


def start_session(request: HttpRequest) -> None:
    """Called right after the password is accepted: idle expiry for this session, the first
    "last seen" mark, and when the password was typed."""
    now = clock.now().isoformat()
    request.session.set_expiry(IDLE_SECONDS)
    request.session[SEEN_KEY] = now
    request.session[PASSWORD_AT_KEY] = now


def password_typed_recently(request: HttpRequest) -> bool:
    """Whether this session's password was typed within ENROL_WITHIN_SECONDS (a session
    that never recorded it, such as one started elsewhere, counts as long ago)."""
    typed = request.session.get(PASSWORD_AT_KEY)
    if not typed:
        return False
    elapsed = (clock.now() - dt.datetime.fromisoformat(typed)).total_seconds()
    return elapsed <= ENROL_WITHIN_SECONDS


def sign_in_again(request: HttpRequest, message: str, next_url: str) -> HttpResponse:
    """End this session and send the person to the sign-in page, then on to ``next_url``."""
    logout(request)  # password and second factor are asked again
    messages.info(request, message)
    return redirect_to_login(next_url, reverse("console:signin"))


def _idle_too_long(request: HttpRequest, now: dt.datetime) -> bool:
    seen = request.session.get(SEEN_KEY)
    if not seen:
        return False
    return (now - dt.datetime.fromisoformat(seen)).total_seconds() > IDLE_SECONDS


def _touch(request: HttpRequest, now: dt.datetime) -> None:
    seen = request.session.get(SEEN_KEY)
    if seen and (now - dt.datetime.fromisoformat(seen)).total_seconds() < TOUCH_SECONDS:
        return
    request.session.set_expiry(IDLE_SECONDS)
    request.session[SEEN_KEY] = now.isoformat()


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "console/forbidden.html", {"reason": reason}, status=403)


def _to_signin(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path(), reverse("console:signin"))


def safe_next(request: HttpRequest) -> str:
    """Where to go after a sign-in step: a console page, or the kiosk device page (the one
    staff page outside the console); anything else is the console's overview."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if safe and (target.startswith("/console/") or target == reverse("kiosk:device")):
        return target
    return reverse("console:dashboard")


def _step(name: str, next_url: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


def second_factor_gate(request: SigningInRequest) -> HttpResponse | None:
    """For a signed-in staff member: the redirect to the sign-in step still missing in this
    session (enrol an app, type a code, accept the notice), or None when all are done."""
    user = request.user
    # After the steps the browser comes back here with a GET, so a form's target is no use.
    here = request.get_full_path() if request.method == "GET" else reverse("console:dashboard")
    if not second_factor.verified_in_session(user):
        if second_factor.has_app(user):
            return _step("console:verify", here)
        return _step("console:enrol", here)
    if notice.accepted(user) is None:
        return _step("console:notice", here)
    return None


def signed_in(request: HttpRequest) -> SigningInRequest | None:
    """``request`` typed as a signed-in user's (still to be checked for staff roles), or
    None when nobody is signed in."""
    if not isinstance(request.user, User):
        return None
    # The user was just checked: the request is the same object, now typed as it is.
    return cast(SigningInRequest, request)


def _signed_in_staff(
    request: HttpRequest,
) -> HttpResponse | tuple[SigningInRequest, frozenset[str]]:
    """The request of a signed-in, recently active staff member with their staff roles, or
    the response that turns anyone else away (sign-in, 403, or sign-in again after idle)."""
    signed = signed_in(request)
    if signed is None:
        return _to_signin(request)
    held = access.staff_roles(signed.user)
    if not held:
        return forbidden(request, "These pages are for facility staff only.")
    now = clock.now()
    if _idle_too_long(request, now):
        return sign_in_again(
            request,
            "You were signed out after 30 minutes without activity. Sign in again to continue.",
            request.get_full_path(),
        )
    _touch(request, now)
    return signed, held


def signin_step(view: SigningInView[P]) -> View[P]:
    """For the sign-in steps themselves (enrol, verify, notice): signed-in staff, not idle,
    second factor not yet required."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        checked = _signed_in_staff(request)
        if isinstance(checked, HttpResponse):
            return checked
        signed, _held = checked
        return view(signed, *args, **kwargs)

    return wrapped


class StaffRequired:
    """A decorator: let the view run only for a signed-in staff member who holds one of
    ``roles`` (any role when None) and has passed every sign-in step in this session; the
    view receives a ``StaffRequest``."""

    def __init__(self, roles: Iterable[str] | None = None) -> None:
        self.needed = frozenset(roles) if roles is not None else None

    def __call__(self, view: StaffView[P]) -> View[P]:
        needed = self.needed

        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            checked = _signed_in_staff(request)
            if isinstance(checked, HttpResponse):
                return checked
            signed, held = checked
            step = second_factor_gate(signed)
            if step is not None:
                return step
            if needed is not None and not (held & needed):
                return forbidden(request, "Your staff role does not include this page.")
            # The checks above are what a StaffRequest promises; the object stays the same.
            staff_request = cast(StaffRequest, signed)
            staff_request.staff = StaffContext(roles=held)
            return view(staff_request, *args, **kwargs)

        return wrapped


def staff_required(roles: Iterable[str] | None = None) -> StaffRequired:
    return StaffRequired(roles)


reviewer_required = staff_required(access.REVIEW_ROLES)
reader_required = staff_required(access.READ_ROLES)
admin_required = staff_required(access.ADMIN_ROLES)
searcher_required = staff_required(access.SEARCH_ROLES)
auditor_required = staff_required(access.AUDIT_ROLES)
any_staff_required = staff_required()


FacilityView = Callable[[StaffRequest, Facility], HttpResponse]


def for_facility_admins(refusal: str) -> Callable[[FacilityView], Callable[..., HttpResponse]]:
    """A page of one facility (``code`` in its address) for its admins: facility admins of
    it and agency admins of its agency. A facility outside the staff member's facilities is
    a 404; staff of the facility without an admin role get a 403 page saying ``refusal``."""

    def decorate(view: FacilityView) -> Callable[..., HttpResponse]:
        @any_staff_required
        @wraps(view)
        def wrapped(request: StaffRequest, code: str) -> HttpResponse:
            mine = access.staff_facilities(request.user).select_related("agency")
            facility = mine.filter(code=code).first()
            if facility is None:
                raise Http404("No such facility.")
            if not administered(request.user).filter(pk=facility.pk).exists():
                return forbidden(request, refusal)
            return view(request, facility)

        return wrapped

    return decorate


def administered_agency(staff: User, agency_id: int) -> Agency:
    """An agency ``staff`` administers (its retention, holds and attorneys); else a 404."""
    try:
        return monitoring_access.agency_for(staff, agency_id)
    except NotFound:
        raise Http404("No such agency.") from None


def administered(staff: User) -> QuerySet[Facility]:
    """The facilities this staff member administers."""
    return access.staff_facilities(staff, access.ADMIN_ROLES)


def other_administered(staff: User, facility: Facility) -> QuerySet[Facility]:
    """The admin's other facilities, for a page's "switch facility" links."""
    return administered(staff).exclude(pk=facility.pk).order_by("name")
