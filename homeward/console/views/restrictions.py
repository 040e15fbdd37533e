"""Suspending and revoking messaging from a resident's or a contact's page, and changing or
lifting what is in force (facility admins and agency admins). The pages show every staff
member who may read them the person's restrictions and their history; a person outside the
staff member's facilities is a 404, staff without an admin role get a 403 page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from homeward.connections import access as connection_access
from homeward.connections.models import Connection
from homeward.console.access import forbidden, reader_required
from homeward.console.requests import StaffRequest
from homeward.console.restriction_forms import ChangeForm, ImposeForm, start_of
from homeward.core.errors import DomainError, NotFound
from homeward.enforcement import access as enforcement_access
from homeward.enforcement import restrictions
from homeward.facilities.models import Facility
from homeward.messaging import history
from homeward.people import access
from homeward.people.models import Contact, Resident, StaffMembership, User

Subject = Contact | Resident | Connection


def subject_for(staff: User, kind: str, pk: int) -> Subject:
    """The person (or connection) if it is in the staff member's facilities, else 404."""
    try:
        if kind == "resident":
            return history.resident_for_staff(staff=staff, resident_id=pk)
        if kind == "contact":
            return history.contact_for_staff(staff=staff, contact_id=pk)
        return connection_access.connection_for_staff(staff, pk)
    except NotFound:
        raise Http404("Nobody by that name.") from None


def page_of(subject: Subject) -> HttpResponse:
    if isinstance(subject, Resident):
        return redirect("console:resident", resident_id=subject.pk)
    if isinstance(subject, Contact):
        return redirect("console:contact", contact_id=subject.pk)
    return redirect("console:resident", resident_id=subject.resident_id)


def facilities_for(staff: User, subject: Subject) -> list[Facility]:
    """Where this admin may restrict ``subject``: the resident's or connection's facility,
    or the admin's facilities where the contact has a connection."""
    mine = access.staff_facilities(staff, access.ADMIN_ROLES).select_related("agency")
    if isinstance(subject, Resident):
        return list(mine.filter(pk=subject.facility_id))
    if isinstance(subject, Connection):
        return list(mine.filter(pk=subject.facility_id))
    return list(mine.filter(connections__contact=subject).distinct().order_by("name"))


def may_go_agency_wide(staff: User, subject: Subject) -> bool:
    return isinstance(subject, Contact) and StaffMembership.Role.AGENCY_ADMIN in (
        access.staff_roles(staff)
    )


def impose_form(staff: User, subject: Subject, data: object = None) -> ImposeForm | None:
    """The "suspend or revoke" form for this admin, or None when they may not."""
    facilities = facilities_for(staff, subject)
    if not facilities:
        return None
    return ImposeForm(data, facilities=facilities, wide=may_go_agency_wide(staff, subject))


@require_POST
@reader_required
def impose(request: StaffRequest, kind: str, pk: int) -> HttpResponse:
    subject = subject_for(request.user, kind, pk)
    form = impose_form(request.user, subject, request.POST)
    if form is None:
        return forbidden(
            request, "Suspending and revoking are for facility admins and agency admins."
        )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing was changed: {error}")
        return page_of(subject)
    data = form.cleaned_data
    facility = data["facility"]
    try:
        done = restrictions.impose(
            staff=request.user,
            facility=facility,
            subject=subject,
            kind=data["kind"],
            reason=data["reason"],
            ends_at=start_of(data["ends_on"], facility) if data.get("ends_on") else None,
            agency_wide=bool(data.get("agency_wide")),
        )
    except NotFound:
        raise Http404("Nobody by that name.") from None
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {error.message}")
    else:
        messages.success(request, f"{restrictions.describe(done)} They are told.")
    return page_of(subject)


@require_POST
@reader_required
def change(request: StaffRequest, restriction_id: int) -> HttpResponse:
    try:
        found = enforcement_access.restriction_for(request.user, restriction_id)
    except NotFound:
        raise Http404("No such restriction.") from None
    subject: Subject = found.contact or found.resident or found.connection  # type: ignore[assignment]
    if not restrictions.may_restrict(request.user, found.facility):
        return forbidden(
            request, "Suspending and revoking are for facility admins and agency admins."
        )
    form = ChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Nothing was changed: {error}")
        return page_of(subject)
    data = form.cleaned_data
    try:
        if data["action"] == "lift":
            done = restrictions.lift(
                staff=request.user, restriction_id=found.pk, reason=data["reason"]
            )
        else:
            done = restrictions.change_end(
                staff=request.user,
                restriction_id=found.pk,
                ends_at=start_of(data["ends_on"], found.facility),
                reason=data["reason"],
            )
    except NotFound:
        raise Http404("No such restriction.") from None
    except DomainError as error:
        messages.error(request, f"Nothing was changed: {error.message}")
    else:
        messages.success(request, f"{restrictions.describe(done)} They are told.")
    return page_of(subject)
