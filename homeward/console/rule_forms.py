"""Forms for the rule pages. They check types and give clear messages; the rule services
check everything again (and more: duplicates, regex safety, a compile with the engine)."""

from __future__ import annotations

from typing import Any

from django import forms

from homeward.core.errors import DomainError
from homeward.screening import categories
from homeward.screening.models import MAX_DISTANCE, Action, Kind
from homeward.screening.rules import RuleInput

# Where a service error belongs on the form.
ERROR_FIELDS = {
    "unknown_kind": "kind",
    "unknown_category": "category",
    "unknown_action": "action",
    "severity_out_of_range": "severity",
    "other_required": "other",
    "other_too_short": "other",
    "other_too_long": "other",
    "other_not_used": "other",
    "distance_out_of_range": "distance",
    "distance_not_used": "distance",
}

SEVERITIES = [(1, "1 – low"), (2, "2 – medium"), (3, "3 – high")]


class RuleForm(forms.Form):
    scope = forms.ChoiceField(
        label="Applies to",
        choices=[("facility", "This facility")],
        initial="facility",
    )
    kind = forms.ChoiceField(label="Kind of rule", choices=Kind.choices, initial=Kind.PHRASE)
    pattern = forms.CharField(
        label="Words or pattern to look for",
        max_length=200,
        help_text="A phrase matches whole words, in any case, also when letters are spaced "
        "out, swapped for lookalikes or numbers (e5cape), or repeated. A regular expression "
        "is matched on the text as written, ignoring case.",
    )
    other = forms.CharField(
        label="Second phrase (near and unless rules only)",
        max_length=200,
        required=False,
        help_text="Near: the rule hits when both phrases are within the distance. Unless: "
        "the rule does not hit when this phrase is anywhere in the message.",
    )
    distance = forms.IntegerField(
        label="Distance in words (near rules only)",
        min_value=0,
        max_value=MAX_DISTANCE,
        initial=0,
        required=False,
    )
    category = forms.ChoiceField(label="Category", choices=categories.CHOICES)
    action = forms.ChoiceField(
        label="What happens on a hit",
        choices=Action.choices,
        initial=Action.FLAG,
        help_text="An exception cancels other hits of the same category on the same words, "
        "e.g. “escape room” for escape.",
    )
    severity = forms.TypedChoiceField(label="Severity", choices=SEVERITIES, coerce=int, initial=1)
    note = forms.CharField(
        label="Why this rule exists (optional)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, agency_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agency_name:
            scope = self.fields["scope"]
            assert isinstance(scope, forms.ChoiceField)
            scope.choices = [
                ("facility", "This facility"),
                ("agency", f"Every facility of {agency_name}"),
            ]

    def rule_fields(self) -> RuleInput:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "pattern": data["pattern"],
            "other": data.get("other") or "",
            "distance": data.get("distance") or 0,
            "category": data["category"],
            "action": data["action"],
            "severity": data["severity"],
            "note": data.get("note") or "",
        }

    def add_domain_error(self, error: DomainError) -> None:
        field = ERROR_FIELDS.get(error.code, "pattern" if error.code != "rules_forbidden" else None)
        self.add_error(field, error.message)


class RuleTestForm(forms.Form):
    text = forms.CharField(
        label="Text to test",
        max_length=100_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Paste any message. Nothing is saved or sent; the rules in force here "
        "are applied and every hit is shown.",
    )


class StatsForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period",
        choices=[(30, "Last 30 days"), (90, "Last 90 days"), (365, "Last year")],
        coerce=int,
        initial=90,
        required=False,
    )
