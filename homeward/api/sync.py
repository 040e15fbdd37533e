"""What lets a phone keep a copy of its conversations cheaply: sync cursors and ETags.

- A sync cursor (``MessagePage.sync``) is a ``(updated_at, id)`` position a minute behind
  what the answer saw. A change is stamped when its transaction begins but seen only once
  it commits, so a change that took long to save could carry a time before a cursor handed
  out meanwhile; lagging a minute makes such a change come (again) on the next sync instead
  of never. Apps replace what they hold by id, so a repeat costs bytes, not correctness.
- A list's ETag is a digest of what the answer says (its JSON), leaving out ``sync``, which
  moves with the clock: when nothing on the page changed, ``If-None-Match`` answers 304 with
  no body (keep the sync cursor you had). It is weak: the same content, not the same bytes
  (the answer may be gzipped or not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.http import HttpRequest
from ninja import Schema
from pydantic import BaseModel

from homeward.core import clock, keyset
from homeward.messaging.models import Message

LAG = dt.timedelta(minutes=1)


def lagging_cursor(reached: Message | None = None) -> str:
    """The cursor to keep: where the answer reached (its last row, when more came after it),
    but never later than a minute ago."""
    behind = clock.now() - LAG
    if reached is not None and reached.updated_at < behind:
        return keyset.token(reached.updated_at, reached.pk)
    return keyset.token(behind, 0)


def rewound(held: dt.datetime | None) -> dt.datetime | None:
    """What a conversation list's ``updated_after`` asks from: a minute before the time the
    app holds (UTC when it names no zone), in UTC (a zone of any offset a client may write,
    such as -19:48, is one the database may not take); None (from the start) for one that
    early, and the last instant UTC can name for one later than that."""
    if held is None:
        return None
    if held.tzinfo is None:
        held = held.replace(tzinfo=dt.UTC)
    if held - dt.datetime.min.replace(tzinfo=dt.UTC) <= LAG:
        return None
    try:
        return (held - LAG).astimezone(dt.UTC)
    except OverflowError:  # past the year 9999 in UTC: nothing has changed after it
        return dt.datetime.max.replace(tzinfo=dt.UTC)


def etag(answer: Schema | list[Any], *, leave_out: frozenset[str] = frozenset({"sync"})) -> str:
    """A weak ETag of what ``answer`` says, ``leave_out`` aside (pydantic's own JSON: fields
    in a fixed order, and fast)."""
    digest = hashlib.sha256()
    if isinstance(answer, BaseModel):
        digest.update(answer.model_dump_json(exclude=set(leave_out)).encode())
    else:
        for item in answer:
            digest.update(item.model_dump_json().encode())
            digest.update(b"\n")
    return f'W/"{digest.hexdigest()[:32]}"'


def unchanged(request: HttpRequest, tag: str) -> bool:
    """Whether the request's If-None-Match names ``tag`` (weak comparison, RFC 9110 13.1.2)."""
    asked = request.headers.get("If-None-Match", "")
    if asked.strip() == "*":
        return True
    bare = tag.removeprefix("W/")
    return any(one.strip().removeprefix("W/") == bare for one in asked.split(","))


_ETAG = {
    "description": "A weak tag of this answer: send it as If-None-Match.",
    "schema": {"type": "string"},
}
# The spec of a list that answers conditionally (a route's ``openapi_extra``).
CONDITIONAL: dict[str, Any] = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "The ETag of the answer you hold: 304 with no body if it is unchanged.",
            "schema": {"type": "string"},
        }
    ],
    "responses": {
        200: {"headers": {"ETag": _ETAG}},
        304: {
            "description": "Not modified: what you hold (its ETag) is still the answer.",
            "headers": {"ETag": _ETAG},
        },
    },
}
