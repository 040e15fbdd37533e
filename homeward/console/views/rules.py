"""Screening rules for facility and agency admins: list what is in force, add, edit, switch
on and off, and switch off inherited rules for one facility (or a whole agency).

Every page is for admins of the facility in the URL; another facility is a 404, and staff
without an admin role get a 403 from ``admin_required``. The rule services check again.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from homeward.console.access import admin_required, forbidden
from homeward.console.hit_labels import DETECTOR_LABELS
from homeward.console.requests import StaffRequest
from homeward.console.rule_forms import RuleForm
from homeward.core.errors import DomainError, NotFound, PermissionDenied
from homeward.core.views import show_error
from homeward.facilities.models import Facility
from homeward.people.models import User
from homeward.screening import categories, selectors
from homeward.screening import rules as services
from homeward.screening.models import Rule, Scope


def facility_for_admin(request: StaffRequest, code: str) -> Facility:
    """A facility the signed-in admin administers; any other code is "not found"."""
    facility = (
        services.admin_facilities(request.user)
        .select_related("agency", "policy")
        .filter(code=code)
        .first()
    )
    if facility is None:
        raise Http404("No such facility.")
    return facility


def rule_here(facility: Facility, rule_id: int) -> Rule:
    rule = selectors.rule_at(facility, rule_id)
    if rule is None:
        raise Http404("No such rule.")
    return rule


@dataclass(frozen=True)
class Powers:
    """Which scopes the signed-in admin may change, seen from one facility."""

    agency: bool
    baseline: bool

    @classmethod
    def of(cls, user: User, facility: Facility) -> Powers:
        return cls(
            agency=services.is_agency_admin(user, facility.agency_id),
            baseline=bool(user.is_superuser),
        )

    def owns(self, rule: Rule) -> bool:
        if rule.scope == Scope.FACILITY:
            return True  # rule_at() only returns this facility's own rules
        return self.agency if rule.scope == Scope.AGENCY else self.baseline


DETECTOR_CHOICES = [("flag", "Flag for review"), ("block", "Block"), ("off", "Off")]


def detectors_of(facility: Facility) -> list[dict[str, str]]:
    """Each detector this build has, its category and its action at the facility."""
    from homeward.screening.detectors import DEFAULT_ACTION, DETECTORS

    chosen = facility.policy.detector_actions or {}
    return [
        {
            "name": name,
            "label": DETECTOR_LABELS.get(name, name.replace("_", " ").capitalize()),
            "category": category,
            "action": chosen.get(name, DEFAULT_ACTION),
        }
        for name, category in DETECTORS.items()
    ]


@admin_required
def index(request: StaffRequest) -> HttpResponse:
    facilities = services.admin_facilities(request.user).select_related("agency").order_by("name")
    return render(request, "console/rules/index.html", {"facilities": facilities})


@admin_required
def facility_rules(request: StaffRequest, code: str) -> HttpResponse:
    facility = facility_for_admin(request, code)
    powers = Powers.of(request.user, facility)
    category = request.GET.get("category", "")
    category = category if category in categories.CODES else ""
    query = request.GET.get("q", "").strip()[:100]
    after = request.GET.get("after", "")
    page = selectors.rule_page(facility, category=category, query=query, after=after)
    kept = {name: value for name, value in (("q", query), ("category", category)) if value}
    context = {
        "facility": facility,
        "rows": [(row, powers.owns(row.rule)) for row in page.rows],
        "next_url": f"?{urlencode({**kept, 'after': page.next})}" if page.next else "",
        "first_url": f"?{urlencode(kept)}" if after else "",
        "powers": powers,
        "categories": categories.CHOICES,
        "category": category,
        "query": query,
        "in_force": selectors.count_in_force(facility),
        "library": selectors.library_in_force(),
        "detectors": detectors_of(facility),
        "detector_choices": DETECTOR_CHOICES,
    }
    return render(request, "console/rules/list.html", context)


def _rule_form(
    request: StaffRequest, facility: Facility, powers: Powers, **kwargs: object
) -> RuleForm:
    agency_name = facility.agency.name if powers.agency else ""
    return RuleForm(request.POST or None, agency_name=agency_name, **kwargs)


@admin_required
def add(request: StaffRequest, code: str) -> HttpResponse:
    facility = facility_for_admin(request, code)
    powers = Powers.of(request.user, facility)
    form = _rule_form(request, facility, powers)
    if request.method == "POST" and form.is_valid():
        agency_wide = form.cleaned_data["scope"] == Scope.AGENCY
        try:
            rule = services.create_rule(
                actor=request.user,
                facility=None if agency_wide else facility,
                agency=facility.agency if agency_wide else None,
                **form.rule_fields(),
            )
        except (NotFound, PermissionDenied) as error:
            return _refused(request, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"Rule #{rule.pk} is added and in force from now on.")
            return redirect("console:rules_facility", code=facility.code)
    context = {"facility": facility, "form": form, "rule": None}
    return render(request, "console/rules/form.html", context)


@admin_required
def edit(request: StaffRequest, code: str, rule_id: int) -> HttpResponse:
    facility = facility_for_admin(request, code)
    rule = rule_here(facility, rule_id)
    powers = Powers.of(request.user, facility)
    if not powers.owns(rule):
        return forbidden(request, "This rule is inherited; you can switch it off here instead.")
    initial = {name: getattr(rule, name) for name in services.EDITABLE}
    form = RuleForm(request.POST or None, initial={**initial, "scope": rule.scope})
    scope = form.fields["scope"]
    assert isinstance(scope, forms.ChoiceField)
    scope.choices = [(rule.scope, rule.owner_label)]
    scope.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rule(actor=request.user, rule_id=rule.pk, **form.rule_fields())
        except (NotFound, PermissionDenied) as error:
            return _refused(request, error)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"Rule #{rule.pk} is saved.")
            return redirect("console:rules_facility", code=facility.code)
    context = {"facility": facility, "form": form, "rule": rule}
    return render(request, "console/rules/form.html", context)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    if isinstance(error, NotFound):
        raise Http404(error.message)
    return forbidden(request, error.message)


@require_POST
@admin_required
def set_active(request: StaffRequest, code: str, rule_id: int) -> HttpResponse:
    """Switch one of the admin's own rules on or off."""
    facility = facility_for_admin(request, code)
    rule = rule_here(facility, rule_id)
    active = request.POST.get("active") == "on"
    try:
        services.set_rule_active(actor=request.user, rule_id=rule.pk, active=active)
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        show_error(request, error)
    else:
        state = "on: it is in force again" if active else "off: screening ignores it"
        messages.success(request, f"Rule #{rule.pk} is switched {state}.")
    return redirect("console:rules_facility", code=facility.code)


