"""A contact's archive: every message they can see, in both directions, each with its
timeline, and their money statement, as JSON (the record), a printable PDF and an mbox
that any mail program opens.

An archive is written as it is sent: messages are read from the contact's own index in
chunks, so an account with tens of thousands of messages never sits in memory. It holds
what the contact sees on their conversation pages: everything they sent (blocked,
returned and not yet delivered too, with what became of it) and the replies that reached
them; never a draft, never a reply that did not reach them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from io import BytesIO

from django.db.models import Q, QuerySet

from homeward.core import audit, clock, pdf
from homeward.ledger import statements
from homeward.messaging import selectors
from homeward.messaging.models import Message
from homeward.people.models import Contact

S = Message.Status
CHUNK = 500  # messages read from the database at a time
# The addresses an mbox gives the two sides: no mail is ever sent to them.
DOMAIN = "homeward.invalid"


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str
    label: str


FORMATS = {
    f.name: f
    for f in (
        Format("json", "application/json", "json", "JSON, the complete record"),
        Format("pdf", "application/pdf", "pdf", "PDF, to read or print"),
        Format("mbox", "application/mbox", "mbox", "mbox, for a mail program"),
    )
}


def messages_of(contact: Contact) -> QuerySet[Message]:
    """What the contact sees, oldest first, along their own index."""
    seen = Q(direction=Message.Direction.TO_RESIDENT) | Q(status__in=[S.DELIVERED, S.READ])
    return (
        Message.objects.filter(seen, contact=contact)
        .exclude(status=S.DRAFT)
        .select_related("resident", "facility")
        .order_by("created_at", "id")
    )


def count_of(contact: Contact) -> int:
    return messages_of(contact).count()


def write(*, contact: Contact, format: str) -> Iterator[bytes]:
    """The archive in ``format`` ("json", "pdf" or "mbox"), piece by piece. Taking one is
    recorded in the audit log (what was taken, never what it says)."""
    if format not in FORMATS:
        raise ValueError(f"unknown archive format {format!r}")
    audit.record(
        actor=contact.user,
        action="archive.downloaded",
        obj=contact,
        data={"format": format},
    )
    made = clock.now()
    if format == "json":
        return _json(contact, made)
    if format == "mbox":
        return _mbox(contact)
    return pdf.stream(f"Homeward archive of {contact.display_name}", _lines(contact, made))


def filename(contact: Contact, format: str, at: dt.datetime) -> str:
    return f"homeward-archive-{contact.pk}-{at:%Y-%m-%d}.{FORMATS[format].extension}"


def _each(contact: Contact) -> Iterator[Message]:
    return messages_of(contact).iterator(chunk_size=CHUNK)


def _side(message: Message, contact: Contact) -> tuple[str, str]:
    """(from, to) as people read them."""
    resident = f"{message.resident.full_name} (#{message.resident.number})"
    if message.to_resident:
        return contact.display_name, resident
    return resident, contact.display_name


def _record(message: Message, contact: Contact) -> dict[str, object]:
    sender, recipient = _side(message, contact)
    return {
        "id": message.pk,
        "conversation": message.connection_id,
        "facility": {"code": message.facility.code, "name": message.facility.name},
        "resident": {"number": message.resident.number, "name": message.resident.full_name},
        "direction": message.direction,
        "from": sender,
        "to": recipient,
        "status": message.status,
        "status_label": message.get_status_display(),
        "written_at": message.created_at.isoformat(),
        "timeline": [
            {"stage": stage, "at": at.isoformat()} for stage, at in selectors.timeline(message)
        ],
        "not_delivered_because": message.block_category or None,
        "returned_because": message.return_reason or None,
        "text": message.body,
    }


def _statement(contact: Contact) -> list[dict[str, object]]:
    return [
        {
            "at": line.at.isoformat(),
            "facility": line.facility,
            "what": line.what,
            "card_cents": line.card_cents,
            "wallet_cents": line.wallet_cents,
            "wallet_after_cents": line.wallet_after,
        }
        for line in statements.statement(contact)
    ]


def _json(contact: Contact, made: dt.datetime) -> Iterator[bytes]:
    head = {
        "archive_of": {"name": contact.display_name, "email": contact.user.email},
        "made_at": made.isoformat(),
        "statement": _statement(contact),
    }
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # without the last "}"
    yield (opening + ',\n "messages": [\n').encode()
    first = True
    for message in _each(contact):
        text = json.dumps(_record(message, contact), ensure_ascii=False)
        yield (("  " if first else ",\n  ") + text).encode()
        first = False
    yield b"\n ]\n}\n"


def _mbox(contact: Contact) -> Iterator[bytes]:
    """One mail per message, in the mboxrd form: a "From " line before each, and a body
    line that begins with "From " (or ">From ") gets one more ">"."""
    for message in _each(contact):
        mail = EmailMessage(policy=SMTP)
        sender, recipient = _side(message, contact)
        ours = f"contact-{contact.pk}@{DOMAIN}"
        theirs = f"resident-{message.resident.number.lower()}@{message.facility.code}.{DOMAIN}"
        mail["From"] = f"{sender} <{ours if message.to_resident else theirs}>"
        mail["To"] = f"{recipient} <{theirs if message.to_resident else ours}>"
        mail["Date"] = format_datetime(message.created_at)
        mail["Subject"] = f"Message {message.pk} ({message.get_status_display()})"
        mail["Message-ID"] = f"<message-{message.pk}@{DOMAIN}>"
        stages = "; ".join(f"{s} {at.isoformat()}" for s, at in selectors.timeline(message))
        mail["X-Homeward-Timeline"] = stages
        mail.set_content(message.body)
        out = BytesIO()
        BytesGenerator(out, mangle_from_=False, policy=SMTP).flatten(mail)
        lines = out.getvalue().replace(b"\r\n", b"\n").split(b"\n")
        escaped = [
            b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines
        ]
        envelope = f"From {ours} {message.created_at:%a %b %d %H:%M:%S %Y}\n".encode()
        yield envelope + b"\n".join(escaped).rstrip(b"\n") + b"\n\n"


def _lines(contact: Contact, made: dt.datetime) -> Iterable[str]:
    who = f"{contact.display_name} ({contact.user.email})"
    yield f"Messages of {who}, made {made:%Y-%m-%d %H:%M} UTC."
    yield "Times are UTC. The JSON archive holds the same messages, exactly as written."
    yield ""
    for message in _each(contact):
        sender, recipient = _side(message, contact)
        yield f"#{message.pk}  {message.created_at:%Y-%m-%d %H:%M}  {sender} to {recipient}"
        yield f"At {message.facility.name}. {message.get_status_display()}."
        yield "  ".join(f"{stage} {at:%Y-%m-%d %H:%M}" for stage, at in selectors.timeline(message))
        yield from message.body.splitlines() or [""]
        yield ""
    lines = statements.statement(contact)
    yield "Money statement" if lines else "Money statement: nothing paid or charged."
    for line in lines:
        card = "" if line.card_cents is None else f"  card {line.card_cents / 100:+.2f}"
        yield (
            f"{line.at:%Y-%m-%d %H:%M}  {line.facility}  {line.what}{card}"
            f"  wallet {line.wallet_cents / 100:+.2f} -> {line.wallet_after / 100:.2f}"
        )
