"""A layer's data is made once per process, even when a worker's threads ask for it at the
same moment (a lexicon read twice costs seconds; a gate compiled twice, more)."""

from __future__ import annotations

import threading
import time

from homeward.screening.layers.once import once


def test_threads_asking_together_get_the_one_value_made_once():
    made: list[object] = []

    @once
    def slow() -> object:
        """A value that takes a while."""
        time.sleep(0.05)
        value = object()
        made.append(value)
        return value

    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(slow())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert seen == made * 8
    assert slow() is made[0]
    assert slow.__doc__ == "A value that takes a while."


def test_a_value_that_is_none_is_kept_too():
    calls = []

    @once
    def nothing() -> None:
        calls.append(1)

    nothing()
    nothing()
    assert calls == [1]
