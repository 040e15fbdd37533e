"""The public facility directory, finding a resident, and asking to connect."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from homeward.connections import access as connection_access
from homeward.connections import services as connections
from homeward.connections.words import after_request_words, ask_hint, connection_words
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound
from homeward.core.views import show_error
from homeward.enforcement import policies
from homeward.enforcement.words import public_facts
from homeward.facilities import selectors as facilities
from homeward.facilities.connection_policies import rule_of
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.facilities.words import policy_facts
from homeward.ledger import pricing
from homeward.people.models import Contact, Resident
from homeward.people.words import short_name
from homeward.web.access import contact_of, contact_required
from homeward.web.forms import DirectoryForm, FindResidentForm
from homeward.web.requests import ContactRequest

C = connections.C
Policy = FacilityPolicy.ConnectionPolicy
PAGE_SIZE = 25
# Statuses from which a contact may (again) ask to connect.
MAY_ASK = connections.MAY_ASK_AGAIN


def _facility(code: str) -> Facility:
    try:
        return facilities.facility_by_code(code)
    except NotFound as error:
        raise Http404(error.message) from None


@require_GET
def facility_list(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET or None, states=facilities.states_with_facilities())
    state, query = "", ""
    if form.is_valid():
        state, query = form.cleaned_data["state"], form.cleaned_data["q"]
    results = facilities.search_facilities(state=state, query=query)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    searched = bool(state or query)
    context = {"form": form, "page": page, "searched": searched, "state": state, "q": query}
    return render(request, "web/facility_list.html", context)


def _price_context(facility: Facility) -> dict:
    now = clock.now()
    try:
        current = pricing.schedule_in_force(facility.pk, now)
    except DomainError:
        current = None
    announced = pricing.next_schedule(facility.pk, now)
    return {
        "price_facts": pricing.price_facts(current) if current else [],
        "announced": announced,
        "announced_facts": pricing.price_facts(announced) if announced else [],
    }


@require_GET
def facility_detail(request: HttpRequest, code: str) -> HttpResponse:
    facility = _facility(code)
    context = {
        "facility": facility,
        "policy": facility.policy,
        "facts": policy_facts(facility) + public_facts(policies.in_force(facility)),
        "find_form": FindResidentForm(),
        **_price_context(facility),
    }
    return render(request, "web/facility_detail.html", context)


def _connect_choice(facility: Facility, contact: Contact | None, resident: Resident) -> dict:
    """What the find page offers: an existing connection, a button, or an explanation."""
    if contact is None:
        return {}
    existing = connection_access.connection_between(contact, resident)
    invites_only = not rule_of(facility.policy).contacts_ask
    ask_again_from = connections.asking_again_from(existing)
    can_ask = (
        (existing is None or existing.status in MAY_ASK)
        and not invites_only
        and ask_again_from is None
    )
    return {
        "existing": existing,
        "can_ask": can_ask,
        "invites_only": invites_only,
        "ask_again_from": ask_again_from,
    }


@require_GET
def find_resident(request: HttpRequest, code: str) -> HttpResponse:
    facility = _facility(code)
    form = FindResidentForm(request.GET or None)
    context: dict = {"facility": facility, "form": form, "resident": None, "not_found": ""}
    if form.is_valid():
        number = form.cleaned_data["number"].strip()
        try:
            resident = connections.find_resident(facility=facility, number=number)
        except NotFound as error:
            context["not_found"] = error.message
        else:
            contact = contact_of(request)
            context.update(
                resident=resident,
                short_name=short_name(resident),
                ask_hint=ask_hint(facility, resident),
                contact=contact,
                **_connect_choice(facility, contact, resident),
            )
            if context.get("existing"):
                context["existing_words"] = connection_words(context["existing"])
    return render(request, "web/find_resident.html", context)


@require_POST
@contact_required
def connect(request: ContactRequest, code: str) -> HttpResponse:
    contact = request.contact
    facility = _facility(code)
    number = request.POST.get("number", "").strip()
    try:
        connection = connections.request_connection(
            contact=contact, facility=facility, number=number
        ).connection
    except DomainError as error:
        if isinstance(error, NotFound):
            messages.error(request, error.message)  # a mistyped number is not a broken page
        else:
            show_error(request, error)
        find_url = reverse("web:find_resident", args=[facility.code])
        return redirect(f"{find_url}?{urlencode({'number': number})}")
    messages.success(request, after_request_words(connection))
    return redirect("web:connections")
