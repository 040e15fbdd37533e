"""A contact's archive of their messages and money statement: a page saying what it holds,
and a download in each format, written as it is sent."""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
    if format not in archive.FORMATS:
        raise Http404("We make archives as JSON, PDF or mbox.")
    return archive.download(archive.of_contact(request.contact), format)
