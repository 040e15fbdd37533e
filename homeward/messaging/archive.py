"""A person's archive: every message they can see, in both directions, each with its
timeline, and their money statement, as JSON (the record), a printable PDF and an mbox
that any mail program opens. A contact takes theirs from their account; a released
resident with the code their release gave them (``archive_codes``).

An archive is written as it is sent: messages are read from the person's own index in
chunks, so an account with tens of thousands of messages never sits in memory. It holds
what the person sees on their conversation pages: everything they sent (blocked, returned
and not yet delivered too, with what became of it) and the messages that reached them;
never a draft, never a message that did not reach them. What a message carries besides its
text (its photos: ``ATTACHMENTS``) goes with it: in the JSON with its bytes, in the mbox as
attachments of its mail, and named with its SHA-256 in the PDF.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from io import BytesIO

from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.core import audit, clock, pdf
from homeward.ledger import statements
from homeward.ledger.statements import StatementLine
from homeward.messaging import selectors
from homeward.messaging.models import Message
from homeward.people.models import Contact, Resident

S = Message.Status
D = Message.Direction
CHUNK = 500  # messages read from the database at a time
# The addresses an mbox gives the two sides: no mail is ever sent to them.
DOMAIN = "homeward.invalid"


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str
    label: str | Promise  # said in the reader's language when shown


FORMATS = {
    f.name: f
    for f in (
        Format("json", "application/json", "json", gettext_lazy("JSON, the complete record")),
        Format("pdf", "application/pdf", "pdf", gettext_lazy("PDF, to read or print")),
        Format("mbox", "application/mbox", "mbox", gettext_lazy("mbox, for a mail program")),
    )
}


@dataclass(frozen=True)
class Attachment:
    """Something a message carries besides its text (a photo), as an archive holds it: what
    the record says of it, and its bytes (None when they are gone, removed at the end of
    retention)."""

    name: str  # its file name, e.g. "photo-12.jpg"
    content_type: str  # e.g. "image/jpeg"
    record: dict[str, object]
    data: Callable[[], bytes | None]


# What messages carry besides their text, for an archive: each provider is given a chunk of
# the messages written (and the direction the archive's owner writes in, for what they may
# see) and answers with each message's attachments by id. Photos register theirs.
AttachmentProvider = Callable[[list[Message], str], dict[int, list[Attachment]]]
ATTACHMENTS: list[AttachmentProvider] = []


def _with_attachments(owner: Owner) -> Iterator[tuple[Message, list[Attachment]]]:
    """The owner's messages, oldest first, each with its attachments (looked up a chunk of
    messages at a time)."""
    chunk: list[Message] = []
    for message in owner.messages.iterator(chunk_size=CHUNK):
        chunk.append(message)
        if len(chunk) == CHUNK:
            yield from _attached(chunk, owner.sent)
            chunk = []
    yield from _attached(chunk, owner.sent)


def _attached(chunk: list[Message], sent: str) -> Iterator[tuple[Message, list[Attachment]]]:
    found: dict[int, list[Attachment]] = {}
    for provider in ATTACHMENTS if chunk else ():
        for message_id, attachments in provider(chunk, sent).items():
            found.setdefault(message_id, []).extend(attachments)
    for message in chunk:
        yield message, found.get(message.pk, [])


@dataclass(frozen=True)
class Owner:
    """Whose archive it is: what it is called, and what it holds."""

    person: Contact | Resident
    name: str
    email: str  # a contact's; "" for a resident
    slug: str  # in the file's name: "contact-12", "resident-ny1001"
    sent: str  # the direction of the messages this person wrote
    messages: QuerySet[Message]
    statement: Callable[[], list[StatementLine]]
    account: str  # what the statement is of: "wallet" or "trust account" (the record's words)


def _seen(sent: str) -> Q:
    """What someone sees: all they wrote (but drafts), and what reached them."""
    return (Q(direction=sent) & ~Q(status=S.DRAFT)) | Q(status__in=[S.DELIVERED, S.READ])


def _newest_last(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related("resident", "contact", "facility").order_by("created_at", "id")


def of_contact(contact: Contact) -> Owner:
    return Owner(
        person=contact,
        name=contact.display_name,
        email=contact.user.email,
        slug=f"contact-{contact.pk}",
        sent=D.TO_RESIDENT,
        messages=_newest_last(Message.objects.filter(_seen(D.TO_RESIDENT), contact=contact)),
        statement=lambda: statements.statement(contact),
        account="wallet",
    )


def of_resident(resident: Resident) -> Owner:
    return Owner(
        person=resident,
        name=f"{resident.full_name} (#{resident.number})",
        email="",
        slug=f"resident-{resident.number.lower()}",
        sent=D.TO_CONTACT,
        messages=_newest_last(Message.objects.filter(_seen(D.TO_CONTACT), resident=resident)),
        statement=lambda: statements.trust_statement(resident),
        account="trust account",
    )


def count_of(owner: Owner) -> int:
    return owner.messages.count()


def write(owner: Owner, format: str) -> Iterator[bytes]:
    """The archive in ``format`` ("json", "pdf" or "mbox"), piece by piece. Taking one is
    recorded in the audit log (what was taken, never what it says).

    It is written in the language active now (the request's), however late the pieces are
    asked for (a streamed response is read after the request is done): the PDF's and the
    mbox's words, and the labels in the JSON (its keys and codes stay English)."""
    if format not in FORMATS:
        raise ValueError(f"unknown archive format {format!r}")
    person = owner.person
    actor = person.user if isinstance(person, Contact) else person
    audit.record(actor=actor, action="archive.downloaded", obj=person, data={"format": format})
    made = clock.now()
    language = translation.get_language()
    if format == "json":
        return _in_language(language, _json(owner, made))
    if format == "mbox":
        return _in_language(language, _mbox(owner))
    title = _("Homeward archive of %(name)s") % {"name": owner.name}
    return _in_language(language, pdf.stream(title, _lines(owner, made)))


def _in_language(language: str | None, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces``, each written with ``language`` active (and only while it is written)."""
    while True:
        with translation.override(language):
            piece = next(pieces, None)
        if piece is None:
            return
        yield piece


def filename(owner: Owner, format: str, at: dt.datetime) -> str:
    return f"homeward-archive-{owner.slug}-{at:%Y-%m-%d}.{FORMATS[format].extension}"


def download(owner: Owner, format: str) -> StreamingHttpResponse:
    """The archive as every surface hands it over: a file to save, written as it is sent,
    never cached."""
    chosen = FORMATS[format]
    response = StreamingHttpResponse(write(owner, format), content_type=chosen.content_type)
    name = filename(owner, format, clock.now())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _resident_name(message: Message) -> str:
    return f"{message.resident.full_name} (#{message.resident.number})"


def _sides(message: Message) -> tuple[str, str]:
    """(from, to) as people read them."""
    contact, resident = message.contact.display_name, _resident_name(message)
    return (contact, resident) if message.to_resident else (resident, contact)


def _addresses(message: Message) -> tuple[str, str]:
    """(from, to) addresses for the mbox, under a domain that receives no mail."""
    resident = message.resident.number.lower()
    contact = f"contact-{message.contact_id}@{DOMAIN}"
    resident = f"resident-{resident}@{message.facility.code}.{DOMAIN}"
    return (contact, resident) if message.to_resident else (resident, contact)


def _record(message: Message) -> dict[str, object]:
    sender, recipient = _sides(message)
    return {
        "id": message.pk,
        "conversation": message.connection_id,
        "facility": {"code": message.facility.code, "name": message.facility.name},
        "resident": {"number": message.resident.number, "name": message.resident.full_name},
        "contact": message.contact.display_name,
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


def _statement(owner: Owner) -> list[dict[str, object]]:
    return [
        {
            "at": line.at.isoformat(),
            "facility": line.facility,
            "what": line.what,
            "card_cents": line.card_cents,
            "change_cents": line.wallet_cents,
            "balance_after_cents": line.wallet_after,
        }
        for line in owner.statement()
    ]


def _json(owner: Owner, made: dt.datetime) -> Iterator[bytes]:
    head = {
        "archive_of": {"name": owner.name, "email": owner.email or None},
        "made_at": made.isoformat(),
        "statement_of": owner.account,
        "statement": _statement(owner),
    }
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]  # without the last "}"
    yield (opening + ',\n "messages": [\n').encode()
    first = True
    for message, attachments in _with_attachments(owner):
        record = _record(message)
        if attachments:
            record["attachments"] = [_attachment_record(a) for a in attachments]
        text = json.dumps(record, ensure_ascii=False)
        yield (("  " if first else ",\n  ") + text).encode()
        first = False
    yield b"\n ]\n}\n"


def _attachment_record(attachment: Attachment) -> dict[str, object]:
    """An attachment in the JSON archive: its record, and its bytes in base64 (null when
    they are gone)."""
    data = attachment.data()
    return {
        **attachment.record,
        "file_name": attachment.name,
        "content_type": attachment.content_type,
        "base64": base64.b64encode(data).decode() if data is not None else None,
    }


def _mbox(owner: Owner) -> Iterator[bytes]:
    """One mail per message, in the mboxrd form: a "From " line before each, and a body
    line that begins with "From " (or ">From ") gets one more ">". A message's photos are
    attached to its mail."""
    for message, attachments in _with_attachments(owner):
        mail = EmailMessage(policy=SMTP)
        (sender, recipient), (sender_at, recipient_at) = _sides(message), _addresses(message)
        mail["From"] = f"{sender} <{sender_at}>"
        mail["To"] = f"{recipient} <{recipient_at}>"
        mail["Date"] = format_datetime(message.created_at)
        mail["Subject"] = _("Message %(number)s (%(status)s)") % {
            "number": message.pk,
            "status": message.get_status_display(),
        }
        mail["Message-ID"] = f"<message-{message.pk}@{DOMAIN}>"
        stages = "; ".join(f"{s} {at.isoformat()}" for s, at in selectors.timeline(message))
        mail["X-Homeward-Timeline"] = stages
        mail.set_content(message.body)
        for attachment in attachments:
            data = attachment.data()
            if data is not None:
                main, sub = attachment.content_type.split("/", 1)
                mail.add_attachment(data, maintype=main, subtype=sub, filename=attachment.name)
        out = BytesIO()
        BytesGenerator(out, mangle_from_=False, policy=SMTP).flatten(mail)
        lines = out.getvalue().replace(b"\r\n", b"\n").split(b"\n")
        escaped = [
            b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines
        ]
        envelope = f"From {sender_at} {message.created_at:%a %b %d %H:%M:%S %Y}\n".encode()
        yield envelope + b"\n".join(escaped).rstrip(b"\n") + b"\n\n"


def _statement_title(owner: Owner, *, empty: bool) -> str:
    if owner.account == "wallet":
        if empty:
            return _("Statement of the wallet: nothing paid or charged.")
        return _("Statement of the wallet")
    if empty:
        return _("Statement of the trust account: nothing paid or charged.")
    return _("Statement of the trust account")


def _lines(owner: Owner, made: dt.datetime) -> Iterable[str]:
    who = f"{owner.name} ({owner.email})" if owner.email else owner.name
    yield _("Messages of %(who)s, made %(made)s UTC.") % {
        "who": who,
        "made": f"{made:%Y-%m-%d %H:%M}",
    }
    yield _("Times are UTC. The JSON archive holds the same messages, exactly as written.")
    yield ""
    for message, attachments in _with_attachments(owner):
        sender, recipient = _sides(message)
        between = _("%(sender)s to %(recipient)s") % {"sender": sender, "recipient": recipient}
        yield f"#{message.pk}  {message.created_at:%Y-%m-%d %H:%M}  {between}"
        yield _("At %(facility)s. %(status)s.") % {
            "facility": message.facility.name,
            "status": message.get_status_display(),
        }
        yield "  ".join(
            f"{stage} {at:%Y-%m-%d %H:%M}" for stage, at in selectors.shown_timeline(message)
        )
        yield from message.body.splitlines() or [""]
        for attachment in attachments:
            yield _("Attached: %(name)s, SHA-256 %(sha256)s (%(status)s)") % {
                "name": attachment.name,
                "sha256": attachment.record.get("sha256", ""),
                "status": attachment.record.get("status_label", ""),
            }
        yield ""
    lines = owner.statement()
    yield _statement_title(owner, empty=not lines)
    for line in lines:
        card = ""
        if line.card_cents is not None:
            card = "  " + _("card %(amount)s") % {"amount": f"{line.card_cents / 100:+.2f}"}
        yield (
            f"{line.at:%Y-%m-%d %H:%M}  {line.facility}  {line.what}{card}"
            f"  {line.wallet_cents / 100:+.2f} -> {line.wallet_after / 100:.2f}"
        )
