"""Review desk: a reviewer's server time per request with 100,000 messages queued, on
PostgreSQL, against 1,000 queued, in the same run.

    .venv/bin/python bench/review.py            (or: make bench-review)
    .venv/bin/python bench/review.py --reuse    (keep the database an earlier run filled)

It creates the PostgreSQL database of DATABASE_URL afresh (default
postgres://postgres@127.0.0.1:5432/homeward_bench_review; it is dropped first, so its name
must contain "bench"), migrates it and fills it (bench/review_queue.py): a facility with
--baseline (1,000) messages in review, then another of the same agency with --queued
(100,000). Each has residents, contacts and connections (the first made by the builders, the
rest copies in bulk), and each message what screening leaves of it: status events, a
screening result from the real engine, an open review task due over the coming days; all
COPYed in, then VACUUM ANALYZE. Each facility has its own reviewer, signed in on Django's
test client (password, second factor, notice), so every request goes through the real
middleware, views and database; server time is the client's wall time (there is no
network). No worker runs. --reuse keeps the database (with the same --queued/--baseline).

It times three queues: the small one alone, before the big one is filled (the baseline; not
with --reuse of a filled database), the big one, and the small one again beside the big one.
For each, with REVIEW_UNDO_SECONDS as configured (5 by default: the decision is recorded
and a job applies it once the window ends) it prints p50/p95/max ms of --decisions (300)
approve POSTs (the decision and the claim of the next message, as the reviewer waits for
them), of the task page GETs between them and of claim_next POSTs; with a window of 0 (the
decision applied in the request) the approve POSTs again; then the dashboard and the queue
page, which count the queue. Beside each: the queries per request and their time, the p95
against the baseline's (1.0x: it does not grow with the queue) and against a floor (a
console page that reads no queue). Then the EXPLAIN ANALYZE time of claim_next's queue
query (--explain prints the plans) and whether a decision's p95 is under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")

from bench.review_queue import Desk, fill_desk, start, top_up  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_review"
TARGET_MS = 100.0


@dataclass
class Figures:
    times: list[float]
    queries: list[int]
    sql_ms: list[float]

    def p(self, q: int) -> float:
        return statistics.quantiles(self.times, n=100, method="inclusive")[q - 1]


def signed_in_client(reviewer: Any) -> Any:
    from django.test import Client

    from homeward import builders

    client = Client()
    client.reviewer = reviewer
    client.force_login(reviewer)
    builders.pass_staff_signin_steps(client, reviewer)
    return client


def timed(request: Callable[[], Any], expect: int) -> tuple[float, Any]:
    started = time.perf_counter()
    response = request()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != expect:
        sys.exit(f"expected {expect}, got {response.status_code}: {response.get('Location')}")
    return elapsed, response


def counted(request: Callable[[], Any], expect: int) -> tuple[int, float, Any]:
    """The same request with its SQL captured: how many queries, and their time in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    spent = [0.0]

    def clocked(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(clocked):
        _, response = timed(request, expect)
    return len(captured.captured_queries), spent[0] * 1000, response


def task_url(response: Any) -> str:
    where = response["Location"]
    if not where.startswith("/console/review/"):
        sys.exit(f"the queue ran dry: redirected to {where}")
    return where


def release(client: Any, url: str) -> None:
    """Give a claimed task back (through the service: this is not measured)."""
    from homeward.review import services

    task_id = int(url.rstrip("/").rsplit("/", 1)[1])
    services.release(staff=client.reviewer, task_id=task_id)


def sample(figures: Figures, i: int, warmup: int, runs: int, request: Any, expect: int) -> Any:
    """Request ``i`` of a series: a warm-up, a timed one, or (after those) one whose SQL
    is counted."""
    if i < warmup + runs:
        elapsed, response = timed(request, expect)
        if i >= warmup:
            figures.times.append(elapsed)
        return response
    queries, sql, response = counted(request, expect)
    figures.queries.append(queries)
    figures.sql_ms.append(sql)
    return response


def desk_run(client: Any, runs: int, warmup: int, *, every_request: bool) -> dict[str, Figures]:
    """Claim a message, then approve ``runs`` in a row (each approval claims the next), with
    ``every_request`` opening each task page first, then ``runs`` claim_next POSTs, each
    released again (not timed). Five more of each count their SQL."""
    figures = {name: Figures([], [], []) for name in ("decide", "task", "claim_next")}
    series = (warmup, runs)
    url = task_url(client.post("/console/queue/next/"))
    for i in range(warmup + runs + 5):
        if every_request:
            sample(figures["task"], i, *series, partial(client.get, url), 200)
        decide = partial(client.post, f"{url}decide/", {"decision": "approve"})
        url = task_url(sample(figures["decide"], i, *series, decide, 302))
    if every_request:
        claim = partial(client.post, "/console/queue/next/")
        for i in range(warmup + runs + 5):
            release(client, sample(figures["claim_next"], i, *series, claim, 302)["Location"])
    release(client, url)
    return {name: f for name, f in figures.items() if f.times}


def page_run(client: Any, path: str, runs: int, warmup: int) -> Figures:
    figures = Figures([], [], [])
    for i in range(warmup + runs + 5):
        sample(figures, i, warmup, runs, partial(client.get, path), 200)
    return figures


def queue_plan(desk: Desk, *, full: bool) -> str:
    """EXPLAIN ANALYZE of the query claim_next runs to find the most urgent free tasks of the
    desk's reviewer (as review.services.claim_next builds it): its execution time, or with
    ``full`` the whole plan."""
    from django.db import connection
    from django.db.models import Q

    from homeward.core import clock
    from homeward.review.access import queue_for

    free = Q(claimed_by__isnull=True) | Q(lease_until__lt=clock.now())
    query = queue_for(desk.reviewer).filter(free).values_list("id", flat=True)[:20]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)  # noqa: S608 (the ORM's)
        lines = [line for (line,) in cursor.fetchall()]
    if full:
        return "\n".join(f"    {line}" for line in lines)
    return lines[-1].split(": ", 1)[1]


