"""Every change to a connection goes through one of these functions."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.connections.models import OPEN_STATUSES, Connection, ConnectionEvent
from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.hooks import Hook
from homeward.core.transitions import StatusTable
from homeward.facilities.connection_policies import rule_of
from homeward.facilities.models import Facility
from homeward.people import access, account
from homeward.people.models import Contact, Resident, User

C = Connection.Status
Side = Connection.Side

TRANSITIONS: dict[str, frozenset[str]] = {
    C.REQUESTED: frozenset(
        {C.PENDING_STAFF, C.ACTIVE, C.DECLINED, C.WITHDRAWN, C.BLOCKED, C.ENDED}
    ),
    C.INVITED: frozenset({C.PENDING_STAFF, C.ACTIVE, C.DECLINED, C.EXPIRED, C.BLOCKED, C.ENDED}),
    C.PENDING_STAFF: frozenset({C.ACTIVE, C.DENIED, C.WITHDRAWN, C.BLOCKED, C.ENDED}),
    C.ACTIVE: frozenset({C.BLOCKED, C.ENDED}),
    C.DECLINED: frozenset({C.REQUESTED, C.INVITED}),
    C.WITHDRAWN: frozenset({C.REQUESTED, C.INVITED}),
    C.EXPIRED: frozenset({C.INVITED}),
    C.DENIED: frozenset(),
    C.BLOCKED: frozenset(),
    C.ENDED: frozenset(),
}
# Statuses from which the contact may ask again (a request they withdrew, or one declined).
MAY_ASK_AGAIN = frozenset({C.DECLINED, C.WITHDRAWN})
# How long after withdrawing a request the contact may ask again.
REASK_AFTER = dt.timedelta(days=1)
# Statuses a contact may withdraw from: waiting for the resident's or the staff's answer.
WITHDRAWABLE = frozenset({C.REQUESTED, C.PENDING_STAFF})
# Statuses that end messaging: pending messages on the connection are returned.
CLOSING = frozenset({C.BLOCKED, C.ENDED, C.DENIED})

# Called in the closing transaction with the connection and why it closed: messaging
# registers returning (and refunding) what is still on its way.
connection_closed: Hook[[Connection, str]] = Hook("connection_closed")
# Called in the moving transaction after every status change: (connection, from, to).
# Notifications registers telling both sides (a request came in, it was approved).
connection_moved: Hook[[Connection, str, str]] = Hook("connection_moved")


TABLE = StatusTable(
    kind="connection",
    transitions=TRANSITIONS,
    history=ConnectionEvent,
    history_field="connection",
    updated_field="updated_at",
    moved=connection_moved,
)


def _move(
    connection: Connection, target: str, *, actor: Any, reason: str = "", **fields: Any
) -> Connection:
    TABLE.move(connection, target, actor=actor, reason=reason, **fields)
    if target in CLOSING:
        connection_closed(connection, f"connection {target}")
    return connection


def _locked(pk: int) -> Connection:
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("resident", "facility")
        .filter(pk=pk)
        .first()
    )
    if connection is None:
        raise NotFound()  # an unknown id gets the same answer as someone else's
    return connection


def _after_both_sides_agree(connection: Connection, *, actor: Any) -> Connection:
    """Both people want the connection: it needs staff approval, or it starts now."""
    if connection.facility.policy.staff_approval:
        return _move(connection, C.PENDING_STAFF, actor=actor)
    _check_cap(connection)
    return _move(connection, C.ACTIVE, actor=actor)


def _lock(resident: Resident | int) -> None:
    """Serialise changes to one resident's connections: two requests at once cannot both
    create the pair's row, and two approvals cannot both take the last place under the cap."""
    pk = resident if isinstance(resident, int) else resident.pk
    Resident.objects.select_for_update().filter(pk=pk).first()


