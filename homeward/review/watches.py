"""Watch lists: staff put a contact (at one facility), a resident or one connection under
"review everything", whatever the facility's review mode, with a reason and an expiry.
Reviewers and admins of the facility add and end them; every step is audited. Screening
asks ``covers`` when it routes a message (``intake``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.facilities.models import Facility
from homeward.people import access
from homeward.people.models import Contact, Resident, User
from homeward.review.models import Watch

Subject = Contact | Resident | Connection
MAX_LENGTH = dt.timedelta(days=366)


def _live(at: dt.datetime) -> Q:
    return Q(ended_at__isnull=True, expires_at__gt=at)


def covers(connection: Connection, at: dt.datetime | None = None) -> bool:
    """Whether a watch in force covers this connection's messages (either way)."""
    on_it = Q(connection_id=connection.pk) | Q(resident_id=connection.resident_id)
    if connection.contact_id is not None:
        on_it |= Q(contact_id=connection.contact_id, facility_id=connection.facility_id)
    return Watch.objects.filter(on_it, _live(at or clock.now())).exists()


def may_watch(staff: User, facility: Facility) -> bool:
    return access.can_review(staff, facility.pk)


def _here(subject: Subject, facility: Facility) -> bool:
    if isinstance(subject, (Connection, Resident)):
        return subject.facility_id == facility.pk
    return Connection.objects.filter(contact=subject, facility=facility).exists()


def add(
    *, staff: User, facility: Facility, subject: Subject, reason: str, expires_at: dt.datetime
) -> Watch:
    """Put ``subject`` on the facility's watch list until ``expires_at`` (at most a year)."""
    if not may_watch(staff, facility) or not _here(subject, facility):
        raise NotFound("Nobody by that name at this facility.")
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise DomainError("reason_required", "Say why: it is kept with the watch.")
    now = clock.now()
    if expires_at <= now:
        raise DomainError("expires_in_past", "The watch must end after now.")
    if expires_at - now > MAX_LENGTH:
        raise DomainError("too_long", "A watch lasts at most a year; add another then.")
    with transaction.atomic():
        watch = Watch.objects.create(
            facility=facility,
            contact=subject if isinstance(subject, Contact) else None,
            resident=subject if isinstance(subject, Resident) else None,
            connection=subject if isinstance(subject, Connection) else None,
            reason=reason,
            expires_at=expires_at,
            created_by=staff,
            created_at=now,
        )
        audit.record(
            actor=staff,
            action="watch.added",
            obj=watch,
            facility_id=facility.pk,
            data={"of": _label(watch), "reason": reason, "expires_at": expires_at.isoformat()},
        )
    return watch


def end(*, staff: User, watch_id: int) -> Watch:
    with transaction.atomic():
        watch = Watch.objects.select_for_update().filter(pk=watch_id).first()
        if watch is None or not may_watch(staff, watch.facility):
            raise NotFound("No such watch.")
        if watch.ended_at is not None or watch.expires_at <= clock.now():
            raise Conflict("watch_over", "This watch is already over.")
        watch.ended_at = clock.now()
        watch.ended_by = staff
        watch.save(update_fields=["ended_at", "ended_by"])
        audit.record(
            actor=staff, action="watch.ended", obj=watch, facility_id=watch.facility_id, data={}
        )
    return watch


def _label(watch: Watch) -> str:
    if watch.contact_id is not None:
        return f"contact:{watch.contact_id}"
    if watch.resident_id is not None:
        return f"resident:{watch.resident_id}"
    return f"connection:{watch.connection_id}"


def of_person(person: Contact | Resident, staff: User) -> list[Watch]:
    """A person's watches and their connections', in force, at the staff member's
    facilities."""
    if isinstance(person, Contact):
        scope = Q(contact=person) | Q(connection__contact=person)
    else:
        scope = Q(resident=person) | Q(connection__resident=person)
    return list(
        Watch.objects.filter(
            scope,
            _live(clock.now()),
            facility__in=access.staff_facilities(staff, access.READ_ROLES),
        )
        .select_related("facility", "created_by", "connection__contact", "connection__resident")
        .order_by("expires_at", "pk")
    )
