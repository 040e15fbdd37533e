"""``/healthz``, for a load balancer or a process supervisor: 200 when this process reaches
the database and the job queue keeps up, 503 otherwise, with a small JSON body saying
which. It names no person, facility or message.

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
    """Whether this deployment is healthy, and the figures that say so."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        queue = queue_state(clock.now())
    except DatabaseError:
        return False, {"status": "unavailable", "database": "unreachable"}
    lagging = queue.lag_seconds > settings.HEALTH_MAX_QUEUE_LAG_SECONDS
    return not lagging, {
        "status": "lagging" if lagging else "ok",
        "database": "ok",
        "queue_lag_seconds": round(queue.lag_seconds, 1),
        "jobs_due": queue.due,
        "jobs_dead": queue.dead,
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