def _check_cap(connection: Connection) -> None:
    _lock(connection.resident_id)
    cap = connection.facility.policy.contact_cap
    active = Connection.objects.filter(resident=connection.resident, status=C.ACTIVE).count()
    if active >= cap:
        raise Conflict(
            "contact_cap_reached",
            ngettext(
                "%(name)s already has %(count)s active contact, the most this facility allows.",
                "%(name)s already has %(count)s active contacts, the most this facility allows.",
                active,
            )
            % {"name": connection.resident.first_name, "count": active},
        )


def find_resident(*, facility: Facility, number: str) -> Resident:
    """Exact match on resident number at one facility; anything else is 'not found'."""
    number = number.strip()
    resident = Resident.objects.filter(agency_id=facility.agency_id, number__iexact=number).first()
    if resident is None or resident.facility_id != facility.pk:
        raise NotFound(
            _(
                "No resident with number %(number)r is at %(facility)s. Check the number and "
                "the facility."
            )
            % {"number": number, "facility": facility.name},
            "resident_not_found",
        )
    return resident


class Requested(NamedTuple):
    connection: Connection
    created: bool  # False: asked before, or already connected; this call changed nothing


def asking_again_from(connection: Connection | None) -> dt.datetime | None:
    """When the contact may ask again after withdrawing this request; None when they may
    now (or it was not withdrawn). Each request puts a notice on the resident's kiosk:
    withdrawing and asking again must not become a way to flood it."""
    if connection is None or connection.status != C.WITHDRAWN:
        return None
    again = connection.updated_at + REASK_AFTER
    return again if again > clock.now() else None


def _at(facility: Facility, moment: dt.datetime) -> dt.datetime:
    """``moment`` in the facility's time, as people there read it."""
    return timezone.localtime(moment, ZoneInfo(facility.timezone))


def request_connection(*, contact: Contact, facility: Facility, number: str) -> Requested:
    """A contact asks to write to the resident with ``number`` at ``facility``. Asking again
    answers the connection asked for before, with ``created`` False (asking again after the
    resident declined is a new request)."""
    resident = find_resident(facility=facility, number=number)
    if not resident.in_custody:
        raise Conflict(
            "resident_released", _("%(name)s has been released.") % {"name": resident.full_name}
        )
    rule = rule_of(facility.policy)
    if not rule.contacts_ask:
        raise PermissionDenied(
            _(
                "At %(facility)s only residents can add contacts. Ask %(name)s to invite you by "
                "email: Homeward emails you the invitation, with a link to accept it."
            )
            % {"facility": facility.name, "name": resident.first_name},
            "invite_only",
        )
    with transaction.atomic():
        _lock(resident)
        existing = (
            Connection.objects.select_for_update()
            .filter(contact=contact, resident=resident)
            .first()
        )
        if existing is not None:
            again = asking_again_from(existing)
            if again is not None:
                raise Conflict(
                    "asked_too_soon",
                    _("You withdrew your request. You can ask again from %(when)s.")
                    % {"when": formats.date_format(_at(facility, again), "DATETIME_FORMAT")},
                )
            if existing.status in MAY_ASK_AGAIN:
                connection = _move(existing, C.REQUESTED, actor=contact.user)
            elif existing.status in (C.BLOCKED, C.DENIED, C.ENDED):
                raise PermissionDenied(
                    _("You cannot connect with this person."), "connection_closed"
                )
            else:
                # Already asked, or already connected: nothing new to do.
                return Requested(existing, created=False)
        else:
            now = clock.now()
            connection = Connection.objects.create(
                contact=contact,
                resident=resident,
                facility=facility,
                status=C.REQUESTED,
                initiated_by=Side.CONTACT,
                created_at=now,
                updated_at=now,
            )
            ConnectionEvent.objects.create(
                connection=connection,
                to_status=C.REQUESTED,
                actor_label=audit.actor_label(contact.user),
                actor_user=contact.user,
                at=now,
            )
            audit.record(
                actor=contact.user,
                action="connection.requested",
                obj=connection,
                facility_id=facility.pk,
            )
            connection_moved(connection, "", C.REQUESTED)
        if not rule.resident_accepts:
            connection = _after_both_sides_agree(
                connection, actor=f"policy:{facility.policy.connection_policy}"
            )
        return Requested(connection, created=True)


