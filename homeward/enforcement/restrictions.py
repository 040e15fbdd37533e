"""Suspensions and revocations: who may not message, where, and until when.

A restriction stops messages both ways on every connection it covers: a contact's at one
facility (or, imposed by an agency admin, at all of the agency's), a resident's, or one
connection's. It is in force from its start until its end or until staff lift it; nothing
has to happen for sending to come back when it ends, because every check asks "in force
now?". Sending is refused before anything is charged (``refuse_sending``). Messages on their
way when it starts are returned and refunded, or held and delivered when it ends, as the
facility's enforcement policy says (``hold_delivery``; a revocation always returns them).

Staff impose, shorten, extend and lift restrictions (facility admins of the facility, agency
admins; only an agency admin imposes one agency-wide); the facility's policy imposes them
by itself after violations (``after_violation``) and lifts what it imposed when a violation
it rested on is voided (``reconsider``). Every step is a ``RestrictionChange`` and an audit
entry, and ``restriction_changed`` tells the notifications app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.hooks import Hook
from homeward.core.words import moment
from homeward.enforcement import policies
from homeward.enforcement.models import EnforcementPolicy, Restriction, RestrictionChange, Violation
from homeward.facilities.models import Facility
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people import access
from homeward.people.models import Contact, Resident, User

Kind = Restriction.Kind
Action = RestrictionChange.Action
Subject = Contact | Resident | Connection

# Called in the transaction of each step (imposed, shortened, extended, lifted): the
# notifications app tells the people it stops.
restriction_changed: Hook[[Restriction, str]] = Hook("restriction_changed")

# The form is filled in before it is sent: a start "now" may be a few seconds old on arrival.
PAST_GRACE = dt.timedelta(minutes=1)
MAX_LENGTH = dt.timedelta(days=3650)


# --- what is in force ---------------------------------------------------------------------


def _in_force_at(at: dt.datetime) -> Q:
    return Q(lifted_at__isnull=True, starts_at__lte=at) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


def _longest(found: list[Restriction]) -> Restriction | None:
    """The one that lasts longest: a restriction with no end before any with one."""
    if not found:
        return None
    return max(found, key=lambda r: (r.ends_at is None, r.ends_at or r.starts_at, r.pk))


def on(connection: Connection, at: dt.datetime | None = None) -> Restriction | None:
    """What stops this connection's messages at ``at`` (now), or None."""
    return on_each([connection], at)[connection.pk]


def on_each(
    connections: Sequence[Connection], at: dt.datetime | None = None
) -> dict[int, Restriction | None]:
    """What stops each of ``connections`` (by id) at ``at`` (now), in one query however
    many there are: every restriction in force on their connections, residents or
    contacts, each then matched to the connections it covers (``_covers``); of several,
    the one that lasts longest."""
    if not connections:
        return {}
    contact_ids = {c.contact_id for c in connections if c.contact_id is not None}
    found = Restriction.objects.filter(
        Q(connection_id__in=[c.pk for c in connections])
        | Q(resident_id__in={c.resident_id for c in connections})
        | Q(contact_id__in=contact_ids),
        _in_force_at(at or clock.now()),
    ).select_related("facility", "contact", "resident")
    candidates = list(found)
    return {c.pk: _longest([r for r in candidates if _covers(r, c)]) for c in connections}


def _covers(restriction: Restriction, connection: Connection) -> bool:
    """Whether ``restriction`` stops ``connection``'s messages: it is on the connection or
    on its resident, or on its contact at the connection's facility (or across that
    facility's agency)."""
    if restriction.connection_id == connection.pk:
        return True
    if restriction.resident_id is not None and restriction.resident_id == connection.resident_id:
        return True
    if connection.contact_id is None or restriction.contact_id != connection.contact_id:
        return False
    if restriction.facility_id == connection.facility_id:
        return True
    return restriction.agency_wide and (
        restriction.facility.agency_id == connection.facility.agency_id
    )


