"""Entities: the phone numbers, email addresses, payment handles and street addresses that
messages mention, each kept once however it was written, with every message that mentions
it.

Screening's detectors find them (every detector on, whatever a facility's settings: an
investigator wants the number even where the facility lets numbers through). Each is
normalised for its kind, so "(512) 555-0143", "512.555.0143", "+1 512 555 0143" and "five
one two five five five zero one four three" are one entity: the ten digits of a North
American number, an address in lower case with its street words abbreviated, an email in
lower case, a payment handle with its $ or @ in lower case.

Mentions are written when a message is accepted (``index.message_moved``), in its
transaction; an entity two messages bring at once is made once (a unique kind and value,
inserted with conflicts ignored, then read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from homeward.messaging.models import Message
from homeward.monitoring.models import Entity, Mention
from homeward.screening.detectors import DETECTORS, detect
from homeward.screening.normalize import normalize

Kind = Entity.Kind
_DETECTORS = {"phone": Kind.PHONE, "email": Kind.EMAIL, "payment": Kind.PAYMENT}
_DETECTORS |= {"address": Kind.ADDRESS}
_ACTIONS = {name: ("flag" if name in _DETECTORS else "off") for name in DETECTORS}
_NUMBER_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "cero": "0",
    "uno": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
}
_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "apartment": "apt",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "highway": "hwy",
    "calle": "c",
}
_HANDLE = re.compile(r"[$@][\w.-]+")
_TOKENS = re.compile(r"[^\W_]+")
MAX_VALUE = 200


@dataclass(frozen=True)
class Found:
    kind: str
    value: str  # normalised: what makes two writings one entity
    shown: str  # how the entity is shown
    start: int
    end: int
    text: str  # as written


def find(text: str) -> list[Found]:
    """The entities a text mentions, in order (one per span)."""
    found = []
    for hit in detect(normalize(text), _ACTIONS):
        kind = _DETECTORS.get(str(hit.rule).removeprefix("detector:"))
        if kind is None:
            continue
        normal = normalised(kind, hit.text)
        if normal is not None:
            value, shown = normal
            found.append(Found(kind, value, shown, hit.start, hit.end, hit.text))
    return found


def normalised(kind: str, text: str) -> tuple[str, str] | None:
    """(value, shown) of one mention, or None when it is not one of its kind after all."""
    if kind == Kind.PHONE:
        digits = "".join(
            _NUMBER_WORDS.get(token.casefold(), token if token.isdigit() else "")
            for token in _TOKENS.findall(text)
        )
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) == 10:
            return digits, f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        return (digits, digits) if 7 <= len(digits) <= 15 else None
    if kind == Kind.PAYMENT:
        handle = _HANDLE.search(text)
        value = (handle.group() if handle else " ".join(text.split())).casefold()
        return value[:MAX_VALUE], value[:MAX_VALUE]
    if kind == Kind.ADDRESS:
        words = [_STREET_WORDS.get(w, w) for w in _TOKENS.findall(text.casefold())]
        value = " ".join(words)[:MAX_VALUE]
        return (value, value) if value else None
    value = text.strip().casefold()[:MAX_VALUE]
    return (value, value) if value else None


def record(messages: Iterable[Message], *, using: str = "default") -> int:
    """Write the entities and mentions of ``messages``; returns how many mentions."""
    mentions: list[tuple[Message, Found]] = []
    for message in messages:
        seen: set[tuple[str, str]] = set()
        for found in find(message.body):
            if (found.kind, found.value) not in seen:
                seen.add((found.kind, found.value))
                mentions.append((message, found))
    if not mentions:
        return 0
    entities = _entities({(f.kind, f.value): f.shown for _, f in mentions}, using=using)
    Mention.objects.using(using).bulk_create(
        [
            Mention(
                entity=entities[(f.kind, f.value)],
                message=message,
                facility_id=message.facility_id,
                connection_id=message.connection_id,
                created_at=message.created_at,
                text=f.text[:MAX_VALUE],
            )
            for message, f in mentions
        ],
        ignore_conflicts=True,
    )
    return len(mentions)


def record_missing(*, using: str = "default", batch: int = 500) -> int:
    """Record the entities of every accepted message (those already recorded are kept as
    they are); returns how many mentions were found."""
    done = 0
    last = 0
    while True:
        messages = list(
            Message.objects.using(using)
            .filter(pk__gt=last, connection__privileged=False)
            .exclude(status=Message.Status.DRAFT)
            .order_by("pk")
            .only("pk", "body", "facility_id", "connection_id", "created_at")[:batch]
        )
        if not messages:
            return done
        done += record(messages, using=using)
        last = messages[-1].pk


def _entities(wanted: dict[tuple[str, str], str], *, using: str) -> dict[tuple[str, str], Entity]:
    """The entities of ``wanted`` ((kind, value) -> shown), made where missing and held
    (FOR NO KEY UPDATE) until the caller commits, so ``forget`` cannot delete one a new
    mention is about to point at. One deleted between the insert and the lock is made
    again."""
    found: dict[tuple[str, str], Entity] = {}
    for _ in range(3):
        missing = {key: shown for key, shown in wanted.items() if key not in found}
        if not missing:
            break
        # Always in one order (of the key when inserting, of the id when locking), so two
        # messages naming the same entities wait for each other instead of deadlocking.
        Entity.objects.using(using).bulk_create(
            [Entity(kind=k, value=v, shown=shown) for (k, v), shown in sorted(missing.items())],
            ignore_conflicts=True,
        )
        rows = (
            Entity.objects.using(using)
            .select_for_update(no_key=True)
            .filter(kind__in={k for k, _ in missing}, value__in={v for _, v in missing})
            .order_by("pk")
        )
        found |= {(e.kind, e.value): e for e in rows if (e.kind, e.value) in missing}
    return found


def forget(message_ids: list[int]) -> None:
    """Delete the mentions of these messages, and each entity no message mentions any more
    (locked first, so a mention being written waits or makes the entity again)."""
    mentions = Mention.objects.filter(message_id__in=message_ids)
    named = set(mentions.values_list("entity_id", flat=True))
    mentions.delete()
    if named:
        orphans = list(
            Entity.objects.select_for_update(of=("self",))
            .filter(pk__in=named, mentions__isnull=True)
            .values_list("pk", flat=True)
        )
        Entity.objects.filter(pk__in=orphans, mentions__isnull=True).delete()
