"""Message search: investigators and admins search the messages of their facilities.
Reviewers get a 403 page (they read histories, they do not search); a facility outside the
staff member's is not offered and finds nothing. Every search is audited by the search."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from homeward.console.access import searcher_required
from homeward.console.requests import StaffRequest
from homeward.console.search_forms import MessageSearchForm
from homeward.monitoring import cases, links, snippets
from homeward.monitoring import search as message_search
from homeward.monitoring.access import search_facilities


@searcher_required
def search(request: StaffRequest) -> HttpResponse:
    form = MessageSearchForm(
        request.GET if "q" in request.GET else None,
        facilities=search_facilities(request.user).select_related("agency"),
    )
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        found = message_search.search_messages(
            staff=request.user,
            query=form.cleaned_data["q"],
            filters=form.filters(),
            after=message_search.Cursor.read(request.GET.get("after", "")),
        )
        context |= {
            "results": found,
            "entities": links.named_in(staff=request.user, text=request.GET.get("q", "")),
            "rows": [(m, snippets.snippet(m.body, found.query)) for m in found.messages],
            "next_query": _with_after(request, found.next.token()) if found.next else "",
            "time_zone": form.time_zone().key,
            "cases": cases.cases_for(request.user)[:100],
        }
    return render(request, "console/search.html", context)


def _with_after(request: StaffRequest, token: str) -> str:
    query = request.GET.copy()
    query["after"] = token
    return query.urlencode()
