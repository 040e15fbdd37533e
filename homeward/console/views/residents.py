"""Search residents and read a resident's or a contact's whole message history; admins
release a resident, and give one a new kiosk PIN, from here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from homeward.connections.models import Connection
from homeward.console.access import forbidden, reader_required
from homeward.console.forms import ArchiveCodeEmailForm, EndConnectionForm, ResidentSearchForm
from homeward.console.requests import StaffRequest
from homeward.console.views.restrictions import impose_form
from homeward.console.views.watches import watch_facilities
from homeward.core import clock, keyset
from homeward.core.errors import DomainError, NotFound
from homeward.core.templatetags.money import dollars
from homeward.enforcement import restrictions
from homeward.ledger import services as ledger
from homeward.ledger.models import Account
from homeward.messaging import archive_codes, history
from homeward.monitoring import cases, links
from homeward.people import access
from homeward.people.models import Contact, Resident, User
from homeward.review import watches as review_watches
from homeward.roster import services as roster

# A person's connections, this many to a page, the last changed first.
CONNECTIONS_PAGE = 50


@reader_required
def search(request: StaffRequest) -> HttpResponse:
    form = ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "query": query,
        "results": history.search_residents(staff=request.user, query=query),
    }
    return render(request, "console/residents.html", context)


@reader_required
def resident(request: StaffRequest, resident_id: int) -> HttpResponse:
    try:
        found = history.resident_for_staff(staff=request.user, resident_id=resident_id)
    except NotFound:
        raise Http404("No such resident.") from None
    reviewing = set(
        access.staff_facilities(request.user, access.REVIEW_ROLES).values_list("id", flat=True)
    )
    connections = history.connections_for_staff(staff=request.user, resident=found)
    page = history.resident_history(staff=request.user, resident=found, **keyset.asked(request.GET))
    context = {
        "resident": found,
        "connections": connections_page(request, connections),
        "graph": links.graph_of(found, connections),
        "privileged": page.privileged,
        "cases": cases.cases_for(request.user)[:100] if request.staff.can_search else [],
        "window": page.window,
        "reviewing": reviewing,
        "end_form": EndConnectionForm(),
        "trust_balance": ledger.balance_of(kind=Account.Kind.TRUST, resident=found),
        # Admins release a resident in custody, and give them a new kiosk PIN.
        "admin_in_custody": found.in_custody and _administers(request.user, found),
        "archive_code": _archive_code_context(request.user, found),
        **restrictions_context(request.user, found),
    }
    return render(request, "console/resident.html", context)


@reader_required
def contact(request: StaffRequest, contact_id: int) -> HttpResponse:
    try:
        found = history.contact_for_staff(staff=request.user, contact_id=contact_id)
    except NotFound:
        raise Http404("No such contact.") from None
    connections = history.contact_connections_for_staff(staff=request.user, contact=found)
    page = history.contact_history(staff=request.user, contact=found, **keyset.asked(request.GET))
    context = {
        "contact": found,
        "connections": connections_page(request, connections),
        "graph": links.graph_of(found, connections),
        "privileged": page.privileged,
        "cases": cases.cases_for(request.user)[:100] if request.staff.can_search else [],
        "window": page.window,
        **restrictions_context(request.user, found),
    }
    return render(request, "console/contact.html", context)


def connections_page(request: StaffRequest, connections: QuerySet[Connection]) -> Page:
    """The page of a person's connections asked for (``?connections=N``; the first for a
    number that is not one, the last past the end): an attorney may have hundreds of
    clients at an agency's facilities. The graph beside them draws the first few."""
    return Paginator(connections, CONNECTIONS_PAGE).get_page(request.GET.get("connections"))


def restrictions_context(staff: User, person: Contact | Resident) -> dict[str, object]:
    """The person's suspensions and revocations, and the forms an admin acts with."""
    found = restrictions.history(person, staff)
    now = clock.now()
    kind = "contact" if isinstance(person, Contact) else "resident"
    return {
        "restrictions": found,
        "in_force": {r.pk for r in found if r.in_force(now)},
        "changeable": {
            r.pk
            for r in found
            if r.in_force(now) or (r.lifted_at is None and r.starts_at > now)
            if restrictions.may_restrict(staff, r.facility)
        },
        "impose_form": impose_form(staff, person),
        "impose_url": reverse(f"console:restrict_{kind}", args=[person.pk]),
        "watches": review_watches.of_person(person, staff),
        "watch_facilities": watch_facilities(staff, person),
        "watch_url": reverse(f"console:watch_{kind}", args=[person.pk]),
        "subject_name": person.display_name if isinstance(person, Contact) else person.full_name,
    }


