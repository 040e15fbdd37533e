"""Ending a kiosk session that is charged for its time: the resident signs out, and the
session is closed and charged once."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from homeward.core.errors import NotFound
from homeward.kiosk import auth, sessions
from homeward.kiosk.auth import resident_required
from homeward.kiosk.requests import KioskRequest


@require_POST
@resident_required
def end(request: KioskRequest, session_id: int) -> HttpResponse:
    """End one of the resident's own sessions (anyone else's is a 404 and changes nothing).
    The session of this kiosk signs them out; one left open on another kiosk is closed and
    charged up to the last page they opened there."""
    resident = request.resident
    try:
        session = sessions.session_of(resident, session_id)
    except NotFound:
        raise Http404("No such kiosk session.") from None
    if request.session.get(auth.SESSION_KEY) == session.pk:
        auth.end_session(request, sessions.End.SIGNED_OUT)
        messages.info(request, "You are signed out.")
        return redirect(auth.SIGNIN_URL)
    closed, _ = sessions.close(session_id=session.pk, end=sessions.End.ELSEWHERE, actor=resident)
    said = sessions.summary(closed)
    if said:
        messages.info(request, said)
    return redirect("kiosk:inbox")