def respond_to_request(*, resident: Resident, connection_id: int, accept: bool) -> Connection:
    with transaction.atomic():
        connection = _locked(connection_id)
        if connection.resident_id != resident.pk:
            raise NotFound()
        if accept and not resident.in_custody:
            raise Conflict("resident_released", _("Messaging has ended for this account."))
        if connection.status != C.REQUESTED:
            raise Conflict("not_pending", _("This request has already been answered."))
        if not accept:
            return _move(connection, C.DECLINED, actor=resident)
        return _after_both_sides_agree(connection, actor=resident)


# Invitations are emailed to whatever address a resident types: a person who declined is not
# asked again by the same resident for a month, and a resident sends only so many a day.
REINVITE_AFTER = dt.timedelta(days=30)
INVITATIONS_A_DAY = 10


def invite_contact(*, resident: Resident, email: str) -> Connection:
    """A resident invites someone by email (facilities with resident invites); the address
    is emailed the invitation (notifications, through ``connection_moved``)."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("email_invalid", _("Enter a valid email address.")) from None
    policy = resident.facility.policy
    if not rule_of(policy).residents_invite:
        raise PermissionDenied(
            _("At this facility contacts ask to connect; you accept their requests."),
            "invites_not_used",
        )
    if not resident.in_custody:
        raise Conflict("resident_released", _("Messaging has ended for this account."))
    # Only a verified address names its account; otherwise the invitation waits for whoever
    # proves they read that email.
    contact = Contact.objects.filter(
        user__email__iexact=email, email_verified_at__isnull=False, closed_at__isnull=True
    ).first()
    now = clock.now()
    expires = now + dt.timedelta(days=policy.invite_days)
    with transaction.atomic():
        _lock(resident)
        lookup = {"contact": contact} if contact else {"contact": None, "invite_email": email}
        existing = (
            Connection.objects.select_for_update().filter(resident=resident, **lookup).first()
        )
        if existing is not None:
            if existing.status == C.DECLINED and existing.updated_at > now - REINVITE_AFTER:
                again = existing.updated_at + REINVITE_AFTER
                raise Conflict(
                    "invitation_declined",
                    _(
                        "%(email)s declined your invitation. You can invite them again from "
                        "%(date)s."
                    )
                    % {"email": email, "date": formats.date_format(again, "DATE_FORMAT")},
                )
            if existing.status in (C.DECLINED, C.WITHDRAWN, C.EXPIRED):
                _check_invitations_today(resident, now)
                return _move(existing, C.INVITED, actor=resident, invite_expires_at=expires)
            if existing.status in (C.BLOCKED, C.DENIED, C.ENDED):
                raise PermissionDenied(_("You cannot invite this person."), "connection_closed")
            return existing
        _check_invitations_today(resident, now)
        connection = Connection.objects.create(
            contact=contact,
            resident=resident,
            facility=resident.facility,
            status=C.INVITED,
            initiated_by=Side.RESIDENT,
            invite_email=email,
            invite_expires_at=expires,
            created_at=now,
            updated_at=now,
        )
        ConnectionEvent.objects.create(
            connection=connection,
            to_status=C.INVITED,
            actor_label=audit.actor_label(resident),
            at=now,
        )
        audit.record(
            actor=resident,
            action="connection.invited",
            obj=connection,
            facility_id=resident.facility_id,
            data={"email": email},
        )
        connection_moved(connection, "", C.INVITED)
    return connection


def _check_invitations_today(resident: Resident, now: dt.datetime) -> None:
    sent = ConnectionEvent.objects.filter(
        connection__resident=resident, to_status=C.INVITED, at__gt=now - dt.timedelta(days=1)
    ).count()
    if sent >= INVITATIONS_A_DAY:
        raise Conflict(
            "too_many_invitations",
            _(
                "You have sent %(count)s invitations in the last day, the most we send. Try "
                "again tomorrow."
            )
            % {"count": sent},
        )


def claim_invitations(*, contact: Contact) -> int:
    """Attach invitations sent to this contact's email before they had an account, once
    they have proved the address is theirs."""
    if contact.email_verified_at is None:
        return 0
    claimed = 0
    with transaction.atomic():
        waiting = Connection.objects.filter(
            contact__isnull=True, invite_email__iexact=contact.user.email
        ).values_list("resident_id", "pk")
        for resident_id, pk in sorted(waiting):
            # The resident first, as a request to connect takes it: a request made at the
            # same moment sees the claimed invitation, or this sees its connection.
            _lock(resident_id)
            invitation = (
                Connection.objects.select_for_update().filter(pk=pk, contact__isnull=True).first()
            )
            if invitation is None:
                continue  # claimed at the same moment
            if Connection.objects.filter(contact=contact, resident_id=resident_id).exists():
                continue  # they already have a connection with this resident
            invitation.contact = contact
            invitation.save(update_fields=["contact"])
            claimed += 1
    return claimed


def claim_invitations_of(contact: Contact) -> None:
    """``claim_invitations`` as the receiver of ``people.account.email_verified``."""
    claim_invitations(contact=contact)


def respond_to_invitation(*, contact: Contact, connection_id: int, accept: bool) -> Connection:
    with transaction.atomic():
        connection = _locked(connection_id)
        if connection.contact_id != contact.pk:
            raise NotFound()
        if connection.status != C.INVITED:
            raise Conflict("not_pending", _("This invitation has already been answered."))
        if accept and not connection.resident.in_custody:
            raise Conflict(
                "resident_released",
                _("%(name)s has been released.") % {"name": connection.resident.first_name},
            )
        expired = bool(connection.invite_expires_at and connection.invite_expires_at < clock.now())
        if expired:
            _move(connection, C.EXPIRED, actor="system")
        elif not accept:
            return _move(connection, C.DECLINED, actor=contact.user)
        else:
            return _after_both_sides_agree(connection, actor=contact.user)
    raise Conflict(
        "invitation_expired",
        _("This invitation has expired. Ask the resident to invite you again."),
    )


def block(*, by: Contact | Resident, connection_id: int) -> Connection:
    """Either side may block the other; messaging stops and pending messages are returned."""
    with transaction.atomic():
        connection = _locked(connection_id)
        actor: User | Resident
        if isinstance(by, Contact):
            mine, side, actor = connection.contact_id == by.pk, Side.CONTACT, by.user
        else:
            mine, side, actor = connection.resident_id == by.pk, Side.RESIDENT, by
        if not mine:
            raise NotFound()
        if connection.status == C.BLOCKED:
            return connection
        return _move(connection, C.BLOCKED, actor=actor, blocked_by=side)


def withdraw(*, contact: Contact, connection_id: int) -> Connection:
    """The contact takes back a connection still waiting for the resident or for staff:
    it leaves the resident's and the staff's lists, and the contact may ask again a day
    later (``REASK_AFTER``).
    Withdrawing again changes nothing; one already answered is 409 ``not_pending``.

    Blocking has no undo (the pages say so before anyone blocks): withdrawing is how a
    contact takes back a request without closing the door."""
    with transaction.atomic():
        connection = _locked(connection_id)
        if connection.contact_id != contact.pk:
            raise NotFound()
        if connection.status == C.WITHDRAWN:
            return connection
        if connection.status not in WITHDRAWABLE:
            raise Conflict("not_pending", _("This connection is not waiting for an answer."))
        return _move(connection, C.WITHDRAWN, actor=contact.user)


def staff_decide(*, staff: User, connection_id: int, approve: bool, reason: str = "") -> Connection:
    with transaction.atomic():
        connection = _locked(connection_id)
        if not access.can_review(staff, connection.facility_id):
            raise NotFound()
        if connection.status != C.PENDING_STAFF:
            raise Conflict("not_pending", _("This connection is not waiting for approval."))
        if approve:
            # Read the resident now that the connection is ours: a release that committed
            # while this waited for the lock must be seen.
            connection.resident.refresh_from_db(fields=["status"])
            if not connection.resident.in_custody:
                raise Conflict(
                    "resident_released",
                    _("%(name)s has been released; this connection cannot start.")
                    % {"name": connection.resident.full_name},
                )
            _check_cap(connection)
            return _move(connection, C.ACTIVE, actor=staff, reason=reason)
        if not reason.strip():
            raise DomainError("reason_required", _("Say why the connection is denied."))
        return _move(connection, C.DENIED, actor=staff, reason=reason.strip())


def staff_end(*, staff: User, connection_id: int, reason: str) -> Connection:
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the connection is ended."))
    with transaction.atomic():
        connection = _locked(connection_id)
        if not access.can_review(staff, connection.facility_id):
            raise NotFound()
        reason = reason.strip()
        return _move(connection, C.ENDED, actor=staff, reason=reason, end_reason=reason)


# Every connection a closing account still has open ends with it.
OPEN = OPEN_STATUSES
ACCOUNT_CLOSED = "The contact closed their account."


def end_all_of(contact: Contact) -> None:
    """The receiver of ``people.account.account_closing``: the contact's open connections
    end, so what is still on its way is returned and refunded (``connection_closed``)."""
    ids = Connection.objects.filter(contact=contact, status__in=OPEN).values_list("pk", flat=True)
    for pk in sorted(ids):
        connection = _locked(pk)
        if connection.status in OPEN:
            _move(
                connection,
                C.ENDED,
                actor=contact.user,
                reason=ACCOUNT_CLOSED,
                end_reason=ACCOUNT_CLOSED,
            )


# --- the link in an invitation email ------------------------------------------------------

INVITATION_SALT = "homeward.connections.invitation"


def invitation_token(connection: Connection) -> str:
    """The key in an invitation email's link: this connection, for this address."""
    return signing.dumps(
        {"connection": connection.pk, "email": connection.invite_email}, salt=INVITATION_SALT
    )


