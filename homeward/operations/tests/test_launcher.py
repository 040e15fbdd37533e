"""`make serve` as an agency runs it: production settings behind a TLS proxy, gunicorn and
two workers started together on PostgreSQL, connections pooled, JSON logs and metrics
summed over every process; messages sent meanwhile are delivered; one stop stops them all.
And the production settings that `manage.py check --deploy` finds nothing to say about."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from homeward import builders as t
from homeward.core.tests.test_serving import server_connections
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.operations.tests.launch import get, make_serve
from homeward.operations.tests.test_health_and_metrics import (
    facilities_pages_served,
    sample,
)
from homeward.personas import settings_read_with

APP = "homeward-test-launcher"  # application_name of every launched process
WEB_WORKERS, POOL_MAX, WORKERS = 2, 3, 2
PRODUCTION = {
    "HOMEWARD_PRODUCTION": "1",
    "SECRET_KEY": "a-test-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "PROXY_HEADERS": "1",  # TLS ends at a proxy in front, which says so per request
}


def production_env(**more: str) -> dict[str, str]:
    """What an operator sets for production, on top of the environment."""
    return {**PRODUCTION, "EXPORT_SIGNING_KEY": t.new_export_key(), **more}


@pytest.mark.database_elsewhere  # production's settings for the suite's kind of database
def test_production_settings_pass_the_deploy_check():
    run = subprocess.run(  # noqa: S603 (our own manage.py, with this interpreter)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **production_env()},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    read = settings_read_with(
        "settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.SECURE_HSTS_SECONDS > 0",
        **production_env(),
    )
    assert read.stdout.strip() == "True True True", read.stderr


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"DEBUG": "1"}, "DEBUG must be off when HOMEWARD_PRODUCTION is on"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"EXPORT_SIGNING_KEY": None}, "EXPORT_SIGNING_KEY must be set"),
        (
            {"DB_POOL": "1", "DB_CONN_MAX_AGE": "60", "DATABASE_URL": "postgres://x@h/db"},
            "DB_POOL and DB_CONN_MAX_AGE cannot be used together",
        ),
    ],
)
def test_production_refuses_to_start_half_configured(env, refusal):
    read = settings_read_with("settings.DEBUG", **{**production_env(), **env})
    assert read.returncode != 0 and refusal in read.stderr


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the launcher on PostgreSQL")
def test_make_serve_runs_the_web_server_and_two_workers_until_stopped(tmp_path):
    facility = t.make_facility("launch", policy={"review_mode": "flagged", "sample_percent": 0})
    resident = t.make_resident(facility, "L1001")
    contact = t.make_contact("family@example.org")
    link = t.connect(contact, resident)

    env = production_env(
        PGAPPNAME=APP,
        WORKERS=str(WORKERS),
        WEB_WORKERS=str(WEB_WORKERS),
        WEB_THREADS=str(POOL_MAX),
        DB_POOL="1",
        DB_POOL_MAX_SIZE=str(POOL_MAX),
        METRICS_TOKEN="scrape-token",
        LOG_FORMAT="json",
    )
    https = {"X-Forwarded-Proto": "https"}
    with make_serve(tmp_path, **env) as launched:
        base, port = launched.url, launched.url.rsplit(":", 1)[1]
        sent = [
            messaging.send_message(
                sender=contact, connection_id=link.pk, body=f"Letter {n}: all is well at home."
            ).message.pk
            for n in range(20)
        ]
        deadline = time.monotonic() + 90
        while Message.objects.filter(pk__in=sent, status="delivered").count() < len(sent):
            assert time.monotonic() < deadline, launched.output()[-3000:]
            time.sleep(0.3)
        # Both workers run (which of them takes a batch of ten is up to them; on a busy
        # machine the second may still be warming up when the first has done all twenty).
        workers = [f"worker.{n}" for n in range(1, WORKERS + 1)]
        started = re.compile(r"^\S+ (worker\.\d+) .*worker \S+ started", re.M)
        while sorted(set(started.findall(launched.output()))) != workers:
            assert time.monotonic() < deadline, launched.output()[-3000:]
            time.sleep(0.3)
        assert Job.objects.filter(kind="screen_message", status="done").count() == len(sent)

        status, page = get(f"{base}/facilities/", **https)
        assert status == 200 and "launch" in page.lower()
        plain = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            plain.open(f"{base}/facilities/", timeout=30)
        redirected.value.close()
        assert redirected.value.code == 301  # plain HTTP is sent to HTTPS
        assert redirected.value.headers["Location"] == f"https://127.0.0.1:{port}/facilities/"

        status, text = get(f"{base}/metrics", Authorization="Bearer scrape-token")
        assert status == 200
        # Counted by the two worker processes, reported by a web process.
        done = sample(text, "homeward_jobs_run_total", kind="screen_message", outcome="done")
        assert done == len(sent)
        assert sample(text, "homeward_jobs_due", kind="screen_message") is None
        assert facilities_pages_served(text) == 1

        # Pooled: connections stay open for the next request, never more than the pools
        # (and each worker's own two: one for its jobs, one listening for new ones).
        open_now = server_connections(APP)
        assert 1 <= open_now <= WEB_WORKERS * POOL_MAX + 2 * WORKERS, open_now

    output = launched.output()
    assert launched.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(launched.process.pid, 0)  # nothing of the group is left
    deadline = time.monotonic() + 10
    while server_connections(APP) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server_connections(APP) == 0
    # The web server logged each request as one JSON object.
    lines = [line.split("| ", 1)[1] for line in output.splitlines() if "homeward.request" in line]
    logged = [json.loads(line) for line in lines]
    assert any(e["path"] == "/facilities/" and e["status"] == 200 for e in logged), lines
    assert "stopped" in output
