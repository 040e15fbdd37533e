"""The one way a photo's status moves, through the table of moves allowed."""

from __future__ import annotations

from typing import Any

from homeward.core.audit import Actor
from homeward.core.transitions import StatusTable
from homeward.photos.models import Photo, PhotoEvent

S = Photo.Status

# A photo is checked once: the check makes it ready or refuses it. A ready photo is sent
# with a message: attached (waiting for a person), or approved at once where the facility
# does not review photos and nothing in it needs a look. A person approves or blocks it.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CHECKING: frozenset({S.READY, S.REFUSED}),
    S.READY: frozenset({S.ATTACHED, S.APPROVED}),
    S.REFUSED: frozenset(),
    S.ATTACHED: frozenset({S.APPROVED, S.BLOCKED}),
    S.APPROVED: frozenset(),
    S.BLOCKED: frozenset(),
}

TABLE = StatusTable(
    kind="photo",
    transitions=TRANSITIONS,
    history=PhotoEvent,
    history_field="photo",
    stamps={
        S.READY: "checked_at",
        S.REFUSED: "checked_at",
        S.ATTACHED: "attached_at",
        S.APPROVED: "decided_at",
        S.BLOCKED: "decided_at",
    },
)


def move(photo: Photo, target: str, *, actor: Actor | str | None, **fields: Any) -> Photo:
    """Move ``photo`` to ``target`` (setting ``fields``), recording who and when, or raise
    IllegalTransition. The caller holds the transaction and a lock on the photo's row."""
    TABLE.move(photo, target, actor=actor, **fields)
    return photo