@require_POST
@admin_required
def switch_inherited(request: StaffRequest, code: str, rule_id: int) -> HttpResponse:
    """Switch an inherited rule off (or back on) for this facility, or for the agency."""
    facility = facility_for_admin(request, code)
    rule = rule_here(facility, rule_id)
    agency_wide = request.POST.get("for") == "agency"
    off = request.POST.get("state") != "on"
    where = {"agency": facility.agency} if agency_wide else {"facility": facility}
    change = services.disable_inherited if off else services.enable_inherited
    try:
        change(actor=request.user, rule_id=rule.pk, **where)
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        show_error(request, error)
    else:
        place = f"every facility of {facility.agency.name}" if agency_wide else facility.name
        state = "switched off" if off else "back in force"
        messages.success(request, f"Rule #{rule.pk} is {state} for {place}.")
    return redirect("console:rules_facility", code=facility.code)


@require_POST
@admin_required
def detectors(request: StaffRequest, code: str) -> HttpResponse:
    """Set what each detector (phone numbers, payment handles…) does at this facility."""
    facility = facility_for_admin(request, code)
    known = [row["name"] for row in detectors_of(facility)]
    actions = {name: request.POST[name] for name in known if name in request.POST}
    try:
        services.set_detector_actions(
            actor=request.user, facility=facility, actions=actions, known=known
        )
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        show_error(request, error)
    else:
        messages.success(request, "The detector settings are saved and apply from now on.")
    return redirect("console:rules_facility", code=facility.code)


@require_POST
@admin_required
def second_opinion(request: StaffRequest, code: str) -> HttpResponse:
    """Whether the classifier may clear, at this facility, what only the word layers found."""
    facility = facility_for_admin(request, code)
    choice = request.POST.get("clears")
    if choice not in ("on", "off"):
        messages.error(request, "Choose whether the second opinion may clear messages: on or off.")
        return redirect("console:rules_facility", code=facility.code)
    try:
        services.set_second_opinion(actor=request.user, facility=facility, clears=choice == "on")
    except PermissionDenied as error:
        return _refused(request, error)
    messages.success(request, "The second opinion's setting is saved and applies from now on.")
    return redirect("console:rules_facility", code=facility.code)
