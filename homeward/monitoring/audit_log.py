"""The audit log as an agency admin reads it: the events of their agency, filtered, a page
at a time, or as CSV. Reading it is itself an audit event.

An event is the agency's when it happened at one of its facilities, or when one of its
staff did it (a search names no single facility). Contacts' own account events belong to no
agency; the operator reads those in the Django admin.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q, QuerySet

from homeward.core import audit
from homeward.core.models import AuditEvent
from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import StaffMembership, User

PAGE_SIZE = 50
CSV_LIMIT = 100_000


@dataclass(frozen=True)
class Filters:
    actor: str = ""  # part of the actor's username or label
    action: str = ""  # an action, or its beginning ("message." for every message action)
    object_type: str = ""
    object_id: str = ""
    facility_id: int | None = None
    since: dt.datetime | None = None  # inclusive
    before: dt.datetime | None = None  # exclusive

    def for_audit(self) -> dict[str, Any]:
        return {
            name: value.isoformat() if isinstance(value, dt.datetime) else value
            for name, value in asdict(self).items()
            if value not in (None, "")
        }


def audited_facilities(staff: User) -> QuerySet[Facility]:
    """The facilities of the agencies ``staff`` administers as an agency admin."""
    return access.staff_facilities(staff, access.AUDIT_ROLES)


def events_for(staff: User, filters: Filters) -> QuerySet[AuditEvent]:
    """The events of ``staff``'s agencies that pass ``filters``, newest first."""
    agencies = StaffMembership.objects.filter(user=staff, role__in=access.AUDIT_ROLES).values(
        "agency_id"
    )
    facilities = list(audited_facilities(staff).values_list("id", flat=True))
    colleagues = StaffMembership.objects.filter(agency_id__in=agencies).values("user_id")
    # At the agency's facilities, or by its staff where no facility is named (a staff
    # member of two agencies: what they did at the other's facilities is not ours).
    events = AuditEvent.objects.filter(
        Q(facility_id__in=facilities) | Q(facility_id__isnull=True, actor_user_id__in=colleagues)
    )
    if filters.actor:
        events = events.filter(
            Q(actor_label__icontains=filters.actor)
            | Q(actor_user__username__icontains=filters.actor)
        )
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.facility_id is not None:
        events = events.filter(facility_id=filters.facility_id)
    if filters.since is not None:
        events = events.filter(at__gte=filters.since)
    if filters.before is not None:
        events = events.filter(at__lt=filters.before)
    return events.select_related("actor_user").order_by("-id")


@dataclass
class Page:
    events: list[AuditEvent]
    next_before_id: int | None  # the next page shows events with a smaller id


def read_page(*, staff: User, filters: Filters, before_id: int | None = None) -> Page:
    """One page of the events, newest first; writes the "audit.read" event."""
    events = events_for(staff, filters)
    if before_id is not None:
        events = events.filter(id__lt=before_id)
    rows = list(events[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    audit.record(
        actor=staff,
        action="audit.read",
        data={"filters": filters.for_audit(), "before_id": before_id, "shown": len(rows)},
    )
    return Page(rows, rows[-1].pk if more and rows else None)


CSV_HEADER = ["id", "at", "actor", "action", "object_type", "object_id", "facility_id"]
CSV_HEADER += ["data", "seq", "hash"]


def export_rows(*, staff: User, filters: Filters) -> Iterator[list[str]]:
    """The CSV rows of the events (at most CSV_LIMIT, newest first), header first; the
    "audit.exported" event is written before the first row."""
    audit.record(actor=staff, action="audit.exported", data={"filters": filters.for_audit()})
    yield CSV_HEADER
    events = events_for(staff, filters)[:CSV_LIMIT]
    for event in events.iterator(chunk_size=2000):
        yield [
            str(event.pk),
            event.at.isoformat(),
            event.actor_user.username if event.actor_user else event.actor_label,
            event.action,
            event.object_type,
            event.object_id,
            "" if event.facility_id is None else str(event.facility_id),
            _json(event.data),
            "" if event.seq is None else str(event.seq),
            event.hash or "",
        ]


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class ChainState:
    intact: bool
    sealed: int  # events in the chain
    waiting: int  # events not sealed yet (the worker seals them)
    broken_at: int | None  # the first event whose hash or link is wrong (-1: the newest gone)


def chain_state(*, staff: User) -> ChainState:
    """Check the whole chain now (it reads every sealed event: seconds for millions);
    the check is recorded."""
    broken = audit.verify_chain()
    sealed = AuditEvent.objects.filter(seq__isnull=False).count()
    waiting = AuditEvent.objects.filter(seq__isnull=True).count()
    audit.record(
        actor=staff, action="audit.chain_checked", data={"intact": broken is None, "at": broken}
    )
    return ChainState(broken is None, sealed, waiting, broken)
