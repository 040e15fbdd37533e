"""Appeals: the person a decision went against asks the facility to look again.

Who may appeal what: the sender of a blocked message (the contact, or the resident for a
reply), and a person whose messaging a suspension or revocation stops (for one connection,
either side of it). Once per message or restriction, within the facility's window
(``FacilityPolicy.appeal_window_days``) from the block or the restriction's start, with a
short statement.

Who decides: never the staff member who made the decision appealed. A blocked message's
appeal goes to another reviewer of the facility, or else a facility admin, or else an
agency admin; a restriction's straight to an admin. Among those, the one with the fewest
open appeals. Where nobody else can, the decision's author decides only if the agency
allows it (``Agency.blocker_decides_appeals``), and the appeal says so. It is due within
the facility's review target, on its business calendar. The person assigned, or any admin
of the facility who did not make the decision, decides.

Outcomes: upheld (final, with a reason), or overturned: the message is approved and
delivered, its violation voided (which lifts what the policy imposed on it), or the
restriction lifted and counted for nothing. The person is told either way
(``appeal_changed``, heard by the notifications app).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.core import audit, clock, keyset
from homeward.core.calendar import add_business_hours
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.hooks import Hook
from homeward.core.words import moment
from homeward.enforcement import restrictions, services, words
from homeward.enforcement.models import Appeal, Restriction
from homeward.facilities.models import Facility
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people import access
from homeward.people.models import Contact, Resident, StaffMembership, User

Role = StaffMembership.Role
Assigned = Appeal.Assigned
MAX_STATEMENT = 1000

# Called in the transaction of each step ("filed", "upheld", "overturned").
appeal_changed: Hook[[Appeal, str]] = Hook("appeal_changed")


def _statement(text: str) -> str:
    statement = text.replace("\r\n", "\n").strip()
    if not statement:
        raise DomainError("statement_required", _("Say in a few words why this should change."))
    if len(statement) > MAX_STATEMENT:
        raise DomainError(
            "statement_too_long",
            _("An appeal is at most %(most)s characters; this one is %(length)s.")
            % {"most": f"{MAX_STATEMENT:,}", "length": f"{len(statement):,}"},
        )
    return statement


def window_closes(facility: Facility, since: dt.datetime) -> dt.datetime:
    return since + dt.timedelta(days=facility.policy.appeal_window_days)


def _check_window(facility: Facility, since: dt.datetime | None) -> None:
    closes = window_closes(facility, since or clock.now())
    if clock.now() > closes:
        raise Conflict(
            "appeal_window_closed",
            ngettext(
                "Appeals here are open for %(count)s day; this one closed on %(closed)s.",
                "Appeals here are open for %(count)s days; this one closed on %(closed)s.",
                facility.policy.appeal_window_days,
            )
            % {
                "count": facility.policy.appeal_window_days,
                "closed": moment(closes, facility.timezone),
            },
        )


# --- filing ----------------------------------------------------------------------------


def appealable_message(appellant: Contact | Resident, message: Message) -> bool:
    """Whether the appellant may still appeal this message (for pages to offer it)."""
    return (
        message.status == Message.Status.BLOCKED
        and _sent_by(appellant, message)
        and not message.connection.privileged
        and not Appeal.objects.filter(message=message).exists()
        and clock.now() <= window_closes(message.facility, message.blocked_at or clock.now())
    )


def _sent_by(appellant: Contact | Resident, message: Message) -> bool:
    connection = message.connection
    if isinstance(appellant, Contact):
        return message.to_resident and connection.contact_id == appellant.pk
    return not message.to_resident and connection.resident_id == appellant.pk


def appeal_message(*, appellant: Contact | Resident, message_id: int, statement: str) -> Appeal:
    """Appeal a blocked message the appellant sent. Someone else's message is 404."""
    statement = _statement(statement)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("connection", "facility__policy", "facility__agency")
            .filter(pk=message_id)
            .first()
        )
        if message is None or not _sent_by(appellant, message):
            raise NotFound(_("No such message."))
        if message.status != Message.Status.BLOCKED:
            raise Conflict("not_blocked", _("Only a blocked message can be appealed."))
        if Appeal.objects.filter(message=message).exists():
            raise Conflict("already_appealed", _("This message was already appealed."))
        if message.connection.privileged:
            # Staff do not read a privileged channel's messages: nobody could decide.
            raise Conflict(
                "nobody_to_decide",
                _(
                    "This conversation is now a privileged attorney channel: staff do not "
                    "read its messages, so nobody can decide an appeal. Send the message "
                    "again: it is not reviewed."
                ),
            )
        _check_window(message.facility, message.blocked_at)
        against = services.blocker_of(message)
        return _file(
            facility=message.facility,
            appellant=appellant,
            statement=statement,
            against=against,
            admins_only=False,
            message=message,
        )


