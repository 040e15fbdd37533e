"""Workers that outlive the database: real `manage.py worker` processes, their connections
cut again and again by PostgreSQL while messages flow, a start while the database is not
there yet, and SIGTERM.

What an operator would notice is checked: every message delivered once and charged once,
the ledger and the audit chain sound, every worker still running, and a clean exit."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from homeward import builders as t
from homeward.core import audit
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.ledger.models import Transaction
from homeward.ledger.services import problems
from homeward.messaging import services as messaging
from homeward.messaging.models import Message, MessageEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="cuts connections with pg_terminate_backend"
    ),
]
WORKER_APP = "homeward-test-worker"  # the workers' application_name, for pg_stat_activity


def database_url(*, port: int | None = None) -> str:
    """The test database, as a DATABASE_URL another process can use."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{port or db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log: Path, *, url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PGAPPNAME": WORKER_APP,
        "JOB_LEASE_SECONDS": "5",  # a job held by a dead connection comes back soon
        "LOG_LEVEL": "INFO",
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--idle", "0.1", "--max-backoff", "1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(predicate, *, timeout: float, step: float = 0.1) -> bool:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def wait_while_progressing(count, target: int, *, stalled_after: float = 30) -> bool:
    """Wait until ``count()`` reaches ``target``, for as long as it keeps moving (a busy
    machine is slow, not wrong); give up after ``stalled_after`` seconds without progress."""
    last, last_moved = -1, time.monotonic()
    while (now := count()) < target:
        if now != last:
            last, last_moved = now, time.monotonic()
        elif time.monotonic() - last_moved > stalled_after:
            return False
        time.sleep(0.5)
    return True


def stop(worker: subprocess.Popen[bytes]) -> int:
    worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        return -9


class ConnectionCutter(threading.Thread):
    """Terminates every worker connection to the test database once a second until told
    to stop. Counts the connections it cut."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.halt = threading.Event()
        self.cut = 0

    def run(self) -> None:
        try:
            while not self.halt.wait(1.0):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                        " FROM pg_stat_activity"
                        " WHERE application_name = %s AND datname = current_database()",
                        [WORKER_APP],
                    )
                    self.cut += cursor.fetchone()[0]
        finally:
            connections.close_all()


def test_workers_deliver_every_message_once_while_their_connections_are_cut(tmp_path):
    facility = t.make_facility(
        "pg-cut",
        policy={"review_mode": "flagged"},  # clean messages go out without a reviewer
        prices={"model": "per_message", "per_message_cents": 25, "payer": "sender"},
    )
    pairs = []
    for i in range(5):
        contact = t.make_contact(f"cut{i}@example.org")
        t.pay_in(contact, facility, 100 * 25)
        pairs.append((contact, t.connect(contact, t.make_resident(facility))))

    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(log, url=database_url()) for log in logs]
    cutter = ConnectionCutter()
    try:
        assert wait_for(lambda: all("started" in log.read_text() for log in logs), timeout=60)
        cutter.start()
        for n in range(100):
            for contact, connection_ in pairs:
                messaging.send_message(
                    sender=contact, connection_id=connection_.pk, body=f"Letter {n} from home"
                )
        all_delivered = wait_while_progressing(
            lambda: Message.objects.filter(status=Message.Status.DELIVERED).count(), 500
        )
        cutter.halt.set()
        cutter.join()
        assert all_delivered, Counter(Message.objects.values_list("status", flat=True))
        still_running = [worker.poll() is None for worker in workers]
        assert still_running == [True, True], [log.read_text()[-2000:] for log in logs]
    finally:
        cutter.halt.set()
        codes = [stop(worker) for worker in workers]
    output = "".join(log.read_text() for log in logs)

    assert cutter.cut >= 10, "the test did not cut enough connections to prove anything"
    assert "database unavailable" in output  # the workers met the cuts and carried on
    assert codes == [0, 0], output[-3000:]  # SIGTERM: finish the job in hand, exit cleanly

    messages = Message.objects.filter(facility=facility)
    assert messages.count() == 500
    assert MessageEvent.objects.filter(message__in=messages, to_status="delivered").count() == 500
    for message in messages:
        charges = Transaction.objects.filter(message=message, kind="message_charge").count()
        assert charges == 1, (message.pk, charges)
    assert not Transaction.objects.filter(kind="message_refund").exists()
    assert problems() == []
    assert not Job.objects.exclude(status=Job.Status.DONE).exists()
    audit.seal()
    assert audit.verify_chain() is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Forwarder(threading.Thread):
    """A TCP port that forwards to PostgreSQL once started: until then, nothing listens
    there, as when the database server is down."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        db = settings.DATABASES["default"]
        self.target = (db["HOST"] or "localhost", int(db["PORT"] or 5432))
        self.server = socket.create_server(("127.0.0.1", port))

    def run(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()  # the other direction's recv then ends too

    def close(self) -> None:
        self.server.close()


def test_a_worker_started_before_the_database_waits_for_it_then_works(tmp_path):
    facility = t.make_facility("pg-late", policy={"review_mode": "flagged"})
    contact = t.make_contact("late@example.org")
    connection_ = t.connect(contact, t.make_resident(facility))
    message = messaging.send_message(
        sender=contact, connection_id=connection_.pk, body="Hi"
    ).message

    port = free_port()
    log = tmp_path / "worker.log"
    worker = start_worker(log, url=database_url(port=port))  # nothing listens there yet
    forwarder = None
    try:
        # Generous bounds (a process starting Django on a loaded machine takes a while);
        # each wait ends as soon as what it waits for is there.
        def retried() -> bool:
            return log.read_text().count("database unavailable") >= 3

        assert wait_for(retried, timeout=60), log.read_text()
        assert worker.poll() is None, log.read_text()
        assert "waiting" in log.read_text()
        message.refresh_from_db()
        assert message.status == Message.Status.SUBMITTED

        forwarder = Forwarder(port)  # the database comes up
        forwarder.start()

        def delivered() -> bool:
            message.refresh_from_db()
            return message.status == Message.Status.DELIVERED

        assert wait_for(delivered, timeout=60), log.read_text()
        assert worker.poll() is None
    finally:
        code = stop(worker)
        if forwarder:
            forwarder.close()
    assert code == 0, log.read_text()
    assert "stopped" in log.read_text()
    assert jobs.run_pending() == 0  # nothing left behind