def describe(restriction: Restriction, *, reader: Contact | Resident | None = None) -> str:
    """One plain sentence on what is stopped and until when (or that it no longer is), to
    the person reading it: a contact or resident it stops, or staff (``reader`` None)."""
    facility = restriction.facility
    said = {"state": _state(restriction)}
    # Translators: in each sentence below, %(state)s is one of the "is ... suspended/revoked"
    # phrases above, said of the messaging (in Spanish, "la mensajería": feminine).
    if restriction.connection is not None:
        connection = restriction.connection
        if isinstance(reader, Contact):
            said["name"] = connection.resident.full_name
            return _("Your messaging with %(name)s %(state)s.") % said
        if isinstance(reader, Resident) and connection.contact is not None:
            said["name"] = connection.contact.display_name
            return _("Your messaging with %(name)s %(state)s.") % said
        return _("Messaging on this connection %(state)s.") % said
    if restriction.resident is not None:
        if isinstance(reader, Resident):
            return _("Your messaging %(state)s.") % said
        said["name"] = restriction.resident.full_name
        if restriction.lifted_at:
            return _("%(name)s's messaging %(state)s.") % said
        return _("%(name)s's messaging %(state)s: messages cannot be delivered.") % said
    if restriction.agency_wide:
        said["place"] = _("all %(agency)s facilities") % {"agency": facility.agency.name}
    else:
        said["place"] = facility.name
    if isinstance(reader, Contact):
        return _("Your messaging at %(place)s %(state)s.") % said
    said["name"] = restriction.contact.display_name if restriction.contact else _("The contact")
    return _("%(name)s's messaging at %(place)s %(state)s.") % said


def _state(restriction: Restriction) -> str:
    """Where the restriction stands, as said of someone's messaging: "is suspended until
    …"."""
    revoked = restriction.kind == Kind.REVOCATION
    if restriction.lifted_at is not None:
        return _("is no longer revoked") if revoked else _("is no longer suspended")
    if restriction.ends_at is None:
        if revoked:
            return _("is revoked until the facility lifts it")
        return _("is suspended until the facility lifts it")
    until = {"until": moment(restriction.ends_at, restriction.facility.timezone)}
    if revoked:
        return _("is revoked until %(until)s") % until
    return _("is suspended until %(until)s") % until


# --- the hooks of messaging ------------------------------------------------------------


def refuse_sending(connection: Connection, sender: Contact | Resident) -> None:
    """The receiver of ``messaging.services.may_send``: nothing is sent or charged while a
    restriction covers the connection."""
    restriction = on(connection)
    if restriction is None:
        return
    said = _("%(restriction)s Nothing was sent or charged.") % {
        "restriction": describe(restriction, reader=sender)
    }
    if restriction.ends_at is None:
        raise PermissionDenied(said, "messaging_revoked")
    raise PermissionDenied(said, "messaging_suspended")


def hold_delivery(message: Message) -> None:
    """The receiver of ``messaging.services.may_deliver``: a message approved while a
    restriction covers its connection waits for the end where the facility holds messages,
    and is returned (and refunded) otherwise."""
    restriction = on(message.connection)
    if restriction is None:
        return
    policy = policies.in_force(message.facility)
    if restriction.ends_at is not None and policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD:
        raise messaging.NotDeliverable("messaging suspended", until=restriction.ends_at)
    what = "revoked" if restriction.ends_at is None else "suspended"
    raise messaging.NotDeliverable(f"messaging {what}")


# --- staff ------------------------------------------------------------------------------


def _connections(restriction: Restriction) -> QuerySet[Connection]:
    if restriction.connection_id is not None:
        return Connection.objects.filter(pk=restriction.connection_id)
    if restriction.resident_id is not None:
        return Connection.objects.filter(resident_id=restriction.resident_id)
    where = (
        Q(facility__agency_id=restriction.facility.agency_id)
        if restriction.agency_wide
        else Q(facility_id=restriction.facility_id)
    )
    return Connection.objects.filter(where, contact=restriction.contact)


def may_restrict(staff: User, facility: Facility) -> bool:
    """Facility admins of this facility and agency admins of its agency."""
    return access.staff_facilities(staff, access.ADMIN_ROLES).filter(pk=facility.pk).exists()


