"""Ending a kiosk session that is charged for its time: the resident signs out, and the
session is closed and charged once."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeward.core import language as languages
from homeward.core.errors import NotFound
from homeward.kiosk import auth, sessions
from homeward.kiosk.auth import resident_required
from homeward.kiosk.requests import KioskRequest
from homeward.people import services as people
from homeward.people.models import Resident


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
        messages.info(request, _("You are signed out."))
        return redirect(auth.SIGNIN_URL)
    closed, _done = sessions.close(
        session_id=session.pk, end=sessions.End.ELSEWHERE, actor=resident
    )
    said = sessions.summary(closed)
    if said:
        messages.info(request, said)
    return redirect("kiosk:inbox")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The kiosk's language switch: for this session, and kept as the signed-in resident's
    choice for the next. A language we do not offer is refused and nothing changes."""
    chosen = request.POST.get("language", "")
    if not languages.offered(chosen):
        return render(request, "kiosk/language_not_offered.html", status=400)
    resident = auth.current_resident(request)
    if isinstance(resident, Resident):
        people.choose_language(resident, chosen)
    request.session[languages.KIOSK_SESSION_KEY] = chosen
    return redirect(languages.way_back(request, "/kiosk/"))
