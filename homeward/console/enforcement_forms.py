"""The form for a facility's enforcement policy. It only reads what the admin chose (whole
numbers, categories, two choices); ``enforcement.policies.add`` judges the values, so every
range and the "not both" rule live in one place and its messages appear next to the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from homeward.enforcement import policies
from homeward.enforcement.models import EnforcementPolicy
from homeward.screening import categories


def _number(label: str, *, low: int, high: int, help_text: str) -> forms.IntegerField:
    """A whole number. The range is shown (and checked again by the service, which says
    what to fix), not enforced by the browser: the form is ``novalidate``."""
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "min": low, "max": high}),
    )


def _categories(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=categories.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class EnforcementPolicyForm(forms.Form):
    violations_to_suspend = _number(
        "Violations that suspend messaging",
        low=0,
        high=policies.MAX_COUNT,
        help_text=f"How many violations within the window below suspend the person who sent "
        f"them. 0: violations never add up to a suspension. From 0 to {policies.MAX_COUNT}.",
    )
    violation_window_days = _number(
        "Window for counting violations (days)",
        low=1,
        high=policies.MAX_DAYS,
        help_text=f"From 1 to {policies.MAX_DAYS:,}.",
    )
    suspension_days = _number(
        "Length of a suspension (days)",
        low=1,
        high=policies.MAX_DAYS,
        help_text=f"From 1 to {policies.MAX_DAYS:,}.",
    )
    suspensions_to_revoke = _number(
        "Which suspension is a revocation instead",
        low=0,
        high=policies.MAX_COUNT,
        help_text="2: a second suspension within the window below revokes messaging instead "
        "(no end date). 1: every suspension is a revocation. 0: never. "
        f"From 0 to {policies.MAX_COUNT}.",
    )
    suspension_window_days = _number(
        "Window for counting suspensions (days)",
        low=1,
        high=policies.MAX_DAYS,
        help_text=f"From 1 to {policies.MAX_DAYS:,}.",
    )
    suspend_at_once = _categories(
        "Categories that suspend at once",
        "One violation in any of these suspends messaging, whatever the count.",
    )
    revoke_at_once = _categories(
        "Categories that revoke at once",
        "One violation in any of these revokes messaging. A category cannot both suspend "
        "and revoke at once.",
    )
    automatic_blocks_count = forms.TypedChoiceField(
        label="Which blocks count as violations",
        choices=[
            ("no", "Only blocks a reviewer confirmed"),
            ("yes", "Also blocks by screening alone"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on_the_way = forms.ChoiceField(
        label="Messages on their way when a suspension starts",
        choices=EnforcementPolicy.OnTheWay.choices,
        widget=forms.RadioSelect,
        help_text="On a revocation they are always returned undelivered, and refunded.",
    )

    @classmethod
    def from_policy(cls, policy: EnforcementPolicy) -> EnforcementPolicyForm:
        """The form filled in with ``policy`` (the version in force, or the defaults)."""
        initial: dict[str, Any] = {name: getattr(policy, name) for name in policies.FIELDS}
        initial["automatic_blocks_count"] = "yes" if policy.automatic_blocks_count else "no"
        return cls(initial=initial)

    def policy_fields(self) -> dict[str, Any]:
        """The cleaned values, as ``policies.add`` takes them."""
        return {name: self.cleaned_data[name] for name in policies.FIELDS}

    def add_policy_errors(self, error: policies.InvalidPolicy) -> None:
        for name, message in error.errors.items():
            self.add_error(name if name in self.fields else None, message)
