"""Values a process makes once, on first use: lexicons, dictionaries, compiled gates.

``@once`` on a function of no arguments runs it the first time it is called and returns
that value ever after. Threads that ask together wait for the one that makes it (a worker's
threads, a web server's), so a file is read and checked, or a database compiled, once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Once(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made = False
        self._value: T | None = None
        self._lock = threading.Lock()
        functools.update_wrapper(self, make)

    def __call__(self) -> T:
        if not self._made:
            with self._lock:
                if not self._made:
                    self._value = self._make()
                    self._made = True
        return self._value  # type: ignore[return-value]  # made above: a T


def once(make: Callable[[], T]) -> Callable[[], T]:
    """``make``, called at most once per process."""
    return _Once(make)
