"""Watch lists from a resident's or a contact's page (reviewers and admins): every message
of the person, or of one connection, goes to a person until the watch expires or is ended.
A person outside the staff member's facilities is a 404; staff who cannot review there get
a 403 page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_POST

from homeward.connections.models import Connection
from homeward.console.access import forbidden, reader_required
from homeward.console.requests import StaffRequest
from homeward.console.restriction_forms import WatchForm, start_of
from homeward.console.views.restrictions import page_of, subject_for
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import Contact, Resident, User
from homeward.review import access as review_access
from homeward.review import watches


@require_POST
@reader_required
def add(request: StaffRequest, kind: str, pk: int) -> HttpResponse:
    subject = subject_for(request.user, kind, pk)
    form = WatchForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing was changed: {error}")
        return page_of(subject)
    choices = watch_facilities(request.user, subject)
    facility = form.cleaned_data["facility"] or (choices[0] if len(choices) == 1 else None)
    if facility is None or facility not in choices:
        return forbidden(request, "Watch lists are for the facility's reviewers and admins.")
    try:
        watches.add(
            staff=request.user,
            facility=facility,
            subject=subject,
            reason=form.cleaned_data["reason"],
            expires_at=start_of(form.cleaned_data["expires_on"], facility),
        )
    except NotFound:
        raise Http404("Nobody by that name.") from None
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {error.message}")
    else:
        messages.success(request, "On the watch list: every message goes to a reviewer.")
    return page_of(subject)


def watch_facilities(staff: User, subject: Contact | Resident | Connection) -> list[Facility]:
    """Where this staff member may watch ``subject``: the facilities they review at where
    the person (or connection) is."""
    mine = access.staff_facilities(staff, access.REVIEW_ROLES)
    if isinstance(subject, (Resident, Connection)):
        return list(mine.filter(pk=subject.facility_id))
    return list(mine.filter(connections__contact=subject).distinct().order_by("name"))


@require_POST
@reader_required
def end(request: StaffRequest, watch_id: int) -> HttpResponse:
    try:
        found = review_access.watch_for(request.user, watch_id)
    except NotFound:
        raise Http404("No such watch.") from None
    if not watches.may_watch(request.user, found.facility):
        return forbidden(request, "Watch lists are for the facility's reviewers and admins.")
    try:
        watches.end(staff=request.user, watch_id=found.pk)
    except NotFound:
        raise Http404("No such watch.") from None
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {error.message}")
    else:
        messages.success(request, "The watch is ended.")
    subject = found.contact or found.resident or found.connection
    assert subject is not None
    return page_of(subject)