def is_agency_admin(staff: User, facility: Facility) -> bool:
    return facility.agency_id in access.agencies_administered(staff)


def _subject_here(subject: Subject, facility: Facility) -> bool:
    if isinstance(subject, Connection):
        return subject.facility_id == facility.pk
    if isinstance(subject, Resident):
        return subject.facility_id == facility.pk
    return Connection.objects.filter(contact=subject, facility=facility).exists()


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise DomainError("reason_required", _("Say why: the person is told."))
    return reason[:500]


def impose(
    *,
    staff: User | None,
    facility: Facility,
    subject: Subject,
    kind: str,
    reason: str,
    ends_at: dt.datetime | None = None,
    starts_at: dt.datetime | None = None,
    agency_wide: bool = False,
    violations: list[Violation] | None = None,
    policy: EnforcementPolicy | None = None,
) -> Restriction:
    """Stop ``subject``'s messaging at ``facility`` from ``starts_at`` (now): a suspension
    until ``ends_at``, or a revocation (no end). ``staff`` None is the facility's policy.
    Raises NotFound for staff who may not restrict at the facility or a subject not there,
    PermissionDenied for an agency-wide restriction by anyone but an agency admin, and
    DomainError for dates that do not make sense; nothing changes then."""
    if staff is not None and not may_restrict(staff, facility):
        raise NotFound(_("No such facility."))
    if not _subject_here(subject, facility):
        raise NotFound(_("Nobody by that name at this facility."))
    if kind not in Kind.values:
        raise DomainError("bad_kind", _("Choose a suspension or a revocation."))
    if agency_wide and not isinstance(subject, Contact):
        raise DomainError("bad_scope", _("Only a contact can be restricted agency-wide."))
    if agency_wide and (staff is None or not is_agency_admin(staff, facility)):
        raise PermissionDenied(
            _("Only an agency admin restricts a contact at every facility."), "agency_admin_only"
        )
    reason = _reason(reason)
    now = clock.now()
    start = starts_at or now
    if start < now - PAST_GRACE:
        raise DomainError("starts_in_past", _("A restriction cannot start in the past."))
    if kind == Kind.SUSPENSION:
        if ends_at is None:
            raise DomainError("end_required", _("A suspension needs an end date."))
        _check_end(start, ends_at)
    elif ends_at is not None:
        raise DomainError("revocation_has_no_end", _("A revocation has no end date."))
    with transaction.atomic():
        restriction = Restriction.objects.create(
            kind=kind,
            facility=facility,
            agency_wide=agency_wide,
            contact=subject if isinstance(subject, Contact) else None,
            resident=subject if isinstance(subject, Resident) else None,
            connection=subject if isinstance(subject, Connection) else None,
            reason=reason,
            starts_at=start,
            ends_at=ends_at,
            automatic=staff is None,
            imposed_by=staff,
            policy=policy if policy is not None and policy.pk else None,
            created_at=now,
        )
        if violations:
            restriction.violations.set(violations)
        _changed(restriction, Action.IMPOSED, staff, reason, None, ends_at)
        # One that starts later is settled by delivery, which asks what is in force then.
        if start <= now and staff is None:
            # Imposed in the transaction that blocked a message, which holds that message
            # and the person: what is on its way is settled in a job of its own, so as not
            # to take other messages' locks in the wrong order. Until then, nothing of it
            # is delivered (``hold_delivery``).
            jobs.enqueue(
                "settle_restriction", facility_id=facility.pk, restriction_id=restriction.pk
            )
        elif start <= now:
            _settle_on_the_way(restriction)
    return restriction


def settle_on_the_way(*, restriction_id: int) -> None:
    """``_settle_on_the_way`` in a transaction of its own (the job of an automatic one)."""
    with transaction.atomic():
        restriction = Restriction.objects.select_related("facility").get(pk=restriction_id)
        if restriction.in_force(clock.now()):
            _settle_on_the_way(restriction)


