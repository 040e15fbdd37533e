"""``/healthz``, for a load balancer or a process supervisor: 200 while this process
reaches the database, 503 when it does not. The body also says whether the job queue
keeps up ("queue": "ok", or "lagging" once the oldest due job has waited longer than
HEALTH_MAX_QUEUE_LAG_SECONDS), but lagging workers do not fail the check: a load balancer
would otherwise take every web server out at once, when only background work is late
(alert on ``homeward_job_queue_lag_seconds`` in /metrics instead). It names no person,
facility or message.

It is answered by a middleware placed before the host check and the HTTPS redirect, so a
probe that asks by address over plain HTTP, as load balancers do, gets the answer too. It
reads no session and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

from homeward.core import clock
from homeward.jobs.health import queue_state

PATH = "/healthz"


def check() -> tuple[bool, dict[str, object]]:
    """Whether this process is healthy (it reaches the database), and what it sees."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        queue = queue_state(clock.now())
    except DatabaseError:
        return False, {"status": "unavailable", "database": "unreachable"}
    lagging = queue.lag_seconds > settings.HEALTH_MAX_QUEUE_LAG_SECONDS
    return True, {
        "status": "ok",
        "database": "ok",
        "queue": "lagging" if lagging else "ok",
        "queue_lag_seconds": round(queue.lag_seconds, 1),
    }


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        healthy, body = check()
        return HttpResponse(
            json.dumps(body),
            status=200 if healthy else 503,
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )
