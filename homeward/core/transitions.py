"""Statuses move only through a declared table of allowed transitions, by one function."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.audit import Actor
from homeward.core.errors import Conflict
from homeward.core.hooks import Hook


class IllegalTransition(Conflict):
    def __init__(self, kind: str, current: str, target: str) -> None:
        super().__init__(
            "illegal_transition",
            # Translators: kind and the two statuses are the program's own words, in English.
            _("A %(kind)s that is %(current)s cannot become %(target)s.")
            % {
                "kind": kind,
                "current": current.replace("_", " "),
                "target": target.replace("_", " "),
            },
        )
        self.current = current
        self.target = target


def check_transition(
    table: Mapping[str, frozenset[str]], kind: str, current: str, target: str
) -> None:
    if target not in table.get(current, frozenset()):
        raise IllegalTransition(kind, current, target)


def allowed_pairs(table: Mapping[str, frozenset[str]]) -> list[tuple[str, str]]:
    return [(source, target) for source, targets in table.items() for target in targets]


class Movable(Protocol):
    """A row with a status and a facility (a message, a connection …)."""

    pk: Any
    status: str
    facility_id: int

    def save(self, *, update_fields: Iterable[str] | None = None) -> None: ...


class History(Protocol):
    """The history model of a status table: one row per move."""

    objects: Any


@dataclass(frozen=True)
class StatusTable:
    """A declared status table and the one way to move it: check the move is allowed,
    stamp the time, save, write a history row (who, from, to, when), and audit it, all in
    the caller's transaction (which holds a lock on the row).

    ``kind`` names the thing in errors and audit actions ("message" → "message.read");
    ``history`` is the model of its history rows, pointing at the thing through
    ``history_field``; ``stamps`` names the time field each status sets on entry;
    ``updated_field`` is a field set to the time of every move."""

    kind: str
    transitions: Mapping[str, frozenset[str]]
    history: type[History]
    history_field: str
    stamps: Mapping[str, str] = field(default_factory=dict)
    updated_field: str = ""
    # Called after every move, in the same transaction, with (row, from, to): how a higher
    # app (notifications) hears of moves without the owner importing it.
    moved: Hook[[Any, str, str]] | None = None

    def move(
        self,
        row: Movable,
        target: str,
        *,
        actor: Actor | str | None,
        reason: str | None = None,
        **fields: Any,
    ) -> Any:
        """Move ``row`` to ``target`` (setting ``fields`` too) and return the history row.
        A ``reason`` (for tables whose history keeps one, even when empty) is kept on the
        history row and in the audit event."""
        source = row.status
        check_transition(self.transitions, self.kind, source, target)
        at = clock.now()
        row.status = target
        changed = {"status", *fields}
        if target in self.stamps:
            setattr(row, self.stamps[target], at)
            changed.add(self.stamps[target])
        if self.updated_field:
            setattr(row, self.updated_field, at)
            changed.add(self.updated_field)
        for name, value in fields.items():
            setattr(row, name, value)
        # Only what the move changes: never the rest of the row (a message's body).
        row.save(update_fields=sorted(changed))
        extra = {"reason": reason} if reason is not None else {}
        event = self.history.objects.create(
            **{self.history_field: row},
            from_status=source,
            to_status=target,
            actor_label=audit.actor_label(actor),
            actor_user_id=actor.audit_user_id if isinstance(actor, Actor) else None,
            at=at,
            **extra,
        )
        audit.record(
            actor=actor,
            action=f"{self.kind}.{target}",
            obj=row,
            facility_id=row.facility_id,
            data={"from": source, "event": event.pk, **extra},
        )
        if self.moved is not None:
            self.moved(row, source, target)
        return event