@dataclass
class Queue:
    """One of the measured queues: its desk, its name in the tables, and its figures."""

    desk: Desk
    name: str
    client: Any
    runs: dict[int, dict[str, Figures]]  # undo seconds → request → figures
    pages: dict[str, Figures]
    plan: str = ""


def measure(queue: Queue, undos: Sequence[int], args: argparse.Namespace) -> None:
    from django.test import override_settings

    for path in ("/console/", "/console/queue/"):
        queue.pages[path] = page_run(queue.client, path, args.pages, 5)
    for undo in undos:
        top_up(queue.desk, seed=len(queue.name) * 100 + undo)
        # The task page and claim_next do not depend on the undo window: timed in the first.
        every_request = undo == undos[0]
        with override_settings(REVIEW_UNDO_SECONDS=undo):
            queue.runs[undo] = desk_run(
                queue.client, args.decisions, args.warmup, every_request=every_request
            )
    queue.plan = queue_plan(queue.desk, full=args.explain)


def line(request: str, queue: Queue, f: Figures, baseline: Figures | None, floor: float) -> str:
    queries = statistics.median(f.queries)
    sql = statistics.median(f.sql_ms)
    ratio = f"{f.p(95) / baseline.p(95):5.1f}x" if baseline else f"{'':6}"
    return (
        f"  {request:28} {queue.name:32} {f.p(50):7.1f} {f.p(95):7.1f} {max(f.times):7.1f}"
        f" {queries:5.0f} {sql:7.1f}   {ratio} {f.p(95) / floor:7.1f}x"
    )


