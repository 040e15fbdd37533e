"""The privileged attorney channel, where an agency enables it.

Agency admins verify a contact as an attorney (bar number and state), then make one of
that attorney's connections privileged. From then on every message of the connection,
earlier ones included:
- skips screening and review (``review.intake`` delivers it as it arrives);
- is not indexed for search, names no entities, and cannot be added to a case (it leaves
  any case it was in, and the search index, when the connection becomes privileged);
- is not shown to staff: histories say how many privileged messages they leave out, and
  each such refusal is written to the audit log.
The attorney and the resident read them as any message. Verifying and making privileged
are audited.
"""

from __future__ import annotations

import re

from django.db import transaction

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import DomainError
from homeward.enforcement import appeals
from homeward.facilities.models import Agency
from homeward.messaging import services as messaging
from homeward.messaging import status as message_status
from homeward.messaging.models import Message
from homeward.monitoring import entities, index
from homeward.monitoring.models import AttorneyVerification
from homeward.people import notices
from homeward.people.models import Contact, User
from homeward.photos import review as photo_review
from homeward.review.services import cancel_task_of

_BAR_NUMBER = re.compile(r"[A-Za-z0-9-]{2,40}")
_STATE = re.compile(r"[A-Z]{2}")


class PrivilegeError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__("privilege_refused", message)


def verify_attorney(
    *, staff: User, agency: Agency, contact: Contact, bar_number: str, bar_state: str
) -> AttorneyVerification:
    bar_number, bar_state = bar_number.strip(), bar_state.strip().upper()
    if not agency.privileged_channel:
        raise PrivilegeError(f"{agency.name} does not offer a privileged channel.")
    if not _BAR_NUMBER.fullmatch(bar_number) or not _STATE.fullmatch(bar_state):
        raise PrivilegeError("Give the bar number and the two-letter state of admission.")
    with transaction.atomic():
        verification, _ = AttorneyVerification.objects.update_or_create(
            agency=agency,
            contact=contact,
            defaults={
                "bar_number": bar_number,
                "bar_state": bar_state,
                "verified_by": staff,
                "verified_at": clock.now(),
            },
        )
        audit.record(
            actor=staff,
            action="attorney.verified",
            obj=contact,
            data={"agency": agency.pk, "bar_number": bar_number, "bar_state": bar_state},
        )
    return verification


def make_privileged(*, staff: User, connection: Connection) -> Connection:
    """Make a verified attorney's connection privileged, and take its messages out of
    search, entities and cases."""
    with transaction.atomic():
        # The agency's row first, as withdrawing the channel holds it: the channel is still
        # offered when the connection becomes privileged, or this waits and is refused.
        agency = Agency.objects.select_for_update().get(pk=connection.facility.agency_id)
        if not agency.privileged_channel:
            raise PrivilegeError(f"{agency.name} does not offer a privileged channel.")
        if (
            connection.contact is None
            or not AttorneyVerification.objects.filter(
                agency=agency, contact=connection.contact
            ).exists()
        ):
            raise PrivilegeError("Verify the contact as an attorney first.")
        connection = Connection.objects.select_for_update().get(pk=connection.pk)
        if connection.privileged:
            return connection
        connection.privileged = True
        connection.save(update_fields=["privileged"])
        # Wait for any message being screened now (its job holds it): screening read the
        # connection before this, so it may yet send the message to review.
        pending = Message.objects.select_for_update(of=("self",)).filter(
            connection=connection, status__in=message_status.PENDING
        )
        waiting = [m for m in pending.order_by("pk") if m.status == Message.Status.IN_REVIEW]
        ids = list(Message.objects.filter(connection=connection).values_list("pk", flat=True))
        index.unindex(ids)
        entities.forget(ids)
        # Cases keep their rows (a case's legal hold still covers them); case pages and
        # exports leave privileged messages out.
        # Nobody reviews the channel: photos and messages waiting for a reviewer go on
        # their way (the photos first: a message waits for its photos).
        photo_review.approve_waiting_on(connection.pk, actor=staff)
        for message in waiting:
            cancel_task_of(message)
            messaging.approve(message_id=message.pk, actor=staff)
        # Nor decides an appeal of one of its blocked messages: each is closed, the
        # sender told to send it again on the channel.
        appeals.close_on_privileged(connection_id=connection.pk, staff=staff)
        audit.record(
            actor=staff,
            action="connection.made_privileged",
            obj=connection,
            facility_id=connection.facility_id,
            data={"messages": len(ids)},
        )
    return connection


def set_offered(*, staff: User, agency: Agency, offered: bool) -> None:
    """Offer the channel or withdraw it. Withdrawing is refused while a connection is
    privileged: the facility page and the notice would then say no attorney's messages are
    private while some are."""
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency.pk).first()  # as notices publish
        kept = Connection.objects.filter(facility__agency=agency, privileged=True).count()
        if not offered and kept:
            raise PrivilegeError(
                f"{kept} connection{'s are' if kept > 1 else ' is'} privileged: the channel "
                "cannot be withdrawn while attorneys use it."
            )
        agency.privileged_channel = offered
        agency.save(update_fields=["privileged_channel"])
        audit.record(
            actor=staff, action="privileged_channel.set", obj=agency, data={"offered": offered}
        )
        notices.publish(agency=agency, staff=staff)


def attorneys_of(agency: Agency) -> list[AttorneyVerification]:
    return list(
        AttorneyVerification.objects.filter(agency=agency)
        .select_related("contact", "verified_by")
        .order_by("contact__display_name")[:200]
    )


def privileged_connections(agency: Agency) -> list[Connection]:
    return list(
        Connection.objects.filter(facility__agency=agency, privileged=True)
        .select_related("contact", "resident", "facility")
        .order_by("-updated_at")[:200]
    )