def invitation_of(token: str) -> Connection:
    """The invitation a link names; anything but a genuine link is NotFound."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        raise NotFound(_("This invitation link is not valid. Check that it is complete.")) from None
    connection = (
        Connection.objects.select_related("resident", "facility", "contact__user")
        .filter(pk=data.get("connection"), invite_email__iexact=data.get("email", ""))
        .first()
    )
    if connection is None:
        raise NotFound(_("This invitation link is not valid any more."))
    return connection


def answer_invitation_link(*, contact: Contact, token: str, accept: bool) -> Connection:
    """Accept or decline the invitation a link names, as the contact signed in with the
    address it was sent to. Following the link proves the address is theirs, so it is
    confirmed now and the invitation becomes theirs (a new account needs no other email)."""
    invitation = invitation_of(token)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().select_related("user").get(pk=contact.pk)
        if contact.user.email.lower() != invitation.invite_email.lower():
            raise PermissionDenied(
                _("This invitation was sent to %(email)s. Sign in with that email to answer it.")
                % {"email": invitation.invite_email},
                "invitation_not_yours",
            )
        account.mark_verified(contact)  # claims the invitations sent to the address
        connection = _locked(invitation.pk)
        if connection.contact_id is None:
            # They already have a connection with this resident: that one stands.
            raise Conflict("not_pending", _("You already have a connection with this person."))
        return respond_to_invitation(contact=contact, connection_id=connection.pk, accept=accept)


def decline_invitation_link(*, token: str) -> Connection:
    """Whoever reads the invitation email declines it by its link, with no account needed
    (the resident may invite again only after ``REINVITE_AFTER``)."""
    invitation = invitation_of(token)
    with transaction.atomic():
        connection = _locked(invitation.pk)
        if connection.status != C.INVITED:
            raise Conflict("not_pending", _("This invitation has already been answered."))
        return _move(connection, C.DECLINED, actor="invited address")