def table(
    title: str,
    rows: dict[str, Callable[[Queue], Figures]],
    queues: list[Queue],
    baseline: Queue | None,
    floor: float,
) -> None:
    print(f"\n{title}")
    for request, pick in rows.items():
        for i, queue in enumerate(queues):
            reference = pick(baseline) if baseline is not None else None
            print(line(request if i == 0 else "", queue, pick(queue), reference, floor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    parser.add_argument("--queued", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000, help="the small queue")
    parser.add_argument("--decisions", type=int, default=300, help="timed requests of each")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pages", type=int, default=50, help="timed GETs of the queue pages")
    parser.add_argument("--explain", action="store_true", help="print the queue query's plans")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    start(url, reuse=args.reuse)
    from django.conf import settings

    from homeward.facilities.models import Facility

    default_undo = settings.REVIEW_UNDO_SECONDS
    undos = [default_undo] + ([0] if default_undo else [])
    big_name, small_name = f"{args.queued:,} queued", f"{args.baseline:,} queued"

    # The baseline: the small queue alone in the database, before the big one is filled.
    started = time.perf_counter()
    small = fill_desk("bench-small", args.baseline)
    print(f"filled {args.baseline:,} queued in {time.perf_counter() - started:.1f} s")
    baseline = None
    if not Facility.objects.filter(code="bench-big").exists():
        baseline = Queue(
            small, f"{small_name} (baseline)", signed_in_client(small.reviewer), {}, {}
        )
        measure(baseline, undos, args)
    started = time.perf_counter()
    big = fill_desk("bench-big", args.queued)
    print(f"filled {args.queued:,} queued in {time.perf_counter() - started:.1f} s")
    queues = [
        Queue(big, big_name, signed_in_client(big.reviewer), {}, {}),
        Queue(
            small,
            f"{small_name}, {args.queued:,} elsewhere",
            signed_in_client(small.reviewer),
            {},
            {},
        ),
    ]
    floor = page_run(queues[0].client, "/console/notice/", args.decisions, args.warmup)
    for queue in queues:
        measure(queue, undos, args)
    measured = ([baseline] if baseline else []) + queues

    print(
        f"\nqueues: {args.queued:,} open review tasks at one facility; {args.baseline:,} at "
        "another, measured alone before the big one was filled (the baseline) and again "
        "beside it. Each has its own facility reviewer, signed in with a second factor."
    )
    print(
        "server time per request, ms: wall time of Django's test client through the "
        f"middleware, views and database (no network); {args.decisions} timed requests of "
        f"each after {args.warmup} warm-up ({args.pages} of the pages). qry and SQL "
        "ms (time inside the queries, commits aside): medians of 5 more. Ratios: of the p95."
    )
    if baseline is None:
        print(
            "(--reuse: the database already held the big queue, so there is no baseline of "
            "the small queue alone; run without --reuse for it)"
        )
    head = f"{'p50':>7} {'p95':>7} {'max':>7} {'qry':>5} {'SQL ms':>7}"
    print(f"\n  {'request':28} {'queue':32} {head}   {'/base':>6} {'/floor':>8}")
    print(
        f"  {'floor: GET /console/notice/':28} {'(reads no queue)':32} {floor.p(50):7.1f} "
        f"{floor.p(95):7.1f} {max(floor.times):7.1f} {statistics.median(floor.queries):5.0f} "
        f"{statistics.median(floor.sql_ms):7.1f}"
    )
    requests: dict[str, str] = {
        "decide": "decide POST (+ claim next)",
        "task": "task page GET",
        "claim_next": "claim_next POST",
    }
    for undo in undos:
        if undo:
            title = (
                f"undo window {undo} s (REVIEW_UNDO_SECONDS, the console's setting: the "
                "decision is recorded in the request, a job applies it when the window ends)"
            )
        else:
            title = "undo window 0 s (the decision is recorded and applied in the request)"
        picks = {
            name: (lambda q, u=undo, k=key: q.runs[u][k])
            for key, name in requests.items()
            if key in queues[0].runs[undo]  # with a second window, only the decision again
        }
        table(title, picks, measured, baseline, floor.p(95))
    pages = {
        "dashboard GET /console/": lambda q: q.pages["/console/"],
        "queue page GET": lambda q: q.pages["/console/queue/"],
    }
    table("other desk pages (they count the queue)", pages, measured, baseline, floor.p(95))

    print("\nclaim_next's queue query (SELECT id … ORDER BY due_at, id LIMIT 20), EXPLAIN ANALYZE")
    for queue in measured:
        if args.explain:
            print(f"  {queue.name}:\n{queue.plan}")
        else:
            print(f"  {queue.name:40} {queue.plan}")
    print()
    for undo in undos:
        p95 = queues[0].runs[undo]["decide"].p(95)
        verdict = "met" if p95 < TARGET_MS else "NOT met"
        print(
            f"target: a decision's p95 < {TARGET_MS:.0f} ms with {args.queued:,} queued, "
            f"undo window {undo} s: {p95:.1f} ms, {verdict}"
        )


if __name__ == "__main__":
    main()
