"""Cases: an investigator gathers messages for one matter and exports them as a signed
bundle (``core.bundles``): the messages as JSON, a PDF to read, the pictures of their
photos (``photos/photo-<id>.jpg``, each named in the JSON with its hashes), the manifest and
its signature.

A case belongs to an agency; the searchers of that agency (investigators and admins) open
it, and each reads and exports only the messages of the facilities they may search (a case
a facility investigator shares with an agency-wide one shows each what they may see).
Messages are added only from one's own scope. Opening a case, adding, removing and
exporting are audited; nothing here changes a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from homeward.core import audit, bundles, clock, keyset, pdf
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Agency
from homeward.messaging.models import Message
from homeward.monitoring.access import search_facilities
from homeward.monitoring.models import Case, CaseMessage
from homeward.people import access
from homeward.people.models import StaffMembership, User
from homeward.photos import records as photo_records
from homeward.photos.models import Photo

MAX_MESSAGES = 5000
# The most picture bytes one export carries (it is built in memory); past it, a photo's
# record says its picture was left out (its SHA-256 still names it).
MAX_PICTURE_BYTES = 512 * 1024 * 1024
PAGE_SIZE = 50


class CaseError(DomainError):
    """A case change refused; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__("case_refused", message)


def agencies_of(staff: User) -> QuerySet[Agency]:
    """The agencies where ``staff`` may search (and so keep cases)."""
    ids = StaffMembership.objects.filter(user=staff, role__in=access.SEARCH_ROLES).values(
        "agency_id"
    )
    return Agency.objects.filter(pk__in=ids).order_by("name")


def cases_for(staff: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(agency__in=agencies_of(staff))
        .select_related("created_by", "agency")
        .order_by("-created_at", "-id")
    )


def case_for(*, staff: User, case_id: int) -> Case:
    case = cases_for(staff).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def open_case(*, staff: User, agency: Agency, name: str, reason: str) -> Case:
    name, reason = " ".join(name.split()), reason.strip()
    if not agencies_of(staff).filter(pk=agency.pk).exists():
        raise NotFound()
    if not name or not reason:
        raise CaseError("A case needs a name and a reason.")
    with transaction.atomic():
        case = Case.objects.create(
            agency=agency,
            name=name[:200],
            reason=reason[:2000],
            created_by=staff,
            created_at=clock.now(),
        )
        audit.record(actor=staff, action="case.opened", obj=case, data={"name": case.name})
    return case


def _in_scope(staff: User, case: Case) -> QuerySet[Message]:
    facilities = search_facilities(staff).filter(agency_id=case.agency_id)
    return Message.objects.filter(facility__in=facilities, connection__privileged=False)


def add_messages(*, staff: User, case: Case, message_ids: list[int]) -> int:
    """Add the messages of ``message_ids`` that ``staff`` may search (others are ignored:
    they are not found); returns how many were new to the case. The case row is held while
    it is counted and filled, so additions at the same moment never pass MAX_MESSAGES."""
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        held = set(case.items.values_list("message_id", flat=True))
        wanted = [
            pk
            for pk in _in_scope(staff, case)
            .filter(pk__in=message_ids[:MAX_MESSAGES])
            .exclude(status=Message.Status.DRAFT)
            .values_list("pk", flat=True)
            if pk not in held
        ]
        if len(held) + len(wanted) > MAX_MESSAGES:
            raise CaseError(f"A case holds at most {MAX_MESSAGES} messages.")
        now = clock.now()
        CaseMessage.objects.bulk_create(
            [CaseMessage(case=case, message_id=pk, added_by=staff, added_at=now) for pk in wanted]
        )
        audit.record(actor=staff, action="case.messages_added", obj=case, data={"messages": wanted})
    return len(wanted)


def remove_message(*, staff: User, case: Case, message_id: int) -> None:
    with transaction.atomic():
        removed, _ = case.items.filter(
            message_id=message_id, message__in=_in_scope(staff, case)
        ).delete()
        if not removed:
            raise NotFound()
        audit.record(
            actor=staff, action="case.message_removed", obj=case, data={"message": message_id}
        )


def messages_of(*, staff: User, case: Case) -> QuerySet[Message]:
    """The case's messages ``staff`` may read, oldest first."""
    return (
        _in_scope(staff, case)
        .filter(pk__in=case.items.values("message_id"))
        .select_related("facility", "connection__contact", "connection__resident", "screening")
        .order_by("created_at", "id")
    )


