"""Entities and links for investigators and admins: one phone number, email, payment handle
or address with every conversation (of their facilities) that mentions it, and the
entities and contacts that link several residents. Reviewers get a 403 page; an entity
no message of the staff member's facilities mentions is a 404."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from homeward.console.access import searcher_required
from homeward.console.requests import StaffRequest
from homeward.core.errors import NotFound
from homeward.core.ids import whole_number
from homeward.monitoring import links


@searcher_required
def entity(request: StaffRequest, entity_id: int) -> HttpResponse:
    try:
        found = links.entity_for(staff=request.user, entity_id=entity_id)
    except NotFound:
        raise Http404("No such entity.") from None
    before = request.GET.get("before", "")
    mentions = links.mentions(
        staff=request.user,
        entity=found,
        before_id=whole_number(before),
    )
    more = len(mentions) > links.PAGE_SIZE
    mentions = mentions[: links.PAGE_SIZE]
    context = {
        "entity": found,
        "conversations": links.conversations(staff=request.user, entity=found),
        "mentions": mentions,
        "next_before": mentions[-1].pk if more and mentions else None,
    }
    return render(request, "console/entity.html", context)


@searcher_required
def overview(request: StaffRequest) -> HttpResponse:
    context = {
        "shared": links.shared_entities(staff=request.user),
        "contacts": links.contacts_of_several(staff=request.user),
        "limit": links.LIST_LIMIT,
    }
    return render(request, "console/links.html", context)
