"""A facility's enforcement policy, for its facility admins and the admins of its agency.

A facility outside the staff member's facilities is a 404; staff of the facility without an
admin role (reviewers, investigators) get a 403 page. Like prices, versions are never
edited: a change is a new version in force from now (``enforcement.policies.add``, which
checks the values and audits it), and the versions are the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from homeward.console.access import for_facility_admins, other_administered
from homeward.console.enforcement_forms import EnforcementPolicyForm
from homeward.console.requests import StaffRequest
from homeward.core import clock
from homeward.core.errors import NotFound
from homeward.enforcement import policies
from homeward.enforcement.models import EnforcementPolicy
from homeward.facilities.models import Facility
from homeward.screening import categories

for_policy_admins = for_facility_admins(
    "The enforcement policy is for facility admins and agency admins."
)


# --- the policy in plain words -------------------------------------------------------------

_ORDINALS = (
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
    + ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth")
    + ("seventeenth", "eighteenth", "nineteenth", "twentieth")
)


def _a_nth(number: int) -> str:
    """ "a second", "an eighth", "a 21st" (counts go up to policies.MAX_COUNT, 50)."""
    if 1 <= number <= len(_ORDINALS):
        word = _ORDINALS[number - 1]
        return f"an {word}" if word[0] in "aeiou" else f"a {word}"
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{'an' if str(number).startswith('8') else 'a'} {number}{suffix}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count:,} days"


def _labels(codes: list[str]) -> list[str]:
    """Category labels in the categories' own order (unknown codes last, as themselves)."""
    order = {code: index for index, code in enumerate(categories.CODES)}
    ordered = sorted(codes, key=lambda code: (order.get(code, len(order)), code))
    return [categories.label(code) for code in ordered]


@dataclass(frozen=True)
class Version:
    """One version of the policy (or the defaults), as the pages say it."""

    policy: EnforcementPolicy
    in_force: bool = False

    @property
    def suspends(self) -> str:
        p = self.policy
        count = p.violations_to_suspend
        if count == 0:
            return "Violations never add up to a suspension."
        if count == 1:
            return f"Every violation suspends messaging for {_days(p.suspension_days)}."
        return (
            f"{count} violations within {_days(p.violation_window_days)} suspend messaging "
            f"for {_days(p.suspension_days)}."
        )

    @property
    def revokes(self) -> str:
        # The service: when the suspensions started within the window, plus the new one,
        # reach ``suspensions_to_revoke``, the new one is a revocation.
        p = self.policy
        count = p.suspensions_to_revoke
        if count == 0:
            return "A suspension never becomes a revocation."
        if count == 1:
            return "Every suspension is a revocation instead: messaging is revoked, with no end."
        within = _days(p.suspension_window_days)
        return (
            f"{_a_nth(count).capitalize()} suspension within {within} is a revocation instead: "
            "messaging is revoked, with no end."
        )

    @property
    def suspend_at_once(self) -> list[str]:
        return _labels(self.policy.suspend_at_once)

    @property
    def revoke_at_once(self) -> list[str]:
        return _labels(self.policy.revoke_at_once)

    @property
    def blocks_counted(self) -> str:
        if self.policy.automatic_blocks_count:
            return (
                "Blocks by screening alone count as violations, as do blocks a reviewer confirmed."
            )
        return "Only blocks a reviewer confirmed count; a block by screening alone does not."

    @property
    def on_the_way(self) -> str:
        if self.policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD:
            return (
                "Messages on their way when a suspension starts are held, and delivered when it "
                "ends. On a revocation they are returned undelivered, and refunded."
            )
        return (
            "Messages on their way when a suspension or revocation starts are returned "
            "undelivered, and refunded."
        )

    @property
    def on_the_way_short(self) -> str:
        return "Held" if self.policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD else "Returned"

    @property
    def author(self) -> str:
        by = self.policy.created_by
        return by.username if by is not None else ""


# --- the pages -----------------------------------------------------------------------------


@for_policy_admins
def policy(request: StaffRequest, facility: Facility) -> HttpResponse:
    now = clock.now()
    current = policies.in_force(facility, now)
    versions = [
        Version(version, in_force=version.pk == current.pk)
        for version in policies.history(facility)
    ]
    context = {
        "facility": facility,
        "current": Version(current, in_force=True),
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
