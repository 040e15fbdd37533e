"""Hooks: how a lower app lets a higher one act, without importing it.

A lower app declares a hook for a moment of its own ("a contact verified their email", "a
connection closed"); a higher app registers a function for it when Django starts (in its
``AppConfig.ready``). The lower app calls the hook inside its own transaction, so what the
higher app does commits or rolls back with it. Unlike Django signals, a hook has one
declared signature, its receivers are listed in one place each, and an exception in a
receiver is not swallowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class Hook(Generic[P]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[P, object]] = []

    def register(self, receiver: Callable[P, object]) -> Callable[P, object]:
        """Add ``receiver`` (once: registering the same function again changes nothing)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def unregister(self, receiver: Callable[P, object]) -> None:
        """Take ``receiver`` off (nothing happens if it is not on)."""
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for receiver in self._receivers:
            receiver(*args, **kwargs)

    @property
    def receivers(self) -> tuple[Callable[P, object], ...]:
        return tuple(self._receivers)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"
