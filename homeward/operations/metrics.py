"""``/metrics`` in Prometheus's text format, and the middleware that times and logs every
request.

What the processes count themselves (request latency, jobs run and their time) is in
``core/metrics.py``; what the database knows (queue depth and lag, dead jobs, the review
backlog) is read here at each scrape. The page is off unless ``METRICS_TOKEN`` is set, and
then answers only a scraper that sends it as a bearer token."""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from homeward.core import clock
from homeward.core.metrics import REQUEST_SECONDS
from homeward.jobs.health import queue_state
from homeward.operations.health import PATH as HEALTH_PATH
from homeward.review.health import deployment_backlog

log = logging.getLogger("homeward.request")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Any other method is counted as "other": each label value is a series of its own.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class DatabaseFigures(Collector):
    """The queue and the review backlog as they stand at the scrape."""

    def collect(self) -> Iterator[Metric]:
        now = clock.now()
        queue = queue_state(now)
        due = GaugeMetricFamily(
            "homeward_jobs_due", "Jobs due and not yet taken, by kind.", labels=["kind"]
        )
        for kind, count in sorted(queue.due_by_kind.items()):
            due.add_metric([kind], count)
        yield due
        yield GaugeMetricFamily(
            "homeward_job_queue_lag_seconds",
            "How long the oldest due job has waited.",
            value=queue.lag_seconds,
        )
        yield GaugeMetricFamily("homeward_jobs_running", "Jobs being run.", value=queue.running)
        yield GaugeMetricFamily(
            "homeward_jobs_dead", "Jobs that gave up and wait for an operator.", value=queue.dead
        )
        backlog = deployment_backlog(now=now)
        yield GaugeMetricFamily(
            "homeward_review_waiting", "Messages waiting for a reviewer.", value=backlog.waiting
        )
        yield GaugeMetricFamily(
            "homeward_review_overdue",
            "Messages waiting for a reviewer past their due time.",
            value=backlog.overdue,
        )


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, f"Bearer {token}".encode()):
        return HttpResponse("A metrics token is needed.\n", status=403, content_type="text/plain")
    scraped = CollectorRegistry()
    scraped.register(DatabaseFigures())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(scraped)  # every process's own counts, summed
        body = generate_latest(scraped)
    else:
        body = generate_latest(REGISTRY) + generate_latest(scraped)
    return HttpResponse(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


class RequestMetricsMiddleware:
    """Times each request for ``homeward_http_request_seconds`` and logs it (method, the
    path's URL pattern, status, time) on ``homeward.request``. Health probes are counted
    but not logged, or they would drown the log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = self._view(request)
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(method, view, str(response.status_code)).observe(seconds)
        if view != "healthz":
            path = _loggable_path(request)
            log.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2),
                    "view": view,
                    "client": request.META.get("REMOTE_ADDR", ""),
                },
            )
        return response

    @staticmethod
    def _view(request: HttpRequest) -> str:
        # A view's name, never the path: paths carry ids, and each label value is a series.
        match = getattr(request, "resolver_match", None)
        if match is not None:
            return match.view_name or match._func_path
        if request.path == HEALTH_PATH:
            return "healthz"
        if request.path.startswith(STATIC_PREFIX):
            return "static"
        return "unmatched"


STATIC_PREFIX = "/" + settings.STATIC_URL.lstrip("/")


def _loggable_path(request: HttpRequest) -> str:
    """The path as its URL pattern writes it when a view answered ("password/reset/<uidb64>/
    <token>/"): links in emails carry secrets (reset, verification, invitation and
    unsubscribe tokens) that a log must not. Never the query string."""
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None and match.route else request.path