def _check_end(start: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= start:
        raise DomainError("ends_before_start", _("The end must come after the start."))
    if ends_at - start > MAX_LENGTH:
        raise DomainError("too_long", _("A suspension lasts at most ten years; revoke instead."))


def _settle_on_the_way(restriction: Restriction) -> None:
    """Messages already on their way when a restriction starts: returned and refunded,
    unless the facility holds them for the end of a suspension (``hold_delivery``)."""
    what = "revoked" if restriction.ends_at is None else "suspended"
    # The connections only (not the facilities they join), in one order, so two settlings
    # never wait on each other; each follows its own facility's policy (an agency-wide
    # restriction spans facilities).
    connections = (
        _connections(restriction)
        .select_for_update(of=("self",), no_key=True)
        .select_related("facility")
        .order_by("pk")
    )
    for connection in connections:
        policy = policies.in_force(connection.facility)
        if restriction.ends_at is not None and policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD:
            continue
        messaging.return_pending_messages(connection=connection, reason=f"messaging {what}")


def _locked(restriction_id: int, staff: User) -> Restriction:
    restriction = (
        Restriction.objects.select_for_update(of=("self",))
        .select_related("facility")
        .filter(pk=restriction_id)
        .first()
    )
    if restriction is None or not may_restrict(staff, restriction.facility):
        raise NotFound()
    if restriction.agency_wide and not is_agency_admin(staff, restriction.facility):
        raise PermissionDenied(
            _("Only an agency admin changes an agency-wide restriction."), "agency_admin_only"
        )
    if restriction.lifted_at is not None:
        raise Conflict("already_lifted", _("This restriction was already lifted."))
    if restriction.ends_at is not None and restriction.ends_at <= clock.now():
        raise Conflict("already_ended", _("This restriction has already ended."))
    return restriction


def begins_or_ends(*, restriction_id: int, at: str) -> None:
    """A restriction began or ended at ``at`` as planned: its conversations changed then,
    so they are marked changed (an app syncing by ``updated_at`` asks for them again).
    Nothing if its end was changed since (the new one has a job of its own), if it was
    lifted before then, or if it is gone."""
    moment_ = dt.datetime.fromisoformat(at)
    with transaction.atomic():
        restriction = Restriction.objects.filter(pk=restriction_id).first()
        if restriction is None or moment_ not in (restriction.starts_at, restriction.ends_at):
            return
        if restriction.lifted_at is not None and restriction.lifted_at <= moment_:
            return
        _connections(restriction).update(updated_at=clock.now())


def change_end(
    *, staff: User, restriction_id: int, ends_at: dt.datetime, reason: str
) -> Restriction:
    """Shorten or extend a suspension (a revocation is lifted, not shortened)."""
    reason = _reason(reason)
    with transaction.atomic():
        restriction = _locked(restriction_id, staff)
        if restriction.kind == Kind.REVOCATION:
            raise Conflict("revocation_has_no_end", _("A revocation has no end: lift it instead."))
        if ends_at <= clock.now():
            raise DomainError("ends_in_past", _("Choose an end after now, or lift it."))
        _check_end(restriction.starts_at, ends_at)
        before = restriction.ends_at
        if ends_at == before:
            raise DomainError("same_end", _("That is already its end."))
        restriction.ends_at = ends_at
        restriction.save(update_fields=["ends_at"])
        shorter = before is not None and ends_at < before
        _changed(
            restriction,
            Action.SHORTENED if shorter else Action.EXTENDED,
            staff,
            reason,
            before,
            ends_at,
        )
        if shorter:
            _release_held(restriction)
    return restriction


def lift(*, staff: User, restriction_id: int, reason: str) -> Restriction:
    """Staff end a restriction now."""
    reason = _reason(reason)
    with transaction.atomic():
        return _lift(_locked(restriction_id, staff), actor=staff, reason=reason, undone=False)


def undo(*, restriction_id: int, reason: str, by: User | None = None) -> Restriction:
    """The restriction should not have been: the policy lifts what it imposed when a
    violation it rested on is voided (``by`` None), or an appeal overturns it (``by`` the
    decider). It counts for nothing from then on (``undone``), also if it already ended."""
    with transaction.atomic():
        restriction = Restriction.objects.select_for_update().get(pk=restriction_id)
        ended = restriction.ends_at is not None and restriction.ends_at <= clock.now()
        if restriction.lifted_at is not None or ended:
            restriction.undone = True
            restriction.save(update_fields=["undone"])
            return restriction
        return _lift(restriction, actor=by, reason=reason, undone=True)


def _lift(
    restriction: Restriction, *, actor: User | None, reason: str, undone: bool
) -> Restriction:
    now = clock.now()
    restriction.lifted_at = now
    restriction.lifted_by = actor
    restriction.lift_reason = reason
    restriction.undone = undone
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "undone"])
    _changed(restriction, Action.LIFTED, actor, reason, restriction.ends_at, now)
    _release_held(restriction)
    return restriction