@require_POST
@reader_required
def release(request: StaffRequest, resident_id: int) -> HttpResponse:
    """Release a resident (facility and agency admins): messaging closes and every account
    of theirs is settled. Other staff of the facility get a 403; anyone else a 404."""
    found = _administered(
        request, resident_id, "Only facility admins and agency admins can release a resident."
    )
    if isinstance(found, HttpResponse):
        return found
    released = _done(request, found, roster.release_resident)
    if isinstance(released, HttpResponse):
        return released
    # Shown on this answer, never stored: the code is the resident's, and shown once.
    return _archive_code_page(request, found, released.archive, release_summary(released))


@require_POST
@reader_required
def new_archive_code(request: StaffRequest, resident_id: int) -> HttpResponse:
    """Give a released resident a new archive code (facility and agency admins), optionally
    emailed to an address they give; the old code stops working. Other staff of the
    facility get a 403; anyone else a 404."""
    found = _administered(
        request, resident_id, "Only facility admins and agency admins give archive codes."
    )
    if isinstance(found, HttpResponse):
        return found
    form = ArchiveCodeEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("email", [])))
        return redirect("console:resident", resident_id=found.pk)
    email = form.cleaned_data["email"]
    issued = _done(
        request,
        found,
        lambda staff, resident_id: archive_codes.issue(resident=found, staff=staff, email=email),
    )
    if isinstance(issued, HttpResponse):
        return issued
    return _archive_code_page(request, found, issued, "A new archive code replaces the old one.")


@require_POST
@reader_required
def new_pin(request: StaffRequest, resident_id: int) -> HttpResponse:
    """Give a resident in custody a new kiosk PIN (facility and agency admins), shown once
    on the answer; the old one stops working. Other staff of the facility get a 403; anyone
    else a 404."""
    found = _administered(request, resident_id, "Only facility admins and agency admins give PINs.")
    if isinstance(found, HttpResponse):
        return found
    pin = _done(request, found, roster.new_pin)
    if isinstance(pin, HttpResponse):
        return pin
    # Shown on this answer only, never stored: the PIN is the resident's.
    response = render(request, "console/resident_pin.html", {"resident": found, "pin": pin})
    response["Cache-Control"] = "no-store"
    return response


Done = TypeVar("Done")


def _done(
    request: StaffRequest, resident: Resident, act: Callable[..., Done]
) -> Done | HttpResponse:
    """What an admin's action on ``resident`` (``act(staff=, resident_id=)``) gives, or
    the answer to its refusal: a 404 where the resident is out of reach by now, else the
    reason, on the resident's page."""
    try:
        return act(staff=request.user, resident_id=resident.pk)
    except NotFound:
        raise Http404("No such resident.") from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console:resident", resident_id=resident.pk)


def _administered(request: StaffRequest, resident_id: int, refusal: str) -> Resident | HttpResponse:
    """The resident, if the staff member administers their facility; a 403 with ``refusal``
    for other staff of the facility; a 404 for anyone else."""
    try:
        found = history.resident_for_staff(staff=request.user, resident_id=resident_id)
    except NotFound:
        raise Http404("No such resident.") from None
    if not _administers(request.user, found):
        return forbidden(request, refusal)
    return found


def _archive_code_page(
    request: StaffRequest, resident: Resident, issued: archive_codes.Issued, summary: str
) -> HttpResponse:
    context = {
        "resident": resident,
        "summary": summary,
        "code": archive_codes.shown(issued.code),
        "issued": issued,
        "link": request.build_absolute_uri(reverse("web:released")),
    }
    response = render(request, "console/archive_code.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _archive_code_context(staff: User, resident: Resident) -> dict[str, object] | None:
    """For admins, on a released resident's page: the code in force, and a new one."""
    if resident.in_custody or not _administers(staff, resident):
        return None
    return {"live": archive_codes.live_code_of(resident), "form": ArchiveCodeEmailForm()}


def _administers(staff: User, resident: Resident) -> bool:
    roles = (access.Role.FACILITY_ADMIN, access.Role.AGENCY_ADMIN)
    return access.staff_facilities(staff, roles).filter(pk=resident.facility_id).exists()


def release_summary(done: roster.Release) -> str:
    """What the release did, in one paragraph."""
    resident, returned = done.resident, done.messages_returned
    parts = [f"{resident.full_name} is released; messaging is closed."]
    parts.append(
        f"{returned} message{pluralize(returned)} on the way {'was' if returned == 1 else 'were'}"
        " returned and refunded."
        if returned
        else "No messages were on the way."
    )
    parts.append(
        f"The trust account ({dollars(done.trust_paid_out)}) is paid out to {resident.first_name}."
        if done.trust_paid_out
        else "The trust account was empty."
    )
    if done.refunded_to_cards:
        people = done.contacts_refunded
        parts.append(
            f"{dollars(done.refunded_to_cards)} in the wallets of {people} contact"
            f"{pluralize(people)} with no one else to write to here is on its way back to their"
            " cards, with no fee."
        )
    return " ".join(parts)
