"""How often a facility's decisions are appealed, and overturned: per reviewer (whose
decision it was) and per screening rule (that hit the message). A reviewer or a rule whose
blocks are often overturned is worth a look."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from homeward.enforcement.models import Appeal
from homeward.facilities.models import Facility
from homeward.messaging.models import Message
from homeward.review.models import ScreeningResult


@dataclass
class Rate:
    label: str
    decided: int = 0
    overturned: int = 0

    @property
    def percent(self) -> str:
        return f"{100 * self.overturned / self.decided:.0f}%" if self.decided else "—"


@dataclass
class FacilityAppeals:
    facility: Facility
    blocked: int
    appealed: int
    decided: int
    overturned: int
    open: int
    by_reviewer: list[Rate]
    by_rule: list[Rate]

    @property
    def appeal_percent(self) -> str:
        return f"{100 * self.appealed / self.blocked:.0f}%" if self.blocked else "—"

    @property
    def overturn_percent(self) -> str:
        return f"{100 * self.overturned / self.decided:.0f}%" if self.decided else "—"


def for_facility(facility: Facility, since: dt.datetime) -> FacilityAppeals:
    """Blocks since ``since`` and the appeals of them, with overturn rates."""
    blocked = Message.objects.filter(facility=facility, blocked_at__gte=since).count()
    found = list(
        Appeal.objects.filter(facility=facility, message__blocked_at__gte=since).select_related(
            "decided_against"
        )
    )
    decided = [a for a in found if a.status != Appeal.Status.OPEN]
    reviewers: dict[str, Rate] = {}
    for appeal in decided:
        who = appeal.decided_against.username if appeal.decided_against else "screening"
        rate = reviewers.setdefault(who, Rate(who))
        rate.decided += 1
        rate.overturned += appeal.status == Appeal.Status.OVERTURNED
    rules: dict[str, Rate] = defaultdict(lambda: Rate(""))
    of_messages = [a for a in decided if a.message_id is not None]
    hits: dict[int, list[dict[str, object]]] = dict(
        ScreeningResult.objects.filter(
            message_id__in=[a.message_id for a in of_messages]
        ).values_list("message_id", "hits")
    )
    for appeal in of_messages:
        matched = hits.get(appeal.message_id or 0, [])
        for key in sorted({str(hit.get("rule", "")) for hit in matched}):
            rate = rules[key]
            rate.label = key
            rate.decided += 1
            rate.overturned += appeal.status == Appeal.Status.OVERTURNED
    return FacilityAppeals(
        facility=facility,
        blocked=blocked,
        appealed=len(found),
        decided=len(decided),
        overturned=sum(a.status == Appeal.Status.OVERTURNED for a in decided),
        open=len(found) - len(decided),
        by_reviewer=sorted(reviewers.values(), key=lambda r: (-r.decided, r.label)),
        by_rule=sorted(rules.values(), key=lambda r: (-r.decided, r.label)),
    )


def overturned_by_reviewer(facilities: QuerySet[Facility], since: dt.datetime) -> dict[int, Rate]:
    """For each reviewer, the appeals of their blocks decided since ``since`` at these
    facilities, and how many overturned the block."""
    rates: dict[int, Rate] = {}
    decided = Appeal.objects.filter(
        facility__in=facilities,
        decided_at__gte=since,
        decided_against__isnull=False,
        message__isnull=False,
    ).values_list("decided_against_id", "decided_against__username", "status")
    for reviewer_id, username, status in decided:
        rate = rates.setdefault(reviewer_id, Rate(username))
        rate.decided += 1
        rate.overturned += status == Appeal.Status.OVERTURNED
    return rates