def _stopped_by(appellant: Contact | Resident, restriction: Restriction) -> bool:
    if isinstance(appellant, Contact):
        if restriction.contact_id is not None:
            return restriction.contact_id == appellant.pk
        return restriction.connection is not None and (
            restriction.connection.contact_id == appellant.pk
        )
    if restriction.resident_id is not None:
        return restriction.resident_id == appellant.pk
    return restriction.connection is not None and (
        restriction.connection.resident_id == appellant.pk
    )


def appealable_restriction(appellant: Contact | Resident, restriction: Restriction) -> bool:
    return (
        _stopped_by(appellant, restriction)
        and restriction.in_force(clock.now())
        and not Appeal.objects.filter(restriction=restriction).exists()
        and clock.now() <= window_closes(restriction.facility, restriction.starts_at)
    )


def appeal_restriction(
    *, appellant: Contact | Resident, restriction_id: int, statement: str
) -> Appeal:
    """Appeal a suspension or revocation of the appellant's own messaging."""
    statement = _statement(statement)
    with transaction.atomic():
        restriction = (
            Restriction.objects.select_for_update(of=("self",))
            .select_related("connection", "facility__policy", "facility__agency")
            .filter(pk=restriction_id)
            .first()
        )
        if restriction is None or not _stopped_by(appellant, restriction):
            raise NotFound(_("No such suspension."))
        if not restriction.in_force(clock.now()):
            raise Conflict("not_in_force", _("This suspension is not in force."))
        if Appeal.objects.filter(restriction=restriction).exists():
            raise Conflict("already_appealed", _("This was already appealed."))
        _check_window(restriction.facility, restriction.starts_at)
        return _file(
            facility=restriction.facility,
            appellant=appellant,
            statement=statement,
            against=restriction.imposed_by,
            admins_only=True,
            agency_only=restriction.agency_wide,
            restriction=restriction,
        )


def _file(
    *,
    facility: Facility,
    appellant: Contact | Resident,
    statement: str,
    against: User | None,
    admins_only: bool,
    agency_only: bool = False,
    message: Message | None = None,
    restriction: Restriction | None = None,
) -> Appeal:
    assignee, assigned_as = assign(
        facility, against=against, admins_only=admins_only, agency_only=agency_only
    )
    now = clock.now()
    policy = facility.policy
    appeal = Appeal.objects.create(
        facility=facility,
        message=message,
        restriction=restriction,
        contact=appellant if isinstance(appellant, Contact) else None,
        resident=appellant if isinstance(appellant, Resident) else None,
        statement=statement,
        decided_against=against,
        assigned_to=assignee,
        assigned_as=assigned_as,
        due_at=add_business_hours(
            now,
            policy.review_target_hours,
            tz=facility.timezone,
            business_hours=policy.business_hours,
            holidays=policy.holidays,
        ),
        created_at=now,
    )
    if message is not None:  # what the message shows changed: apps that sync see it
        message.save(update_fields=["updated_at"])
    audit.record(
        actor=appellant.user if isinstance(appellant, Contact) else appellant,
        action="appeal.filed",
        obj=appeal,
        facility_id=facility.pk,
        data={
            "of": f"message:{message.pk}" if message else f"restriction:{appeal.restriction_id}",
            "assigned_to": assignee.pk,
            "assigned_as": assigned_as,
        },
    )
    appeal_changed(appeal, "filed")
    return appeal