def read_page(
    *, staff: User, case: Case, before: str = "", after: str = ""
) -> keyset.Window[Message]:
    """One page of the case's messages ``staff`` may read, oldest first: the newest page,
    or the page before or after a cursor (no OFFSET, no COUNT). The reading is audited."""
    shown = keyset.window(
        messages_of(staff=staff, case=case), size=PAGE_SIZE, before=before, after=after
    )
    audit.record(
        actor=staff, action="case.read", obj=case, data={"messages": [m.pk for m in shown.rows]}
    )
    return shown


def unreadable_count(*, staff: User, case: Case) -> int:
    """How many of the case's messages are at facilities ``staff`` may not search, or of a
    privileged channel (they stay in the case, so a hold on it still covers them)."""
    return case.items.exclude(message__in=_in_scope(staff, case)).count()


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    manifest_sha256: str


def export(*, staff: User, case: Case) -> Export:
    """The case as a signed bundle of the messages ``staff`` may read."""
    with transaction.atomic():
        messages = list(messages_of(staff=staff, case=case).prefetch_related("events", "photos"))
        pictures = _pictures(messages)
        records = [_record(m, pictures) for m in messages]
        about = {"case": case.pk, "name": case.name, "messages": len(records)}
        document = {
            "case": {
                "id": case.pk,
                "name": case.name,
                "reason": case.reason,
                "agency": case.agency.name,
                "opened_by": case.created_by.username,
                "opened_at": case.created_at.isoformat(),
            },
            "exported_by": staff.username,
            "messages": records,
        }
        files = {
            "case.json": json.dumps(document, indent=2, ensure_ascii=False).encode(),
            "case.pdf": pdf.document(f"Case {case.pk}: {case.name}", _lines(document)),
            **pictures,
        }
        written = bundles.write(kind="case", about=about, files=files, actor=staff)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    return Export(written.data, f"case-{case.pk}-{stamp}.zip", written.manifest_sha256)


def _pictures(messages: list[Message]) -> dict[str, bytes]:
    """The pictures of the messages' photos still kept, by their name in the bundle, up to
    ``MAX_PICTURE_BYTES`` in all (the bundle is built in memory): past that, a photo's
    record says its picture was left out."""
    pictures: dict[str, bytes] = {}
    total = 0
    for message in messages:
        for photo in message.photos.all():
            picture = photo_records.picture(photo)
            if picture is None or total + len(picture) > MAX_PICTURE_BYTES:
                continue
            pictures[_picture_name(photo)] = picture
            total += len(picture)
    return pictures


def _picture_name(photo: Photo) -> str:
    return f"photos/{photo_records.file_name(photo)}"


def _picture_of(photo: Photo, pictures: dict[str, bytes]) -> dict[str, Any]:
    name = _picture_name(photo)
    if name in pictures:
        return {"file": name}
    if not photo.image.name:
        return {"file": None, "left_out": "removed at the end of retention"}
    return {"file": None, "left_out": "over the export's size limit: export fewer messages"}


def _record(message: Message, pictures: dict[str, bytes]) -> dict[str, Any]:
    connection = message.connection
    contact = connection.contact.display_name if connection.contact else connection.invite_email
    resident = f"{connection.resident.full_name} ({connection.resident.number})"
    sender, receiver = (contact, resident) if message.to_resident else (resident, contact)
    screening = getattr(message, "screening", None)
    return {
        "id": message.pk,
        "facility": message.facility.name,
        "from": sender,
        "to": receiver,
        "written_at": message.created_at.isoformat(),
        "status": message.status,
        "body": message.body,
        "screening": (
            {"verdict": screening.verdict, "categories": screening.categories}
            if screening is not None
            else None
        ),
        "timeline": [
            {"to": e.to_status, "by": e.actor_label, "at": e.at.isoformat()}
            for e in message.events.all()
        ],
        "photos": [
            {**photo_records.record(photo), **_picture_of(photo, pictures)}
            for photo in message.photos.all()
        ],
    }


def _lines(document: dict[str, Any]) -> list[str]:
    case = document["case"]
    lines = [
        f"Reason: {case['reason']}",
        f"Agency: {case['agency']}. Opened by {case['opened_by']} at {case['opened_at']}.",
        f"Exported by {document['exported_by']}: {len(document['messages'])} message(s).",
        "",
    ]
    for record in document["messages"]:
        lines += [
            f"Message {record['id']} at {record['facility']}, {record['written_at']}",
            f"From {record['from']} to {record['to']}; {record['status']}.",
            *record["body"].splitlines(),
            *(
                f"Photo {photo['photo']}: {photo['status']}, SHA-256 {photo['sha256']}"
                for photo in record["photos"]
            ),
            "",
        ]
    return lines
