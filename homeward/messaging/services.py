"""Sending, screening, delivering and reading messages.

Every function here owns its transaction and moves status only through ``status.move``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.hooks import Hook
from homeward.jobs import services as jobs
from homeward.ledger import charges
from homeward.ledger import words as ledger_words
from homeward.messaging import status
from homeward.messaging.models import Message
from homeward.people import notices
from homeward.people.models import Contact, Resident

S = Message.Status

# Called in the returning transaction for each message returned undelivered: review
# registers cancelling the message's open review task (nobody needs to review it now).
message_returned: Hook[[Message]] = Hook("message_returned")
# Called before a message is accepted, with its connection locked: a receiver raises a
# DomainError to refuse it (enforcement: the sender's messaging is suspended), and nothing
# is sent or charged.
may_send: Hook[[Connection, Contact | Resident]] = Hook("may_send")
# Called before an approved message is delivered: a receiver raises NotDeliverable to hold
# it until a moment (delivery is tried again then) or to return it (and refund it).
may_deliver: Hook[[Message]] = Hook("may_deliver")


class NotDeliverable(Exception):
    def __init__(self, reason: str, *, until: dt.datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


def _connection_of_sender(sender: Contact | Resident, connection_id: int) -> Connection:
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("resident", "facility", "facility__policy", "contact")
        .filter(pk=connection_id)
        .first()
    )
    if connection is None:
        raise NotFound()
    # Read the resident again now that the connection is ours: a release that committed
    # while this waited for the lock must be seen (the join above read an older snapshot).
    connection.resident.refresh_from_db(fields=["status", "facility"])
    if isinstance(sender, Contact) and connection.contact_id != sender.pk:
        raise NotFound()
    if isinstance(sender, Resident) and connection.resident_id != sender.pk:
        raise NotFound()
    return connection


def check_can_send(connection: Connection) -> None:
    """Refuse (``DomainError``) a message on ``connection`` in the state it is in: blocked,
    the resident released or moved, not active. The send checks it; a quote asks it too."""
    if connection.status == Connection.Status.BLOCKED:
        raise PermissionDenied(_("Messaging is blocked on this connection."), "connection_blocked")
    if not connection.resident.in_custody:
        raise Conflict(
            "resident_released",
            _("%(name)s has been released; messaging has ended.")
            % {"name": connection.resident.full_name},
        )
    if connection.resident.facility_id != connection.facility_id:
        raise Conflict("resident_moved", _("This resident is no longer at this facility."))
    if not connection.is_active:
        raise Conflict(
            "connection_not_active",
            _("This connection is not active yet (%(status)s).")
            % {"status": connection.get_status_display().lower()},
        )


# Control characters other than tab and newline carry nothing a person wrote (and NUL cannot
# be stored in PostgreSQL text): they are dropped. Invisible formatting characters such as
# zero-width spaces are kept, for screening to see.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# Characters that take up no ink: format characters (zero-width spaces and joiners, U+2060,
# U+FEFF, bidi marks, tags), combining marks with nothing to sit on, separators, and letters
# and symbols that draw blank (Hangul fillers, the blank Braille pattern).
_INKLESS_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Mc", "Me"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _has_ink(text: str) -> bool:
    """Whether anything would show on the screen: a message of only invisible characters or
    whitespace of any kind is empty, however many of them there are."""
    return any(
        not char.isspace()
        and char not in _BLANK_GLYPHS
        and unicodedata.category(char) not in _INKLESS_CATEGORIES
        for char in text
    )


def validate_body(body: str, *, limit: int, may_be_empty: bool = False) -> str:
    """``body`` as it is kept, or a ``DomainError``: empty (unless ``may_be_empty``, for a
    message of photos alone) or longer than ``limit``."""
    body = _CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if may_be_empty and not _has_ink(body):
        return ""
    if not _has_ink(body):
        raise DomainError("message_empty", _("Write something before sending."))
    if len(body) > limit:
        raise DomainError(
            "message_too_long",
            _("This message is %(length)s characters; the limit here is %(limit)s.")
            % {"length": f"{len(body):,}", "limit": f"{limit:,}"},
        )
    return body


class Sent(NamedTuple):
    message: Message
    created: bool  # False: a repeat of the token, answered with the message sent before


def send_message(
    *,
    sender: Contact | Resident,
    connection_id: int,
    body: str,
    client_token: str = "",
    prepaid_reply: bool = False,
    photo_ids: Sequence[int] = (),
) -> Sent:
    """Submit a message: it is accepted and charged in one transaction, or neither happens.
    Every surface sends through here (the web, the kiosk and the API).

    ``photo_ids`` are photos the caller has checked it may attach (``photos.sending``, which
    attaches them in the same transaction): each is priced and charged on its own, and a
    message with photos may have no text.

    A repeated ``client_token`` with the same message returns the message already sent
    (``created`` False; the API answers 200 rather than 201), so a double-submitted form
    sends and charges once. A token is the sender's own, across all their conversations:
    the same token with another text, another conversation or another prepaid-reply choice
    is 409 idempotency_key_reused, and nothing is sent. The sender's row is held while the token is
    looked up and the message written, so twin requests are answered one after the other."""
    direction = (
        Message.Direction.TO_RESIDENT
        if isinstance(sender, Contact)
        else Message.Direction.TO_CONTACT
    )
    client_token = client_token.strip()[:64]
    with transaction.atomic():
        if client_token:
            _hold_sender(sender)
        connection = _connection_of_sender(sender, connection_id)
        if client_token:
            earlier = _sent_with_token(sender, direction, client_token)
            if earlier is not None:
                _check_same_message(
                    earlier,
                    connection=connection,
                    body=body,
                    prepaid_reply=prepaid_reply,
                    photo_count=len(photo_ids),
                )
                return Sent(earlier, created=False)
        check_can_send(connection)
        may_send(connection, sender)
        if isinstance(sender, Contact):
            notices.check_accepted(sender, connection.facility.agency_id)
        body = validate_body(
            body,
            limit=connection.facility.policy.message_length_limit,
            may_be_empty=bool(photo_ids),
        )
        now = clock.now()
        price = charges.price_message(
            connection=connection,
            to_resident=direction == Message.Direction.TO_RESIDENT,
            characters=len(body),
            at=now,
            prepaid_reply=prepaid_reply,
            photos=len(photo_ids),
        )
        message = Message.objects.create(
            connection=connection,
            facility=connection.facility,
            resident_id=connection.resident_id,
            # An active connection has its contact (only an open invitation has none).
            contact_id=cast(int, connection.contact_id),
            direction=direction,
            body=body,
            status=S.DRAFT,
            client_token=client_token,
            created_at=now,
            photo_count=len(photo_ids),
        )
        charges.charge_message(
            message=message, connection=connection, price=price, photo_ids=photo_ids
        )
        actor = sender.user if isinstance(sender, Contact) else sender
        status.move(message, S.SUBMITTED, actor=actor)
        jobs.enqueue("screen_message", facility_id=message.facility_id, message_id=message.pk)
    return Sent(message, created=True)


def _hold_sender(sender: Contact | Resident) -> None:
    """Lock the sender's row for this transaction (``FOR NO KEY UPDATE``: rows that only
    point at the sender are not held up), so one token is looked up and used by one request
    at a time, whichever conversation it names."""
    list(type(sender).objects.select_for_update(no_key=True).filter(pk=sender.pk).values("pk"))


def _sent_with_token(sender: Contact | Resident, direction: str, token: str) -> Message | None:
    mine = (
        {"connection__contact_id": sender.pk}
        if isinstance(sender, Contact)
        else {"connection__resident_id": sender.pk}
    )
    return (
        Message.objects.filter(direction=direction, client_token=token, **mine)
        .select_related("connection", "facility__policy")
        .order_by("id")
        .first()
    )


def _check_same_message(
    earlier: Message, *, connection: Connection, body: str, prepaid_reply: bool, photo_count: int
) -> None:
    """A repeat must ask for what the first request asked for; otherwise it is refused.
    (Here as many photos; ``photos.sending`` compares which.)"""
    try:
        same_body = earlier.body == validate_body(
            body,
            limit=connection.facility.policy.message_length_limit,
            may_be_empty=not earlier.body,
        )
    except DomainError:
        same_body = False
    same = (
        earlier.connection_id == connection.pk
        and same_body
        and charges.prepaid_reply_of(earlier) == prepaid_reply
        and earlier.photo_count == photo_count
    )
    if not same:
        raise Conflict(
            "idempotency_key_reused",
            _(
                "This message token was already used for a different message; nothing was "
                "sent. Send again with a new token."
            ),
        )


def _locked_message(message_id: int) -> Message:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("facility", "facility__policy", "connection", "connection__resident")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise NotFound()
    return message


def begin_screening(*, message_id: int) -> Message | None:
    """Lock a submitted message and mark it as being screened (in the caller's
    transaction). None when it has already left 'submitted' (a job that runs twice)."""
    message = _locked_message(message_id)
    if message.status != S.SUBMITTED:
        return None
    status.move(message, S.SCREENING, actor="screening")
    return message


def finish_screening(
    *, message: Message, to: str, screened_at: dt.datetime, block_category: str = ""
) -> None:
    """Send a message on from screening (in the caller's transaction): blocked (refunded
    where the facility refunds), to review, or approved and delivered at once."""
    if to == S.BLOCKED:
        status.move(
            message,
            S.BLOCKED,
            actor="screening",
            block_category=block_category,
            screened_at=screened_at,
        )
        _refund_blocked(message)
    elif to == S.IN_REVIEW:
        status.move(message, S.IN_REVIEW, actor="screening", screened_at=screened_at)
    elif to == S.APPROVED:
        # Nobody needs to see it: delivered in this same job, not by another one.
        status.move(message, S.APPROVED, actor="screening", screened_at=screened_at)
        _deliver(message)
    else:
        raise ValueError(f"screening cannot send a message to {to!r}")


def approve(*, message_id: int, actor: Any) -> Message:
    with transaction.atomic():
        message = _locked_message(message_id)
        status.move(message, S.APPROVED, actor=actor)
        jobs.enqueue("deliver_message", facility_id=message.facility_id, message_id=message.pk)
    return message


def block(*, message_id: int, actor: Any, category: str, note: str = "") -> Message:
    with transaction.atomic():
        message = _locked_message(message_id)
        status.move(message, S.BLOCKED, actor=actor, block_category=category, block_note=note)
        _refund_blocked(message)
    return message


def overturn_block(*, message_id: int, actor: Any) -> Message:
    """A block overturned on appeal (in the caller's transaction): the message is approved
    and delivered. What was refunded when it was blocked stays refunded: the facility's
    mistake is not charged again."""
    message = _locked_message(message_id)
    status.move(message, S.APPROVED, actor=actor)
    jobs.enqueue("deliver_message", facility_id=message.facility_id, message_id=message.pk)
    return message


def _refund_blocked(message: Message) -> None:
    if message.facility.policy.refund_on_block:
        charges.refund_message(message=message, reason=ledger_words.NOT_DELIVERED.stored())


def deliver(*, message_id: int) -> None:
    """Put an approved message in the recipient's inbox. Idempotent."""
    with transaction.atomic():
        _deliver(_locked_message(message_id))


def _deliver(message: Message) -> None:
    """``deliver`` for a message the caller has locked, in the caller's transaction."""
    if message.status != S.APPROVED:
        return
    reason = _undeliverable(message)
    if not reason:
        try:
            may_deliver(message)
        except NotDeliverable as stop:
            if stop.until is not None:  # held: try again when it may go
                jobs.enqueue(
                    "deliver_message",
                    run_after=stop.until,
                    facility_id=message.facility_id,
                    message_id=message.pk,
                )
                return
            reason = stop.reason
    if reason:
        status.move(message, S.RETURNED, actor="system", return_reason=reason)
        charges.refund_message(message=message, reason=reason)
        message_returned(message)
        return
    status.move(message, S.DELIVERED, actor="delivery")


def _undeliverable(message: Message) -> str:
    """Why an approved message can no longer be delivered, or ''."""
    connection = message.connection
    resident = connection.resident
    if connection.status != Connection.Status.ACTIVE:
        return "connection no longer active"
    if not resident.in_custody:
        return "resident released"
    if resident.facility_id != message.facility_id:
        return "resident moved to another facility"
    return ""


def mark_read(*, reader: Contact | Resident, message_id: int) -> Message:
    """The recipient opened the message; the sender sees it read. Reading again is a no-op."""
    with transaction.atomic():
        message = _locked_message(message_id)
        connection = message.connection
        if isinstance(reader, Contact):
            mine = connection.contact_id == reader.pk and not message.to_resident
            actor: Any = reader.user
        else:
            mine = connection.resident_id == reader.pk and message.to_resident
            actor = reader
        if not mine or message.status not in (S.DELIVERED, S.READ):
            raise NotFound()
        if message.status == S.DELIVERED:
            status.move(message, S.READ, actor=actor)
    return message


def mark_conversation_read(
    *, reader: Contact | Resident, connection_id: int, up_to_message_id: int | None = None
) -> list[int]:
    """The reader saw the conversation: every message delivered to them (up to and including
    ``up_to_message_id``, the newest they saw, when given) is now read, in one transaction.
    Returns the ids that became read.

    The web and the kiosk call this when a person opens the conversation; the API only when
    the app says the person saw it, so a phone syncing in the background marks nothing."""
    with transaction.atomic():
        if isinstance(reader, Contact):
            scope = {"connection__contact": reader, "direction": Message.Direction.TO_CONTACT}
            actor: Any = reader.user
        else:
            scope = {"connection__resident": reader, "direction": Message.Direction.TO_RESIDENT}
            actor = reader
        unread_here = Message.objects.select_for_update().filter(
            connection_id=connection_id, status=S.DELIVERED, **scope
        )
        if up_to_message_id is not None:
            unread_here = unread_here.filter(pk__lte=up_to_message_id)
        unread = list(unread_here.order_by("id"))
        for message in unread:
            status.move(message, S.READ, actor=actor)
    return [message.pk for message in unread]


def return_pending_messages_of(connection: Connection, reason: str) -> None:
    """``return_pending_messages`` as the receiver of ``connections.services.connection_closed``."""
    return_pending_messages(connection=connection, reason=reason)


def return_pending_messages(*, connection: Connection, reason: str) -> int:
    """Return every message still on its way on this connection (the caller's transaction)."""
    count = 0
    pending = Message.objects.select_for_update().filter(
        connection=connection, status__in=status.PENDING
    )
    for message in pending:
        status.move(message, S.RETURNED, actor="system", return_reason=reason)
        charges.refund_message(message=message, reason=reason)
        message_returned(message)
        count += 1
    if count:
        audit.record(
            actor="system",
            action="connection.messages_returned",
            obj=connection,
            facility_id=connection.facility_id,
            data={"count": count, "reason": reason},
        )
    return count


def refuse_closing_while_in_review(contact: Contact) -> None:
    """The receiver of ``people.account.may_close``: a contact whose messages are still
    being screened or reviewed waits for the decisions before closing the account."""
    waiting = Message.objects.filter(
        connection__contact=contact,
        direction=Message.Direction.TO_RESIDENT,
        status__in=(S.SUBMITTED, S.SCREENING, S.IN_REVIEW),
    ).count()
    if waiting:
        raise Conflict(
            "messages_in_review",
            ngettext(
                "%(count)s of your messages is still being reviewed. You can close your "
                "account once it is decided; nothing was changed.",
                "%(count)s of your messages are still being reviewed. You can close your "
                "account once they are decided; nothing was changed.",
                waiting,
            )
            % {"count": waiting},
        )
