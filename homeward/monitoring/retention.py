"""Retention and legal holds: message text is kept for the agency's retention period, then
removed by a daily job, unless a legal hold covers it.

Removal reaches every copy of the text: the message's body (replaced by a sentence saying
when and why: the tombstone), the stored screening hits' matched text, the search document
and index, and the entities' mentions (an entity no message mentions any more goes too);
and the message's photos: their pictures and thumbnails are deleted from storage, with the
text read in them (``photos.removal``).
What the ledger, statistics and audit need stays: the message row, its times, status,
people, charges, screening verdict and categories. Only messages whose journey has ended
(delivered, read, returned, blocked) are removed.

A hold names a resident, a contact, one connection or a case, with a reason; it stops
removal until released (with a reason). Placing, releasing, setting the period and each
removal run are audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound
from homeward.enforcement.models import Appeal
from homeward.facilities.hooks import retention_period_set
from homeward.facilities.models import RETENTION_WARNING_DAYS, Agency, FacilityPolicy
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.messaging.models import Message
from homeward.messaging.status import ENDED, journey_ended_at
from homeward.monitoring import entities, index, words
from homeward.monitoring.access import retention_agencies
from homeward.monitoring.models import Case, CaseMessage, LegalHold
from homeward.people import notices
from homeward.people.models import Contact, Resident, User
from homeward.photos import removal as photo_removal
from homeward.review.models import ScreeningResult

S = Message.Status
BATCH = 500
RUNS_A_JOB = 4  # batches one job removes before handing on to the next
JOB = "remove_expired_content"
MAX_DAYS = 36_500
# What a stored screening hit keeps once the text is gone: which rule, what it meant and
# where it was; never the matched words or a detail quoting them ("Decoded: …").
KEPT_OF_A_HIT = frozenset({"rule", "category", "action", "start", "end", "layer"})


class RetentionError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("retention_refused", message)


def tombstone(agency: Agency, at: dt.datetime) -> str:
    """What the body says once its text is removed (in English: ``words.shown_body`` says
    it in the reader's language)."""
    days = agency.message_retention_days
    assert days is not None, "only an agency with a retention period removes text"
    return words.stored_note(agency=agency.name, days=days, at=at)


def holds_of(agency: Agency) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(agency=agency, released_at__isnull=True)


def _held(agency: Agency) -> Q:
    """Messages a hold in force at ``agency`` covers."""
    holds = holds_of(agency)
    # Each subquery only the holds of its kind: a NULL among the ids would make
    # "not in" unknown, and one hold would stop removal for the whole agency.
    kind = LegalHold.Kind
    cases = holds.filter(kind=kind.CASE).values("case_id")
    return (
        Q(connection__resident__in=holds.filter(kind=kind.RESIDENT).values("resident_id"))
        | Q(connection__contact__in=holds.filter(kind=kind.CONTACT).values("contact_id"))
        | Q(connection__in=holds.filter(kind=kind.CONNECTION).values("connection_id"))
        | Q(pk__in=CaseMessage.objects.filter(case__in=cases).values("message_id"))
    )


def _ended(agency: Agency) -> QuerySet[Message]:
    """The agency's messages whose journey has ended and whose text is still kept (the
    period counts from when it ended: ``journey_ended_at``)."""
    return Message.objects.filter(
        facility__agency=agency, content_removed_at__isnull=True, status__in=ENDED
    )


def _appealable(agency: Agency, now: dt.datetime) -> Q:
    """Blocks that may still be appealed (the agency's longest appeal window): an upheld
    appeal's answer must be able to deliver the words blocked."""
    longest = FacilityPolicy.objects.filter(facility__agency=agency).aggregate(
        days=Max("appeal_window_days")
    )["days"]
    since = now - dt.timedelta(days=longest or 0)
    return Q(status=S.BLOCKED, blocked_at__gt=since) | Q(appeal__status=Appeal.Status.OPEN)


def due(agency: Agency, now: dt.datetime) -> QuerySet[Message]:
    """The messages whose text is past the agency's period since their journey ended, not
    held, not appealable, not yet removed; nothing before the period takes effect."""
    if agency.message_retention_days is None:
        return Message.objects.none()
    if agency.removal_starts_at is not None and now < agency.removal_starts_at:
        return Message.objects.none()  # families are still being told
    cutoff = now - dt.timedelta(days=agency.message_retention_days)
    return (
        _ended(agency)
        .filter(LessThan(journey_ended_at(), cutoff))
        .exclude(_held(agency))
        .exclude(_appealable(agency, now))
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class Outlook:
    due_now: int  # removed at the next run
    next_at: dt.datetime | None  # when the next message still kept becomes due
    held: int  # past the period but held
    starts_at: dt.datetime | None  # when a new or shorter period starts removing


def outlook(agency: Agency, now: dt.datetime) -> Outlook:
    """What the next runs will remove, for the console."""
    if agency.message_retention_days is None:
        return Outlook(0, None, 0, None)
    period = dt.timedelta(days=agency.message_retention_days)
    starts_at = agency.removal_starts_at if (agency.removal_starts_at or now) > now else None
    oldest_not_due = (
        _ended(agency)
        .filter(GreaterThanOrEqual(journey_ended_at(), now - period))
        .exclude(_held(agency))
        .order_by(journey_ended_at())
        .values_list(journey_ended_at(), flat=True)
        .first()
    )
    held = (
        _ended(agency)
        .filter(LessThan(journey_ended_at(), now - period))
        .filter(_held(agency))
        .count()
    )
    next_at = oldest_not_due + period if oldest_not_due else None
    return Outlook(due(agency, now).count(), next_at, held, starts_at)


def remove(messages: list[Message], agency: Agency, now: dt.datetime) -> int:
    """Remove the text of ``messages`` everywhere it is kept (the caller holds the
    transaction and has checked they are due)."""
    ids = [m.pk for m in messages]
    for message in messages:
        message.body = tombstone(agency, now)
        message.content_removed_at = now
        message.updated_at = now  # an app that syncs sees the text go
    Message.objects.bulk_update(messages, ["body", "content_removed_at", "updated_at"])
    results = list(ScreeningResult.objects.filter(message_id__in=ids))
    for result in results:
        result.hits = [
            {key: value for key, value in hit.items() if key in KEPT_OF_A_HIT}
            for hit in result.hits
        ]
    ScreeningResult.objects.bulk_update(results, ["hits"])
    index.unindex(ids)
    entities.forget(ids)
    photo_removal.remove_for_messages(ids, now)
    return len(ids)


def run(*, agency_id: int, now: dt.datetime | None = None) -> int:
    """One run for an agency: up to RUNS_A_JOB batches; returns how many were removed."""
    now = now or clock.now()
    done = 0
    for _ in range(RUNS_A_JOB):
        with transaction.atomic():
            agency = Agency.objects.select_for_update().filter(pk=agency_id).first()
            if agency is None or agency.message_retention_days is None:
                return done
            batch = list(due(agency, now).select_for_update(of=("self",))[:BATCH])
            if not batch:
                break
            removed = remove(batch, agency, now)
            audit.record(
                actor="retention",
                action="message.content_removed",
                obj=agency,
                data={
                    "messages": removed,
                    "first": batch[0].pk,
                    "last": batch[-1].pk,
                    "days": agency.message_retention_days,
                },
            )
            done += removed
    return done


def schedule(agency: Agency, *, at: dt.datetime | None = None) -> None:
    """Make sure a removal job for ``agency`` is waiting (one at a time)."""
    waiting = Job.objects.filter(
        kind=JOB, payload__agency_id=agency.pk, status=Job.Status.QUEUED
    ).exists()
    if not waiting:
        jobs.enqueue(JOB, run_after=at, agency_id=agency.pk)


def _check_admin(staff: User, agency: Agency) -> None:
    if not retention_agencies(staff).filter(pk=agency.pk).exists():
        raise NotFound("No such agency.")


def set_period(*, staff: User, agency: Agency, days: int | None) -> Agency:
    """Set how long the agency keeps message text (None: kept); audited. A new or shorter
    period removes nothing for RETENTION_WARNING_DAYS, while families are told."""
    _check_admin(staff, agency)
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise RetentionError(f"The period is from 1 to {MAX_DAYS:,} days, or empty to keep.")
    now = clock.now()
    with transaction.atomic():
        # The agency's row is the lock removal runs and holds are placed under.
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        before = locked.message_retention_days
        agency.message_retention_days = days
        agency.removal_starts_at = locked.removal_starts_at
        if days is not None and (before is None or days < before):
            agency.removal_starts_at = now + dt.timedelta(days=RETENTION_WARNING_DAYS)
        agency.save(update_fields=["message_retention_days", "removal_starts_at"])
        audit.record(
            actor=staff,
            action="retention.period_set",
            obj=agency,
            data={"days": days, "was": before},
        )
        if days is not None:
            schedule(agency)
        notices.publish(agency=agency, staff=staff)
        retention_period_set(agency)
    return agency


def place_hold(
    *,
    staff: User,
    agency: Agency,
    subject: Resident | Contact | Connection | Case,
    reason: str,
) -> LegalHold:
    reason = " ".join(reason.split())
    if not reason:
        raise RetentionError("Say why the hold is placed.")
    fields: dict[str, object]
    at = Connection.objects.filter(facility__agency=agency)
    if isinstance(subject, Resident):
        fields = {"kind": LegalHold.Kind.RESIDENT, "resident": subject}
        ours = subject.agency_id == agency.pk
    elif isinstance(subject, Contact):
        fields = {"kind": LegalHold.Kind.CONTACT, "contact": subject}
        ours = at.filter(contact=subject).exists()
    elif isinstance(subject, Connection):
        fields = {"kind": LegalHold.Kind.CONNECTION, "connection": subject}
        ours = at.filter(pk=subject.pk).exists()
    elif isinstance(subject, Case):
        fields = {"kind": LegalHold.Kind.CASE, "case": subject}
        ours = subject.agency_id == agency.pk
    else:
        ours = False
    if not ours:
        raise NotFound()  # nothing of another agency is held from here
    _check_admin(staff, agency)
    with transaction.atomic():
        # Under the lock a removal run takes: a run under way finishes first, and nothing
        # the hold covers is removed once it is placed.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        hold = LegalHold.objects.create(
            agency=agency, reason=reason[:500], placed_by=staff, placed_at=clock.now(), **fields
        )
        audit.record(
            actor=staff,
            action="legal_hold.placed",
            obj=hold,
            data={"kind": hold.kind, "reason": hold.reason},
        )
    return hold


def release_hold(*, staff: User, hold: LegalHold, reason: str) -> LegalHold:
    reason = " ".join(reason.split())
    if not reason:
        raise RetentionError("Say why the hold is released.")
    _check_admin(staff, hold.agency)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at is not None:
            raise RetentionError("This hold was already released.")
        hold.released_at = clock.now()
        hold.released_by = staff
        hold.release_reason = reason[:500]
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        audit.record(
            actor=staff,
            action="legal_hold.released",
            obj=hold,
            data={"reason": hold.release_reason},
        )
    return hold
