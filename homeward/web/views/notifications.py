"""Emails a contact gets: choosing them, and the unsubscribe link in each."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from homeward.core.errors import NotFound
from homeward.notifications import access as notification_access
from homeward.notifications import services as notifications
from homeward.notifications import tokens
from homeward.notifications.events import EVENTS
from homeward.web.access import contact_required
from homeward.web.requests import ContactRequest


@require_http_methods(["GET", "POST"])
@contact_required
def preferences(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    if request.method == "POST":
        events = notification_access.preferences_of(contact)
        notifications.set_preferences(
            contact=contact,
            choices={event: event in request.POST for event, _label, _on in events},
            digest=request.POST.get("digest") == "daily",
        )
        messages.success(request, _("Your email choices are saved."))
        return redirect("web:notification_preferences")
    context = {
        "events": notification_access.preferences_of(contact),
        "digest": notifications.digest_on(contact),
        "digest_hour": notification_access.digest_hour(),
        "unverified_email": "" if contact.email_verified_at else contact.user.email,
    }
    return render(request, "web/notification_preferences.html", context)


@csrf_exempt  # mail programs post one-click unsubscribes (RFC 8058); the signed link is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners must not unsubscribe anyone); POST turns the event off."""
    found = tokens.read_unsubscribe(token)
    if found is None or not notifications.unsubscribable(found[1]):
        raise Http404()
    everything = found[1] not in EVENTS  # the digest's link
    if request.method == "POST":
        try:
            notifications.unsubscribe(token=token)
        except NotFound:
            raise Http404() from None
    context = {
        "label": "" if everything else EVENTS[found[1]].label,
        "everything": everything,
        "done": request.method == "POST",
    }
    return render(request, "web/unsubscribe.html", context)
