"""Statuses move only through a declared table of allowed transitions."""

from __future__ import annotations

from collections.abc import Mapping

from homeward.core.errors import Conflict


class IllegalTransition(Conflict):
    def __init__(self, kind: str, current: str, target: str) -> None:
        super().__init__(
            "illegal_transition",
            f"A {kind} that is {current.replace('_', ' ')} cannot become "
            f"{target.replace('_', ' ')}.",
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