def assign(
    facility: Facility, *, against: User | None, admins_only: bool, agency_only: bool = False
) -> tuple[User, str]:
    """Who decides: see the module's docstring. Conflict when nobody can. ``agency_only``:
    an agency-wide restriction, which only an agency admin may lift."""
    tiers: list[tuple[str, Q]] = [
        (Assigned.FACILITY_ADMIN, Q(role=Role.FACILITY_ADMIN, facility=facility)),
        (
            Assigned.AGENCY_ADMIN,
            Q(role=Role.AGENCY_ADMIN, agency_id=facility.agency_id, facility__isnull=True),
        ),
    ]
    if agency_only:
        tiers = tiers[1:]
    if not admins_only and not agency_only:
        reviewers = Q(role=Role.REVIEWER) & (
            Q(facility=facility) | Q(agency_id=facility.agency_id, facility__isnull=True)
        )
        tiers.insert(0, (Assigned.REVIEWER, reviewers))
    for assigned_as, memberships in tiers:
        people = (
            User.objects.filter(
                is_active=True,
                memberships__in=StaffMembership.objects.filter(memberships),
            )
            .exclude(pk__in=[against.pk] if against else [])
            .annotate(
                load=Count("appeals", filter=Q(appeals__status=Appeal.Status.OPEN), distinct=True)
            )
            .order_by("load", "pk")
        )
        chosen = people.first()
        if chosen is not None:
            return chosen, assigned_as
    if against is not None and facility.agency.blocker_decides_appeals and against.is_active:
        return against, Assigned.BLOCKER
    raise Conflict(
        "nobody_to_decide",
        _(
            "Nobody at this facility can decide an appeal right now; nothing was filed. "
            "Please try again later."
        ),
    )


# --- deciding ----------------------------------------------------------------------------


def may_decide(staff: User, appeal: Appeal) -> bool:
    """The person assigned while they still review there, or an admin of the facility (an
    agency admin for an agency-wide restriction); the decision's author only where assigned
    because the agency allows it, and only while it still does."""
    facility = appeal.facility
    if appeal.decided_against_id == staff.pk:
        return (
            appeal.assigned_to_id == staff.pk
            and appeal.assigned_as == Assigned.BLOCKER
            and facility.agency.blocker_decides_appeals
            and access.can_review(staff, facility.pk)
        )
    if appeal.restriction is not None and appeal.restriction.agency_wide:
        return restrictions.is_agency_admin(staff, facility)
    if staff.pk == appeal.assigned_to_id and access.can_review(staff, facility.pk):
        return True
    return access.staff_facilities(staff, access.ADMIN_ROLES).filter(pk=facility.pk).exists()


def decide(*, staff: User, appeal_id: int, outcome: str, reason: str) -> Appeal:
    """Uphold or overturn. Staff outside the facility get NotFound; the decision's author
    (unless assigned as the agency allows) and other staff who are neither assigned nor an
    admin get PermissionDenied; nothing changes then."""
    reason = " ".join(reason.split())[:500]
    if outcome not in (Appeal.Status.UPHELD, Appeal.Status.OVERTURNED):
        raise DomainError("bad_outcome", _("Uphold or overturn."))
    if not reason:
        raise DomainError("reason_required", _("Say why: the person is told."))
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("facility__agency", "message", "restriction")
            .filter(pk=appeal_id, facility__in=access.staff_facilities(staff))
            .first()
        )
        if appeal is None:
            raise NotFound(_("No such appeal."))
        if not may_decide(staff, appeal):
            if appeal.decided_against_id == staff.pk and appeal.assigned_as != Assigned.BLOCKER:
                raise PermissionDenied(
                    _("You made the decision appealed: someone else decides the appeal."),
                    "own_decision",
                )
            raise PermissionDenied(_("This appeal is assigned to someone else."), "not_assigned")
        if appeal.status != Appeal.Status.OPEN:
            raise Conflict("already_decided", _("This appeal was already decided."))
        _close(appeal, outcome=outcome, staff=staff, reason=reason)
    return appeal


def _close(appeal: Appeal, *, outcome: str, staff: User, reason: str) -> None:
    """Decide an open appeal (locked by the caller): the person is told, and an overturned
    block or restriction is undone."""
    appeal.status = outcome
    appeal.decided_by = staff
    appeal.decided_at = clock.now()
    appeal.decision_reason = reason
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if outcome == Appeal.Status.OVERTURNED:
        _undo(appeal, staff)
    elif appeal.message is not None:  # upheld: the message shows its appeal's outcome
        appeal.message.save(update_fields=["updated_at"])
    audit.record(
        actor=staff,
        action=f"appeal.{outcome}",
        obj=appeal,
        facility_id=appeal.facility_id,
        data={"reason": reason, "assigned_as": appeal.assigned_as},
    )
    appeal_changed(appeal, outcome)


# Short enough for the email that tells the sender (it quotes a reason up to 120 letters).
PRIVILEGED = (
    "The conversation is now a privileged attorney channel, which staff do not read. "
    "Send the message again."
)


