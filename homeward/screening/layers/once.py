"""Values a process makes once, on first use: lexicons, dictionaries, compiled gates.

``@once`` on a function of no arguments runs it the first time it is called and returns
that value ever after. Threads that ask together wait for the one that makes it (a worker's
threads, a web server's), so a file is read and checked, or a database compiled, once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(make: Callable[[], T]) -> Callable[[], T]:
    """``make``, called at most once per process."""
    lock = threading.Lock()
    made: list[T] = []

    @functools.wraps(make)
    def value() -> T:
        if not made:  # once made, no lock: screening asks a dozen times a message
            with lock:
                if not made:
                    made.append(make())
        return made[0]

    return value
