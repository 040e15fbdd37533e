"""The language switch at the foot of every contact page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.core import language
from homeward.people import services


@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    """Speak the chosen language from now on: remembered in a cookie, and on the account of
    a signed-in contact (their emails follow it). A language we do not offer is refused and
    nothing is remembered."""
    chosen = request.POST.get("language", "")
    if not language.offered(chosen):
        return render(request, "web/language_not_offered.html", status=400)
    if request.user.is_authenticated and getattr(request.user, "is_contact", False):
        services.choose_language(request.user, chosen)
    response = redirect(language.way_back(request, "/"))
    language.remember(response, chosen)
    return response
