from __future__ import annotations

from django.db.models import Q

from homeward.facilities.models import Facility
from homeward.screening.engine import RuleSpec
from homeward.screening.models import Rule


def rules_in_force(facility: Facility | None) -> list[RuleSpec]:
    """Baseline rules, then the agency's, then the facility's."""
    scope = Q(agency__isnull=True, facility__isnull=True)
    if facility is not None:
        scope |= Q(agency_id=facility.agency_id) | Q(facility=facility)
    rules = Rule.objects.filter(scope, is_active=True).order_by("id")
    return [RuleSpec(r.pk, r.phrase, r.category, r.action) for r in rules]
