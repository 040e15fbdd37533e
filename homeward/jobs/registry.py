"""Job kinds and their handlers. Domain apps register handlers in their ``jobs.py``.

A handler takes the job's payload. It must be idempotent: the queue guarantees at least
once, so a handler that finds its work already done returns quietly.
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[..., None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        if kind in HANDLERS and HANDLERS[kind] is not func:
            raise RuntimeError(f"two handlers for job kind {kind!r}")
        HANDLERS[kind] = func
        return func

    return register


def get(kind: str) -> Handler:
    return HANDLERS[kind]


def known(kind: str) -> bool:
    return kind in HANDLERS
