"""What an operator watches: /healthz for the load balancer, /metrics for Prometheus, and
the request log. A probe or a scraper must never need a session, and neither page may tell
a stranger anything about the people, facilities or messages inside."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys

import pytest
from django.test import Client

from homeward.core import clock
from homeward.core.logs import JsonFormatter
from homeward.core.models import AuditEvent
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.personas import settings_read_with

pytestmark = pytest.mark.django_db


def health(client: Client, **headers: str) -> tuple[int, dict]:
    response = client.get("/healthz", **headers)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def test_healthz_says_ok_when_the_database_answers_and_the_queue_keeps_up(client):
    status, body = health(client)
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "queue": "ok", "queue_lag_seconds": 0.0}
    assert not client.cookies  # no session, no CSRF cookie: a probe leaves nothing behind


def test_healthz_answers_a_probe_by_address_over_plain_http(settings):
    # Load balancers ask by the machine's address, without TLS, while the site itself
    # accepts only its own host names and redirects plain HTTP to HTTPS.
    settings.ALLOWED_HOSTS = ["homeward.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    status, body = health(client, HTTP_HOST="10.0.0.5:8000")
    assert (status, body["status"]) == (200, "ok")
    assert client.get("/facilities/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/facilities/", HTTP_HOST="homeward.example.org").status_code == 301


def test_healthz_says_the_queue_lags_without_failing_the_web_server(client, settings):
    # Workers that fall behind must not make a load balancer take every web server out:
    # the check stays 200 and says so; /metrics carries the lag for alerts.
    settings.HEALTH_MAX_QUEUE_LAG_SECONDS = 60
    job = jobs.enqueue("deliver_message", message_id=0)
    Job.objects.filter(pk=job.pk).update(run_after=clock.now() - dt.timedelta(seconds=30))
    status, body = health(client)
    assert (status, body["queue"]) == (200, "ok")
    assert 29 <= body["queue_lag_seconds"] < 60

    Job.objects.update(run_after=clock.now() - dt.timedelta(seconds=90))
    status, body = health(client)
    assert (status, body["status"], body["queue"]) == (200, "ok", "lagging")
    assert body["queue_lag_seconds"] >= 90


def test_healthz_says_503_when_the_database_is_unreachable():
    # A fresh process whose database does not answer (nothing listens on port 1).
    read = settings_read_with(
        "[__import__('json').dumps([r.status_code, r.content.decode()]) for r in"
        " [__import__('django.test', fromlist=['Client']).Client().get('/healthz')]][0]",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
    )
    assert read.returncode == 0, read.stderr
    status, content = json.loads(read.stdout.strip().splitlines()[-1])
    assert status == 503
    assert json.loads(content) == {"status": "unavailable", "database": "unreachable"}


def test_healthz_takes_no_other_method(client):
    assert client.post("/healthz").status_code == 405


# --- /metrics -----------------------------------------------------------------------------


def scrape(client: Client, token: str | None) -> tuple[int, str]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    response = client.get("/metrics", **headers)
    return response.status_code, response.content.decode()


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus's text format, or None if it is absent."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


def facilities_pages_served(text: str) -> float | None:
    """How many times the facilities page answered 200, as /metrics counts it."""
    return sample(
        text,
        "homeward_http_request_seconds_count",
        view="web:facilities",
        method="GET",
        status="200",
    )


def test_metrics_is_no_page_at_all_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client, None)[0] == 404
    assert scrape(client, "anything")[0] == 404


def test_metrics_refuses_a_scraper_without_the_right_token_and_changes_nothing(
    client, settings, world
):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    events = AuditEvent.objects.count()
    for token in [None, "", "wrong", "s3cret-scrape-token-and-more", "S3CRET-SCRAPE-TOKEN"]:
        status, text = scrape(client, token)
        assert status == 403, token
        assert "homeward_" not in text
    signed_in = Client()
    signed_in.force_login(world.facility_admin)
    assert scrape(signed_in, None)[0] == 403  # staff sign-in is not a scraper's token
    assert AuditEvent.objects.count() == events


def test_metrics_reports_the_queue_the_review_backlog_and_request_times(
    client, settings, world, run_jobs
):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    connection = world.contact_a.connections.get()
    for text in ["Hi Maria, thinking of you.", "The garden is blooming."]:
        messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body=text)

    status, text = scrape(client, "s3cret-scrape-token")
    assert status == 200
    assert sample(text, "homeward_jobs_due", kind="screen_message") == 2
    assert sample(text, "homeward_review_waiting") == 0

    run_jobs()  # screened; Greenhaven reviews every message
    client.get("/facilities/")
    _, text = scrape(client, "s3cret-scrape-token")
    assert sample(text, "homeward_jobs_due", kind="screen_message") is None
    assert sample(text, "homeward_job_queue_lag_seconds") == 0
    assert sample(text, "homeward_review_waiting") == 2
    assert sample(text, "homeward_review_overdue") == 0
    ran = sample(text, "homeward_jobs_run_total", kind="screen_message", outcome="done")
    assert ran is not None and ran >= 2  # this process's count (all of them, under the launcher)
    served = facilities_pages_served(text)
    assert served is not None and served >= 1
    # No path, id or name of anyone is a label: views are named, never addressed.
    assert "Maria" not in text and "greenhaven" not in text and "/facilities/" not in text


# --- the request log ----------------------------------------------------------------------


def test_each_request_is_logged_without_its_query(client, caplog):
    with caplog.at_level(logging.INFO, logger="homeward.request"):
        client.get("/facilities/?state=NY&q=private")
        client.get("/healthz")
    records = [r for r in caplog.records if r.name == "homeward.request"]
    assert len(records) == 1  # probes are not logged
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["logger"] == "homeward.request" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/facilities/", 200)
    assert line["view"] == "web:facilities" and line["duration_ms"] > 0
    assert "private" not in json.dumps(line)
    assert dt.datetime.fromisoformat(line["time"]).tzinfo is not None


def test_secrets_in_a_link_never_reach_the_log(client, caplog):
    # A password reset link, as emailed: the log names its pattern, not its token.
    with caplog.at_level(logging.INFO):
        client.get("/password/reset/MQ/secret-reset-token-123/?next=/private/")
        client.get("/verify/another-secret-token/")
    formatted = [JsonFormatter().format(r) for r in caplog.records]
    logged = [json.loads(line) for line in formatted]
    assert "/password/reset/<str:uid>/<str:token>/" in [e.get("path") for e in logged]
    everything = "\n".join(formatted)
    for secret in ["secret-reset-token-123", "another-secret-token", "private"]:
        assert secret not in everything


def test_json_lines_hold_plain_values_only():
    # Django's own request records carry the request object, whose text has the query.
    record = logging.getLogger("django.request").makeRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/x/",),
        None,
        extra={"request": object(), "status_code": 404},
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["status_code"] == 404 and "request" not in line


def test_json_log_lines_carry_the_traceback_of_an_error():
    try:
        raise ValueError("the cause")
    except ValueError:
        record = logging.getLogger("homeward.test").makeRecord(
            "homeward.test", logging.ERROR, __file__, 1, "job %s failed", ("x",), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "job x failed"
    assert "ValueError: the cause" in line["exception"]


def test_log_format_is_text_or_json_and_nothing_else():
    assert settings_read_with("settings.LOG_FORMAT", LOG_FORMAT="json").stdout.strip() == "json"
    wrong = settings_read_with("settings.LOG_FORMAT", LOG_FORMAT="xml")
    assert wrong.returncode != 0 and "LOG_FORMAT must be text or json" in wrong.stderr


def test_log_level_is_a_level_in_either_case_and_nothing_else():
    read = settings_read_with("settings.LOGGING['root']['level']", LOG_LEVEL="warning")
    assert read.stdout.strip() == "WARNING"
    wrong = settings_read_with("settings.LOG_LEVEL", LOG_LEVEL="verbose")
    assert wrong.returncode != 0
    said = "LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got 'verbose'"
    assert said in wrong.stderr
