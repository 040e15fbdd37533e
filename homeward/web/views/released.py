"""A released resident's archive, opened with the code their release gave them: the page to
type it, the page of downloads, and the downloads. A code opens a session of its own for
an hour (never past the code's end, and ended when a newer code replaces it)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.messaging import archive, archive_codes
from homeward.people.models import Resident
from homeward.web.forms import ArchiveCodeForm

SESSION_KEY = "released_archive"
OPEN_FOR = dt.timedelta(hours=1)


def _resident(request: HttpRequest) -> Resident | None:
    """The resident whose code this browser typed, while its session lasts."""
    opened = request.session.get(SESSION_KEY)
    if not isinstance(opened, dict):
        return None
    until = dt.datetime.fromisoformat(str(opened.get("until", "1970-01-01T00:00:00+00:00")))
    if until <= clock.now():
        request.session.pop(SESSION_KEY, None)
        return None
    return archive_codes.still_open(int(opened.get("code", 0)))


@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    form = ArchiveCodeForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            code = archive_codes.redeem(
                facility_code=form.cleaned_data["facility"],
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
                address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status, retry_after = error.status, error.retry_after
        else:
            request.session.cycle_key()  # a new session for what the code opens
            until = min(code.expires_at, clock.now() + OPEN_FOR)
            request.session[SESSION_KEY] = {"code": code.pk, "until": until.isoformat()}
            return redirect("web:released_archive")
    elif request.method == "POST":
        status = 400
    response = render(request, "web/released_code.html", {"form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def archive_page(request: HttpRequest) -> HttpResponse:
    resident = _resident(request)
    if resident is None:
        return redirect("web:released")
    owner = archive.of_resident(resident)
    context = {
        "resident": resident,
        "message_count": archive.count_of(owner),
        "formats": archive.FORMATS.values(),
    }
    return render(request, "web/released_archive.html", context)


@require_GET
def download(request: HttpRequest, format: str) -> HttpResponse | StreamingHttpResponse:
    resident = _resident(request)
    if resident is None:
        return redirect("web:released")
    if format not in archive.FORMATS:
        raise Http404("We make archives as JSON, PDF or mbox.")
    return archive.download(archive.of_resident(resident), format)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("web:released")
