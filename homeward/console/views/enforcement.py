"""A facility's enforcement policy, for its facility admins and the admins of its agency.

A facility outside the staff member's facilities is a 404; staff of the facility without an
admin role (reviewers, investigators) get a 403 page. Like prices, versions are never
edited: a change is a new version in force from now (``enforcement.policies.add``, which
checks the values and audits it), and the versions are the history.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from homeward.console.access import for_facility_admins, other_administered
from homeward.console.enforcement_forms import EnforcementPolicyForm
from homeward.console.requests import StaffRequest
from homeward.core import clock
from homeward.core.errors import NotFound
from homeward.enforcement import policies
from homeward.enforcement.words import PolicyInWords
from homeward.facilities.models import Facility

for_policy_admins = for_facility_admins(
    "The enforcement policy is for facility admins and agency admins."
)


# --- the pages -----------------------------------------------------------------------------


@for_policy_admins
def policy(request: StaffRequest, facility: Facility) -> HttpResponse:
    now = clock.now()
    current = policies.in_force(facility, now)
    versions = [
        PolicyInWords(version, in_force=version.pk == current.pk)
        for version in policies.history(facility)
    ]
    context = {
        "facility": facility,
        "current": PolicyInWords(current, in_force=True),
        "never_changed": current.pk is None,
        "versions": versions,
        "others": other_administered(request.user, facility),
    }
    return render(request, "console/enforcement_policy.html", context)


@for_policy_admins
def policy_edit(request: StaffRequest, facility: Facility) -> HttpResponse:
    if request.method == "POST":
        form = EnforcementPolicyForm(request.POST)
        if form.is_valid():
            try:
                policies.add(staff=request.user, facility=facility, **form.policy_fields())
            except NotFound as error:
                raise Http404(error.message) from None
            except policies.InvalidPolicy as error:
                form.add_policy_errors(error)
            else:
                messages.success(
                    request,
                    "The new policy is in force from now on. Suspensions and revocations "
                    "already imposed are not changed.",
                )
                return redirect("console:enforcement_policy", code=facility.code)
        status = 400  # nothing was saved: say what to fix
    else:
        form = EnforcementPolicyForm.from_policy(policies.in_force(facility))
        status = 200
    context = {"facility": facility, "form": form}
    return render(request, "console/enforcement_policy_edit.html", context, status=status)
