"""An idle worker on PostgreSQL starts a job as soon as it is committed, not at its next
look: here the worker looks only every 60 seconds, and the job still runs within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from homeward.jobs import services
from homeward.jobs.models import Job
from homeward.operations.tests.launch import suite_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY"),
]


def test_a_committed_job_wakes_an_idle_worker_at_once(tmp_path):
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", "worker", "--idle", "60"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": suite_database_url()},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "started" not in log.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        time.sleep(1)  # it has looked once, found nothing, and waits (for up to 60 s)

        queued_at = time.monotonic()
        # No such message: the job fails, which is as good as running it to see it taken.
        job = services.enqueue("deliver_message", message_id=0)
        while Job.objects.get(pk=job.pk).attempts == 0:
            assert time.monotonic() - queued_at < 10, log.read_text()
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert worker.returncode == 0, log.read_text()
