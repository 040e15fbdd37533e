"""Waking an idle worker as soon as a job is committed.

On PostgreSQL, ``enqueue`` sends ``NOTIFY homeward_jobs`` in the transaction that queues a
due job (PostgreSQL delivers it at commit, and not at all on a rollback), and an idle
worker waits on a connection of its own that LISTENs. Polling stays as the fallback: a
worker still looks every ``--idle`` seconds (for jobs that become due later, and in case
a notice is missed), and on SQLite polling is all there is."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

import psycopg
from django.db import connection

CHANNEL = "homeward_jobs"

log = logging.getLogger(__name__)


def announce() -> None:
    """Tell idle workers a job is due (when this transaction commits)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


class Listener:
    """A worker's wait between turns: until a job is announced, ``seconds`` pass, or
    ``stopping()`` says so (checked every tenth of a second)."""

    RETRY_SECONDS = 30  # after failing to listen, poll this long before trying again

    def __init__(self) -> None:
        self.listening: psycopg.Connection | None = None
        self.retry_at = 0.0

    def wait(self, seconds: float, stopping: Callable[[], bool]) -> None:
        until = time.monotonic() + seconds
        listening = self._connect()
        while not stopping() and (left := until - time.monotonic()) > 0:
            step = min(0.1, left)
            if listening is None:
                time.sleep(step)
                continue
            try:
                if any(True for _ in listening.notifies(timeout=step, stop_after=1)):
                    return
            except psycopg.Error:
                self.close()  # polling until the next turn connects again
                listening = None

    def close(self) -> None:
        if self.listening is not None:
            with contextlib.suppress(psycopg.Error):
                self.listening.close()
        self.listening = None

    def _connect(self) -> psycopg.Connection | None:
        if connection.vendor != "postgresql":
            return None
        if self.listening is not None and not self.listening.closed:
            return self.listening
        if time.monotonic() < self.retry_at:
            return None
        # Django's own parameters: the same server, credentials and TLS settings (sslmode,
        # certificates) as every other connection of this process.
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params["autocommit"] = True
        try:
            self.listening = psycopg.connect(**params)
            self.listening.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.warning("cannot listen for new jobs (%s); polling instead", exc)
            self.close()
            self.retry_at = time.monotonic() + self.RETRY_SECONDS
        return self.listening