def _release_held(restriction: Restriction) -> None:
    """Messages held for the old end go out now (delivery asks again what is in force)."""
    held = Message.objects.filter(
        connection__in=_connections(restriction), status=Message.Status.APPROVED
    ).values_list("pk", "facility_id")
    for message_id, facility_id in held:
        jobs.enqueue("deliver_message", facility_id=facility_id, message_id=message_id)


def _changed(
    restriction: Restriction,
    action: str,
    staff: User | None,
    reason: str,
    before: dt.datetime | None,
    after: dt.datetime | None,
) -> None:
    now = clock.now()
    # The connections it stops changed (an app syncing by updated_at asks for them again),
    # and change again when it begins or ends later, on its own.
    _connections(restriction).update(updated_at=now)
    later = [after] + ([restriction.starts_at] if action == Action.IMPOSED else [])
    for moment_ in later:
        if moment_ is not None and moment_ > now:
            jobs.enqueue(
                "restriction_begins_or_ends",
                run_after=moment_,
                facility_id=restriction.facility_id,
                restriction_id=restriction.pk,
                at=moment_.isoformat(),
            )
    RestrictionChange.objects.create(
        restriction=restriction,
        action=action,
        ends_before=before,
        ends_after=after,
        reason=reason,
        actor=staff,
        at=now,
    )
    audit.record(
        actor=staff or "enforcement policy",
        action=f"restriction.{action}",
        obj=restriction,
        facility_id=restriction.facility_id,
        data={
            "kind": restriction.kind,
            "of": _subject_label(restriction),
            "agency_wide": restriction.agency_wide,
            "ends_before": before.isoformat() if before else None,
            "ends_after": after.isoformat() if after else None,
            "reason": reason,
        },
    )
    restriction_changed(restriction, action)


def _subject_label(restriction: Restriction) -> str:
    if restriction.contact_id is not None:
        return f"contact:{restriction.contact_id}"
    if restriction.resident_id is not None:
        return f"resident:{restriction.resident_id}"
    return f"connection:{restriction.connection_id}"


HISTORY_SHOWN = 20


def history(person: Contact | Resident, staff: User) -> list[Restriction]:
    """A person's restrictions and those of their connections, at the staff member's
    facilities, newest first (at most ``HISTORY_SHOWN``), with their changes."""
    facilities = access.staff_facilities(staff, access.READ_ROLES)
    if isinstance(person, Contact):
        scope = Q(contact=person) | Q(connection__contact=person)
    else:
        scope = Q(resident=person) | Q(connection__resident=person)
    return list(
        Restriction.objects.filter(scope, facility__in=facilities)
        .select_related(
            "facility__agency",
            "imposed_by",
            "lifted_by",
            "contact",
            "resident",
            "connection__contact",
            "connection__resident",
        )
        .prefetch_related("changes__actor")
        .order_by("-starts_at", "-id")[:HISTORY_SHOWN]
    )


# --- the facility's policy --------------------------------------------------------------


def _person_scope(violation: Violation) -> dict[str, object]:
    if violation.contact_id is not None:
        return {"contact_id": violation.contact_id}
    return {"resident_id": violation.resident_id}


def _subject_of(violation: Violation) -> Contact | Resident:
    return violation.contact if violation.contact_id is not None else violation.resident  # type: ignore[return-value]


