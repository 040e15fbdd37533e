"""Who is at this kiosk: the device (from its cookie) and the resident (from the session).

A resident's session is only good on the registered device it started on, while they are
in custody at that device's facility, and for ten minutes without activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from weakref import WeakKeyDictionary

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeward.core import clock, language
from homeward.kiosk import services, sessions
from homeward.kiosk.models import KioskDevice, KioskSession
from homeward.kiosk.requests import KioskRequest
from homeward.people import services as people
from homeward.people.models import Resident

DEVICE_COOKIE = "homeward_kiosk"
DEVICE_COOKIE_AGE = 5 * 365 * 24 * 3600  # a kiosk stays registered until staff retire it
RESIDENT_KEY = "kiosk_resident_id"
DEVICE_KEY = "kiosk_device_id"
SEEN_KEY = "kiosk_seen_at"
SESSION_KEY = "kiosk_session_id"  # the charged session row, where prices charge for time
IDLE_TIMEOUT = sessions.IDLE_TIMEOUT
SIGNIN_URL = "/kiosk/signin/"


# The device each request came from, looked up once per request.
_devices: WeakKeyDictionary[HttpRequest, KioskDevice | None] = WeakKeyDictionary()


def device_of(request: HttpRequest) -> KioskDevice | None:
    """The registered, active device this request comes from, if any."""
    if request not in _devices:
        raw = request.COOKIES.get(DEVICE_COOKIE, "")
        _devices[request] = services.device_for_token(raw)
    return _devices[request]


def set_device_cookie(response: HttpResponse, raw_token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        raw_token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def start_session(request: HttpRequest, resident: Resident, device: KioskDevice) -> None:
    # A resident still signed in here is signed out first: their session ends now.
    _close_charged_session(request, sessions.End.REPLACED)
    # The language chosen before signing in becomes theirs if they had none yet.
    chosen_here = request.session.get(language.KIOSK_SESSION_KEY)
    if not resident.language and language.offered(chosen_here):
        people.choose_language(resident, chosen_here)
    # Flushing gives a new session key and drops anything else in the session (a contact's
    # or staff member's sign-in), so the kiosk session carries only the resident.
    request.session.flush()
    if resident.language:
        request.session[language.KIOSK_SESSION_KEY] = resident.language
    request.session[RESIDENT_KEY] = resident.pk
    request.session[DEVICE_KEY] = device.pk
    request.session[SEEN_KEY] = clock.now().isoformat()
    request.session.set_expiry(int(IDLE_TIMEOUT.total_seconds()))
    # Where the prices charge for time at the kiosk, the session row starts the clock.
    charged = sessions.open_session(resident=resident, device=device)
    if charged is not None:
        request.session[SESSION_KEY] = charged.pk


def _close_charged_session(request: HttpRequest, end: str) -> KioskSession | None:
    """Close and charge this browser's session row, if it has one."""
    session_id = request.session.get(SESSION_KEY)
    if not session_id:
        return None
    resident_id = request.session.get(RESIDENT_KEY)
    resident = Resident.objects.filter(pk=resident_id).first() if resident_id else None
    actor: Resident | str = resident if resident and end == sessions.End.SIGNED_OUT else "system"
    session, _done = sessions.close(session_id=session_id, end=end, actor=actor)
    return session


def end_session(request: HttpRequest, reason: str = "") -> None:
    resident_id = request.session.get(RESIDENT_KEY)
    resident = Resident.objects.filter(pk=resident_id).first() if resident_id else None
    end = reason if reason in sessions.End.values else sessions.End.SIGNED_OUT
    closed = _close_charged_session(request, end)
    if resident is not None:
        services.sign_out(resident=resident, device=device_of(request), reason=reason)
    request.session.flush()
    # The resident's language left with their session: the sign-in page that follows speaks
    # the kiosk's own again, and so does everything this request still says (what the
    # session cost, why it ended, "You are signed out").
    translation.activate(language.of_request(request))
    said = sessions.summary(closed) if closed is not None else ""
    if said:
        messages.info(request, said)


def _signed_out(request: HttpRequest, reason: str, note: str | Promise) -> HttpResponseRedirect:
    end_session(request, reason)
    if note:
        messages.info(request, str(note))  # in the language end_session chose
    return redirect(SIGNIN_URL)


SESSION_ENDED = _(
    "Your session here has ended (after 10 minutes without activity, or from another "
    "kiosk). Sign in again to go on."
)
RELEASED = _("Messaging has ended for this account.")
MOVED = _("You have moved to another facility; this kiosk cannot be used.")


def _idle(request: HttpRequest) -> bool:
    seen = request.session.get(SEEN_KEY)
    if not seen:
        return True
    return clock.now() - dt.datetime.fromisoformat(seen) > IDLE_TIMEOUT


def current_resident(request: HttpRequest) -> Resident | HttpResponseRedirect:
    """The signed-in resident, or a redirect to the sign-in page (signing them out)."""
    resident_id = request.session.get(RESIDENT_KEY)
    if not resident_id:
        return redirect(SIGNIN_URL)
    device = device_of(request)
    if device is None or request.session.get(DEVICE_KEY) != device.pk:
        return _signed_out(request, "device", "")
    if _idle(request):
        return _signed_out(request, "idle", SESSION_ENDED)
    resident = (
        Resident.objects.select_related("facility", "facility__policy")
        .filter(pk=resident_id)
        .first()
    )
    if resident is None or not resident.in_custody:
        return _signed_out(request, "released", RELEASED)
    if resident.facility_id != device.facility_id:
        return _signed_out(request, "moved", MOVED)
    session_id = request.session.get(SESSION_KEY)
    if session_id and not sessions.touch(session_id):  # closed by the sweep meanwhile
        return _signed_out(request, "idle", SESSION_ENDED)
    # Touching the session on every page keeps the idle clock (and the cookie) fresh.
    request.session[SEEN_KEY] = clock.now().isoformat()
    request.session.set_expiry(int(IDLE_TIMEOUT.total_seconds()))
    return resident


P = ParamSpec("P")


def resident_required(
    view: Callable[Concatenate[KioskRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Call ``view`` with a ``KioskRequest`` (``request.resident`` is the signed-in
    resident); anyone else goes to sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        resident = current_resident(request)
        if isinstance(resident, HttpResponseRedirect):
            return resident
        # The checks above are what a KioskRequest promises; the object stays the same.
        kiosk_request = cast(KioskRequest, request)
        kiosk_request.resident = resident
        return view(kiosk_request, *args, **kwargs)

    return wrapper
