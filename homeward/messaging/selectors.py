from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import pgettext_lazy

from homeward.connections.models import Connection
from homeward.core import keyset
from homeward.core.errors import NotFound
from homeward.messaging.models import Message
from homeward.people.models import Contact

S = Message.Status


class ConversationFields(TypedDict):
    """What ``conversations_of_contact`` adds to each connection."""

    last_message_at: dt.datetime | None  # the newest message the contact can see
    unread: int  # replies delivered to the contact and not yet opened
    changed_at: dt.datetime  # the last change of the connection or a message the contact sees


if TYPE_CHECKING:  # the stubs' helper, for type checking only
    from django_stubs_ext import WithAnnotations

    # A connection as ``conversations_of_contact`` returns it.
    Conversation: TypeAlias = WithAnnotations[Connection, ConversationFields]


def conversation(connection: Connection) -> QuerySet[Message]:
    return connection.messages.order_by("created_at", "id")


def visible_to_resident(connection: Connection) -> QuerySet[Message]:
    """What the resident sees: what they sent, and what reached their inbox."""
    from django.db.models import Q

    return conversation(connection).filter(
        Q(direction=Message.Direction.TO_CONTACT)
        | Q(direction=Message.Direction.TO_RESIDENT, status__in=[S.DELIVERED, S.READ])
    )


def visible_to_contact(connection: Connection) -> QuerySet[Message]:
    from django.db.models import Q

    return conversation(connection).filter(
        Q(direction=Message.Direction.TO_RESIDENT)
        | Q(direction=Message.Direction.TO_CONTACT, status__in=[S.DELIVERED, S.READ])
    )


# (stage, field): the stages' names are the record's (the archive's JSON, the API), in English.
TIMELINE = [
    ("submitted", "submitted_at"),
    ("screened", "screened_at"),
    ("in review", "in_review_at"),
    ("approved", "approved_at"),
    ("not delivered", "blocked_at"),
    ("returned", "returned_at"),
    ("delivered", "delivered_at"),
    ("read", "read_at"),
]
# The same stages as people read them, in their language (``shown_timeline``).
STAGE_WORDS = {
    "submitted": pgettext_lazy("message stage", "submitted"),
    "screened": pgettext_lazy("message stage", "screened"),
    "in review": pgettext_lazy("message stage", "in review"),
    "approved": pgettext_lazy("message stage", "approved"),
    "not delivered": pgettext_lazy("message stage", "not delivered"),
    "returned": pgettext_lazy("message stage", "returned"),
    "delivered": pgettext_lazy("message stage", "delivered"),
    "read": pgettext_lazy("message stage", "read"),
}


def has_messages() -> Exists:
    """For a query of connections: whether the connection has any message (one index probe
    each, not a join of every message)."""
    return Exists(Message.objects.filter(connection=OuterRef("pk")))


def timeline(message: Message) -> list[tuple[str, dt.datetime]]:
    """The stages this message has passed, with their times, in order."""
    stages = [(label, getattr(message, field)) for label, field in TIMELINE]
    return [(label, at) for label, at in stages if at is not None]


def shown_timeline(message: Message) -> list[tuple[str, dt.datetime]]:
    """``timeline`` as a page shows it: each stage in the reader's language."""
    return [(str(STAGE_WORDS[stage]), at) for stage, at in timeline(message)]


def unread_counts_for_resident(resident_id: int) -> dict[int, int]:
    """Delivered, not yet opened messages per connection of the resident, in one query."""
    rows = (
        Message.objects.filter(
            connection__resident_id=resident_id,
            direction=Message.Direction.TO_RESIDENT,
            status=S.DELIVERED,
        )
        .values("connection_id")
        .annotate(unread=Count("id"))
    )
    return {row["connection_id"]: row["unread"] for row in rows}


def _seen_by_contact(prefix: str = "") -> Q:
    """Messages a contact can see: everything they sent, replies that reached them."""
    return Q(**{f"{prefix}direction": Message.Direction.TO_RESIDENT}) | Q(
        **{f"{prefix}status__in": [S.DELIVERED, S.READ]}
    )


def conversations_of_contact(
    contact: Contact, *, changed_after: dt.datetime | None = None
) -> QuerySet[Conversation]:
    """The contact's conversations: active connections and any with messages, newest first.

    Each carries ``last_message_at`` (only messages the contact can see), ``unread``
    (replies delivered but not yet opened) and ``changed_at`` (the last change of the
    connection or of a message the contact can see); with ``changed_after``, only those
    that changed after it. Each is read from its connection's own index entries (the
    newest message seen, the last one changed, the replies not yet opened), never from all
    of its messages: an attorney with hundreds of clients and years of letters reads as
    many rows as one with a single new client.
    """
    seen = Message.objects.filter(_seen_by_contact(), connection=OuterRef("pk")).order_by()
    unread = (
        Message.objects.filter(
            connection=OuterRef("pk"),
            direction=Message.Direction.TO_CONTACT,
            status=S.DELIVERED,
        )
        .order_by()
        .values("connection")
        .annotate(count=Count("pk"))
        .values("count")
    )
    found = (
        Connection.objects.filter(contact=contact)
        .annotate(
            last_message_at=Subquery(seen.order_by("-created_at").values("created_at")[:1]),
            seen_changed_at=Subquery(seen.order_by("-updated_at").values("updated_at")[:1]),
        )
        .filter(Q(status=Connection.Status.ACTIVE) | Q(last_message_at__isnull=False))
        .select_related("resident", "facility")
        .annotate(
            unread=Coalesce(Subquery(unread), 0),
            changed_at=Greatest("updated_at", Coalesce("seen_changed_at", "updated_at")),
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-updated_at", "-pk")
    )
    if changed_after is not None:
        found = found.filter(changed_at__gt=changed_after)
    return found


def message_seen_by_contact(contact: Contact, message_id: int) -> Message:
    """One message of the contact's conversations that they can see (what they sent, a reply
    that reached them); NotFound for any other, as for one that does not exist."""
    try:
        return (
            Message.objects.filter(_seen_by_contact(), connection__contact=contact)
            .select_related("appeal__facility", "facility__policy")
            .get(pk=message_id)
        )
    except Message.DoesNotExist:
        raise NotFound() from None


def changed_in_conversation(
    connection: Connection, *, size: int, after: str
) -> keyset.Forward[Message]:
    """What the contact sees of the conversation that changed after the cursor ``after`` (of
    ``(updated_at, id)``), in the order it changed: one page of the ``message_changed``
    index."""
    seen = visible_to_contact(connection).select_related("appeal__facility", "facility__policy")
    return keyset.forward(seen, size=size, after=after, field="updated_at")


def earlier_in_conversation(message: Message, limit: int) -> list[Message]:
    """The ``limit`` messages of the conversation sent before ``message``, oldest first."""
    earlier = (
        Message.objects.filter(
            connection_id=message.connection_id, created_at__lt=message.created_at
        )
        .exclude(status=S.DRAFT)
        .order_by("-created_at", "-id")[:limit]
    )
    return list(earlier)[::-1]