def after_violation(violation: Violation) -> Restriction | None:
    """Apply the facility's policy to a new violation (in its transaction): a suspension or
    revocation when the violation's category calls for one at once, or when it brings the
    person's violations since their last restriction to the threshold; a suspension becomes
    a revocation when the person had enough suspensions lately."""
    policy = policies.in_force(violation.facility, violation.created_at)
    now = clock.now()
    person = _person_scope(violation)
    # One person's violations are weighed one at a time: two blocks confirmed at once must
    # not both see "not suspended yet" and suspend twice.
    subject = _subject_of(violation)
    list(type(subject).objects.select_for_update(no_key=True).filter(pk=subject.pk).values("pk"))
    mine = Restriction.objects.filter(facility_id=violation.facility_id, **person)
    if mine.filter(_in_force_at(now), kind=Kind.REVOCATION).exists():
        return None
    category = violation.category
    counted = _counted(violation, policy, mine, now)
    if category in policy.revoke_at_once:
        kind, why = Kind.REVOCATION, f"a {category} violation revokes messaging at once"
    elif category in policy.suspend_at_once:
        kind, why = Kind.SUSPENSION, f"a {category} violation suspends messaging at once"
    elif policy.violations_to_suspend and len(counted) >= policy.violations_to_suspend:
        kind = Kind.SUSPENSION
        why = f"{len(counted)} violations within {policy.violation_window_days} days"
    else:
        return None
    if kind == Kind.SUSPENSION and mine.filter(_in_force_at(now)).exists():
        return None  # already suspended: staff may extend it
    if kind == Kind.SUSPENSION and policy.suspensions_to_revoke:
        lately = mine.filter(
            kind=Kind.SUSPENSION,
            undone=False,
            starts_at__gt=now - dt.timedelta(days=policy.suspension_window_days),
        ).count()
        if lately + 1 >= policy.suspensions_to_revoke:
            kind = Kind.REVOCATION
            why += f", and {lately + 1} suspensions within {policy.suspension_window_days} days"
    ends_at = now + dt.timedelta(days=policy.suspension_days) if kind == Kind.SUSPENSION else None
    return impose(
        staff=None,
        facility=violation.facility,
        subject=subject,
        kind=kind,
        reason=f"The facility's policy: {why}.",
        ends_at=ends_at,
        violations=counted if violation in counted else [*counted, violation],
        policy=policy,
    )


def _counted(
    violation: Violation,
    policy: EnforcementPolicy,
    mine: QuerySet[Restriction],
    now: dt.datetime,
) -> list[Violation]:
    """The person's violations at the facility that count toward the next suspension: not
    void, within the window, and after their last restriction started."""
    found = Violation.objects.filter(
        facility_id=violation.facility_id,
        voided_at__isnull=True,
        created_at__gte=now - dt.timedelta(days=policy.violation_window_days),
        **_person_scope(violation),
    )
    last = mine.filter(undone=False).order_by("-starts_at").values_list("starts_at", flat=True)
    if last:
        found = found.filter(created_at__gt=last[0])
    if not policy.automatic_blocks_count:
        found = found.filter(automatic=False)
    return list(found.order_by("created_at", "id"))


def reconsider(violation: Violation) -> list[Restriction]:
    """A violation was voided (in its transaction): lift what the policy imposed on it
    when the violations left would not have imposed it."""
    lifted = []
    # Also one staff lifted early: it must stop counting toward the next revocation.
    for restriction in violation.restrictions.filter(automatic=True, undone=False):
        left = [v for v in restriction.violations.all() if v.voided_at is None]
        policy = restriction.policy or policies.defaults(restriction.facility)
        at_once = set(policy.suspend_at_once) | set(policy.revoke_at_once)
        still = any(v.category in at_once for v in left) or (
            policy.violations_to_suspend and len(left) >= policy.violations_to_suspend
        )
        if not still:
            lifted.append(
                undo(restriction_id=restriction.pk, reason="A violation it rested on was voided.")
            )
    return lifted