def close_on_privileged(*, connection_id: int, staff: User) -> int:
    """In the transaction that makes a connection privileged: the appeals still open of
    its blocked messages cannot be decided any more (staff do not read the channel). They
    are closed, the block standing (nobody reads the message to overturn it), and the
    sender is told to send it again on the channel. How many."""
    open_appeals = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("facility__agency", "message", "restriction")
        .filter(message__connection_id=connection_id, status=Appeal.Status.OPEN)
        .order_by("pk")
    )
    count = 0
    for appeal in open_appeals:
        _close(appeal, outcome=Appeal.Status.UPHELD, staff=staff, reason=PRIVILEGED)
        count += 1
    return count


def _undo(appeal: Appeal, staff: User) -> None:
    if appeal.message is not None:
        messaging.overturn_block(message_id=appeal.message.pk, actor=staff)
        violation = getattr(appeal.message, "violation", None)
        if violation is not None and violation.counts:
            services.void(
                violation_id=violation.pk, actor=staff, reason="The block was overturned on appeal."
            )
        return
    assert appeal.restriction is not None
    restrictions.undo(
        restriction_id=appeal.restriction.pk, reason="Overturned on appeal.", by=staff
    )


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What a page says of an appeal: where the one made stands (``state``), or until when
    the person may make one (``until``); both empty when there is nothing to say."""

    state: str = ""
    until: str = ""


def offers_for_messages(appellant: Contact | Resident, messages: list[Message]) -> dict[int, Offer]:
    """For a page of messages, in one query: each of the appellant's messages that was
    appealed (where the appeal stands) or may be (until when)."""
    mine = [m for m in messages if _sent_by(appellant, m)]
    made = {
        appeal.message_id: appeal
        for appeal in Appeal.objects.filter(message__in=mine).select_related("facility")
    }
    now = clock.now()
    offers = {}
    for message in mine:
        appeal = made.get(message.pk)
        if appeal is not None:
            offers[message.pk] = Offer(state=words.state(appeal))
        elif message.status == Message.Status.BLOCKED and not message.connection.privileged:
            closes = window_closes(message.facility, message.blocked_at or now)
            if now <= closes:
                offers[message.pk] = Offer(until=moment(closes, message.facility.timezone))
    return offers


def offer_for_restriction(appellant: Contact | Resident, restriction: Restriction) -> Offer:
    appeal = Appeal.objects.filter(restriction=restriction).select_related("facility").first()
    if appeal is not None:  # shown to the person who made it only
        mine = appeal.contact if isinstance(appellant, Contact) else appeal.resident
        return Offer(state=words.state(appeal)) if mine == appellant else Offer()
    if not appealable_restriction(appellant, restriction):
        return Offer()
    closes = window_closes(restriction.facility, restriction.starts_at)
    return Offer(until=moment(closes, restriction.facility.timezone))


def open_at(staff: User) -> QuerySet[Appeal]:
    """Open appeals at the staff member's facilities."""
    return Appeal.objects.filter(
        facility__in=access.staff_facilities(staff), status=Appeal.Status.OPEN
    ).select_related("facility", "assigned_to", "contact", "resident", "message", "restriction")


DESK_PAGE = 50
_DESK_CURSOR = re.compile(rf"(?P<part>mine|others)(?:-(?P<key>{keyset.CURSOR}))?")


@dataclass(frozen=True)
class DeskPage:
    appeals: list[Appeal]
    next: str | None  # the cursor of the page after these, if there are more


def desk_page(staff: User, *, after: str = "", size: int = DESK_PAGE) -> DeskPage:
    """One page of the desk in its order (the staff member's own appeals, then the others,
    each most urgent first) after the cursor ``after``: "mine-<due>.<id>" or
    "others-<due>.<id>" (the last appeal of the page before), or "others" (the others from
    their start); anything else reads from the front. Each part is read from an index by
    due time, with no OFFSET and no COUNT: the last page costs what the first does."""
    open_here = open_at(staff)
    mine, others = open_here.filter(assigned_to=staff), open_here.exclude(assigned_to=staff)
    found = _DESK_CURSOR.fullmatch(after or "")
    part, cursor = (found["part"], found["key"] or "") if found else ("mine", "")
    page: list[Appeal] = []
    if part == "mine":
        first = keyset.forward(mine, size=size, after=cursor, field="due_at")
        if first.next:
            return DeskPage(first.rows, f"mine-{first.next}")
        page, cursor = first.rows, ""
        if len(page) == size:
            return DeskPage(page, "others" if others.exists() else None)
    rest = keyset.forward(others, size=size - len(page), after=cursor, field="due_at")
    return DeskPage(page + rest.rows, f"others-{rest.next}" if rest.next else None)
