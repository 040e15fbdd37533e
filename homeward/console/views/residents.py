"""Search residents and read a resident's or a contact's whole message history."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.console.access import reader_required
from homeward.console.forms import EndConnectionForm, ResidentSearchForm
from homeward.core.errors import NotFound
from homeward.messaging import history
from homeward.people import access


@reader_required
def search(request: HttpRequest) -> HttpResponse:
    form = ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "query": query,
        "results": history.search_residents(staff=request.user, query=query),
    }
    return render(request, "console/residents.html", context)


@reader_required
def resident(request: HttpRequest, resident_id: int) -> HttpResponse:
    try:
        found = history.resident_for_staff(staff=request.user, resident_id=resident_id)
    except NotFound:
        raise Http404("No such resident.") from None
    reviewing = set(
        access.staff_facilities(request.user, access.REVIEW_ROLES).values_list("id", flat=True)
    )
    context = {
        "resident": found,
        "connections": history.connections_for_staff(staff=request.user, resident=found),
        "page": history.resident_history(
            staff=request.user, resident=found, page=request.GET.get("page", 1)
        ),
        "reviewing": reviewing,
        "end_form": EndConnectionForm(),
    }
    return render(request, "console/resident.html", context)


@reader_required
def contact(request: HttpRequest, contact_id: int) -> HttpResponse:
    try:
        found = history.contact_for_staff(staff=request.user, contact_id=contact_id)
    except NotFound:
        raise Http404("No such contact.") from None
    context = {
        "contact": found,
        "connections": history.contact_connections_for_staff(staff=request.user, contact=found),
        "page": history.contact_history(
            staff=request.user, contact=found, page=request.GET.get("page", 1)
        ),
    }
    return render(request, "console/contact.html", context)


def release(*args, **kwargs):  # type: ignore[no-untyped-def]  # placeholder, being written
    from django.http import Http404

    raise Http404()
