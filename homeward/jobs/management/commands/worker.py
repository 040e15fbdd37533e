"""The background worker: runs jobs from the jobs table until stopped.

It outlives the database. A database error (a connection cut, a restart, a failover, a
start while the database is still down) closes the connection, waits with a capped
exponential backoff, and tries again; the jobs it was holding are put back once it is
connected again. SIGTERM or SIGINT lets the job in hand finish, then the worker exits 0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, InterfaceError, connection

from homeward.core import audit
from homeward.jobs import services, wakeup

log = logging.getLogger("homeward.worker")

DATABASE_ERRORS = (DatabaseError, InterfaceError)
FIRST_RETRY_SECONDS = 0.1  # then 0.2, 0.4 ... up to --max-backoff
PRUNE_EVERY_SECONDS = 600  # finished jobs past JOB_RETENTION_DAYS go, a batch at a time


class Command(BaseCommand):
    help = "Run background jobs (screening, delivery) from the jobs table until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")
        parser.add_argument(
            "--idle",
            type=float,
            default=1.0,
            help="Seconds between looks for due jobs when idle (on PostgreSQL a new job "
            "wakes the worker at once).",
        )
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=30.0,
            help="Longest wait, in seconds, between tries while the database is unreachable.",
        )

    def handle(
        self, *args: Any, once: bool, idle: float, max_backoff: float, **options: Any
    ) -> None:
        # Unique per process even where containers share a host name and all run as pid 1:
        # a worker puts back only the jobs under its own name after a lost connection.
        name = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            # Only a flag: the job in hand finishes, its transaction commits, then we leave.
            nonlocal stopping
            stopping = True

        def pause(seconds: float) -> None:
            # In short steps, so a stop signal is answered within a tenth of a second.
            until = time.monotonic() + seconds
            while not stopping and time.monotonic() < until:
                time.sleep(max(0.0, min(0.1, until - time.monotonic())))

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        started = time.monotonic()
        services.worker_starting()
        log.info("worker %s started (ready in %.1fs)", name, time.monotonic() - started)
        listener = wakeup.Listener()
        failures = 0  # database errors in a row, for the backoff
        next_prune = time.monotonic()
        while not stopping:
            try:
                if failures:
                    released = services.release(name)
                    log.info("worker %s: database reachable; put back %d job(s)", name, released)
                    failures = 0  # reached it: the next cut starts the backoff afresh
                ran = services.run_pending(name, limit=50, should_stop=lambda: stopping)
                audit.seal()  # chain the audit events written since the last turn
                if time.monotonic() >= next_prune:
                    services.prune(older_than=dt.timedelta(days=settings.JOB_RETENTION_DAYS))
                    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
            except DATABASE_ERRORS as exc:
                _drop_connection()
                if once:
                    raise CommandError(f"database unavailable: {_first_line(exc)}") from exc
                failures += 1
                wait = min(FIRST_RETRY_SECONDS * 2 ** (failures - 1), max_backoff)
                log.warning(
                    "worker %s: database unavailable (%s); waiting %.1fs for it",
                    name,
                    _first_line(exc),
                    wait,
                )
                pause(wait)
                continue
            if once and not ran:
                break
            if not ran:
                listener.wait(idle, lambda: stopping)  # woken early by a new job
        listener.close()
        log.info("worker %s stopped", name)


def _drop_connection() -> None:
    """Forget the broken connection; the next query opens a fresh one."""
    # Closing a dead socket can fail; Django has forgotten the connection either way.
    with contextlib.suppress(*DATABASE_ERRORS):
        connection.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
