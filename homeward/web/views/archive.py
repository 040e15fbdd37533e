"""A contact's archive of their messages and money statement: a page saying what it holds,
and a download in each format, written as it is sent."""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from homeward.core import clock
from homeward.messaging import archive
from homeward.web.access import contact_required
from homeward.web.requests import ContactRequest


@require_GET
@contact_required
def archive_page(request: ContactRequest) -> HttpResponse:
    context = {
        "message_count": archive.count_of(archive.of_contact(request.contact)),
        "formats": archive.FORMATS.values(),
    }
    return render(request, "web/archive.html", context)


@require_GET
@contact_required
def download(request: ContactRequest, format: str) -> StreamingHttpResponse:
    owner = archive.of_contact(request.contact)
    chosen = archive.FORMATS.get(format)
    if chosen is None:
        raise Http404("We make archives as JSON, PDF or mbox.")
    response = StreamingHttpResponse(
        archive.write(owner, chosen.name), content_type=chosen.content_type
    )
    name = archive.filename(owner, chosen.name, clock.now())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
