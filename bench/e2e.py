"""End to end on PostgreSQL: messages submitted, screened and delivered, with pgbench beside.

Many contacts write to residents at a facility that reviews only flagged messages (so what
screening clears needs no person). The run measures, with 1 and then 2 workers, each in
its own process as in production:

- the service path: this process submits messages as fast as it can (as a web process
  would after parsing a request) while the workers screen and deliver them;
- 50 messages a second offered, the latency a family sees at a steady rate;
- the HTTP API on the production server (gunicorn, as `make serve` runs it), with 8
  clients sending at once;

and runs pgbench's write-only test (`-N`) on the same server for the ratio. It ends by
checking that nothing was lost: every message delivered exactly once, the ledger sound,
no job dead. The last line sums it up:

    e2e: delivered_msg_s=N http_delivered_msg_s=N pgbench_tps=N ratio=N p95_at_50_s=N

The database (DATABASE_URL, default homeward_bench_e2e on 127.0.0.1) is dropped and made
again; its name must contain "bench". Takes 4 to 5 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")

from bench.review_queue import SENTENCES, make_people, start  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_e2e"
FACILITY = "e2e"
HTTP_CLIENTS = 8
OFFERED_RATE = 50.0


@dataclass
class Phase:
    name: str
    workers: int
    submitted: int
    submit_s: float  # from the first submit to the last
    delivered_s: float  # from the first submit to the last delivery
    latencies: list[float]  # seconds, submitted -> delivered

    @property
    def submit_rate(self) -> float:
        return self.submitted / self.submit_s

    @property
    def delivered_rate(self) -> float:
        return self.submitted / self.delivered_s

    def p(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


# --- the deployment ----------------------------------------------------------------------


def setup(contacts: int) -> list[tuple[int, int]]:
    """A facility reviewing only flagged messages, ``contacts`` contacts each connected to a
    resident and past the monitoring notice; (contact id, connection id) of each."""
    from homeward import builders
    from homeward.connections.models import Connection

    facility = builders.make_facility(
        FACILITY, policy={"review_mode": "flagged", "sample_percent": 0}
    )
    make_people(facility, residents=contacts, contacts_each=1)
    links = list(
        Connection.objects.filter(facility=facility).select_related("contact", "resident__agency")
    )
    for link in links:
        builders.accept_agency_notice(link.contact, link.resident.agency)
    return [(link.contact_id, link.pk) for link in links]


def clear_letters(rng: random.Random, count: int = 300) -> list[str]:
    """Letters of one to three everyday sentences that screening lets through at the
    facility (one about money or a lawyer may be held for a person to read, which is not
    what this run measures)."""
    from homeward.facilities.models import Facility
    from homeward.screening.services import screen_text

    facility = Facility.objects.get(code=FACILITY)
    letters: list[str] = []
    while len(letters) < count:
        text = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
        if screen_text(facility, text).verdict.verdict == "clear":
            letters.append(text)
    return letters


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@contextmanager
def workers(count: int, folder: Path) -> Iterator[None]:
    """``count`` `manage.py worker` processes, ready (their screening data loaded)."""
    procs = []
    logs = []
    for n in range(count):
        log = folder / f"worker-{n}.log"
        logs.append(log)
        with log.open("wb") as out:
            procs.append(
                subprocess.Popen(  # noqa: S603 (our own manage.py)
                    [sys.executable, "manage.py", "worker"],
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        deadline = time.monotonic() + 120
        while not all("started" in log.read_text() for log in logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                sys.exit("a worker did not start:\n" + "\n".join(x.read_text() for x in logs))
            time.sleep(0.2)
        yield
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)


@contextmanager
def web_server(folder: Path) -> Iterator[int]:
    """gunicorn as `make serve` runs it (2 processes of 4 threads); its port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = folder / "web.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our own configuration)
            [sys.executable, "-m", "gunicorn", "--config", "homeward/gunicorn_conf.py"],
            cwd=ROOT,
            env={**os.environ, "BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the web server did not start:\n" + log.read_text())
                time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


# --- sending -----------------------------------------------------------------------------


def submit_by_service(plan: Sequence[tuple[int, int, str]], rate: float | None) -> list[int]:
    """Send each (contact, connection, body) through the service; at ``rate`` a second, or
    as fast as possible. The ids of the messages sent."""
    from homeward.messaging import services as messaging
    from homeward.people.models import Contact

    senders = {c.pk: c for c in Contact.objects.filter(pk__in={c for c, _, _ in plan})}
    sent = []
    started = time.perf_counter()
    for n, (contact_id, connection_id, body) in enumerate(plan):
        if rate:
            wait = started + n / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        result = messaging.send_message(
            sender=senders[contact_id], connection_id=connection_id, body=body
        )
        sent.append(result.message.pk)
    return sent


def api_tokens(contact_ids: set[int]) -> dict[int, str]:
    from homeward.api.services import issue_token
    from homeward.people.models import Contact

    return {
        contact.pk: issue_token(contact=contact, name="bench", ip=None)[1]
        for contact in Contact.objects.filter(pk__in=contact_ids)
    }


def submit_by_http(
    port: int, plan: Sequence[tuple[int, int, str]], tokens: dict[int, str]
) -> list[int]:
    """Send the plan through POST /api/v1/conversations/{id}/messages, 8 clients at once,
    each on one kept-alive connection."""
    shares = [plan[i::HTTP_CLIENTS] for i in range(HTTP_CLIENTS)]
    failures: list[str] = []

    def client(share: Sequence[tuple[int, int, str]]) -> list[int]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ids = []
        for contact_id, connection_id, body in share:
            conn.request(
                "POST",
                f"/api/v1/conversations/{connection_id}/messages",
                body=json.dumps({"body": body}),
                headers={
                    "Authorization": f"Bearer {tokens[contact_id]}",
                    "Content-Type": "application/json",
                },
            )
            response = conn.getresponse()
            answer = response.read()
            if response.status != 201:
                failures.append(f"{response.status} {answer[:200]!r}")
                continue
            ids.append(json.loads(answer)["id"])
        conn.close()
        return ids

    with ThreadPoolExecutor(max_workers=HTTP_CLIENTS) as pool:
        sent = [i for ids in pool.map(client, shares) for i in ids]
    if failures:
        sys.exit(f"{len(failures)} API sends failed, e.g. {failures[0]}")
    return sent


def wait_delivered(ids: list[int], timeout: float) -> None:
    from homeward.messaging.models import Message

    deadline = time.monotonic() + timeout
    while Message.objects.filter(pk__in=ids, status=Message.Status.DELIVERED).count() < len(ids):
        held = Message.objects.filter(pk__in=ids, status__in=["in_review", "blocked", "returned"])
        if held.exists():
            sys.exit(f"held back, not delivered: {list(held.values_list('status', 'body')[:3])}")
        if time.monotonic() > deadline:
            left = Message.objects.filter(pk__in=ids).exclude(status="delivered")
            sys.exit(f"not delivered after {timeout:.0f} s: {left.values_list('status')[:5]}")
        time.sleep(0.2)


def phase(name: str, count: int, ids: list[int]) -> Phase:
    from homeward.messaging.models import Message

    rows = list(Message.objects.filter(pk__in=ids).values_list("submitted_at", "delivered_at"))
    first = min(s for s, _ in rows)
    last_submit = max(s for s, _ in rows)
    last = max(d for _, d in rows)
    return Phase(
        name=name,
        workers=count,
        submitted=len(rows),
        submit_s=max((last_submit - first).total_seconds(), 1e-3),
        delivered_s=(last - first).total_seconds(),
        latencies=[(d - s).total_seconds() for s, d in rows],
    )


# --- pgbench -----------------------------------------------------------------------------


def pgbench(seconds: int) -> float:
    """pgbench -N (write-only) on a database of its own on the same server; tps."""
    from django.conf import settings

    if shutil.which("pgbench") is None:
        sys.exit("pgbench is not installed (PostgreSQL's client programs)")
    from homeward.operations.backup import client_environment

    env = client_environment(f"{settings.DATABASES['default']['NAME']}_pgbench")
    name = env["PGDATABASE"]

    def program(*command: str) -> str:
        # PostgreSQL's own client programs, with fixed arguments.
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
        return done.stdout

    program("dropdb", "--if-exists", name)
    program("createdb", name)
    try:
        program("pgbench", "-i", "-q", "-s", "10")
        out = program("pgbench", "-N", "-c", "2", "-j", "2", "-T", str(seconds))
    finally:
        program("dropdb", "--if-exists", name)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if not match:
        sys.exit("pgbench printed no tps:\n" + out)
    return float(match.group(1))


# --- nothing lost ------------------------------------------------------------------------


def check_nothing_lost(expected: int) -> None:
    from django.db.models import Count

    from homeward.jobs.models import Job
    from homeward.ledger.services import problems
    from homeward.messaging.models import Message, MessageEvent

    delivered = Message.objects.filter(status=Message.Status.DELIVERED).count()
    total = Message.objects.count()
    twice = (
        MessageEvent.objects.filter(to_status="delivered")
        .values("message_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    dead = Job.objects.filter(status=Job.Status.DEAD).count()
    ledger = problems()
    print(
        f"\nnothing lost: {delivered:,} of {total:,} messages delivered (expected {expected:,}),"
        f" {twice} delivered twice, {dead} dead jobs, ledger "
        + ("sound" if not ledger else f"with {len(ledger)} problems")
    )
    if delivered != expected or total != expected or twice or dead or ledger:
        sys.exit("something was lost or done twice")


# --- the run -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=800, help="per full-load phase")
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--steady-seconds", type=int, default=15, help="at 50 msg/s offered")
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    args = parser.parse_args()
    run_started = time.perf_counter()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    start(url, reuse=False)

    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="homeward-e2e-"))
    people = setup(args.contacts)
    rng = random.Random(7)
    letters = clear_letters(rng)
    vacuum()

    def plan(count: int) -> list[tuple[int, int, str]]:
        return [(*people[i % len(people)], rng.choice(letters)) for i in range(count)]

    phases: list[Phase] = []
    expected = 0
    for count in (1, 2):
        with workers(count, folder):
            ids = submit_by_service(plan(args.messages), rate=None)
            wait_delivered(ids, timeout=600)
            phases.append(phase("service, full load", count, ids))
            expected += len(ids)
            print(f"service path, {count} worker(s): done", flush=True)
            if count == 2:
                steady = int(OFFERED_RATE * args.steady_seconds)
                ids = submit_by_service(plan(steady), rate=OFFERED_RATE)
                wait_delivered(ids, timeout=600)
                phases.append(phase(f"service, {OFFERED_RATE:.0f} msg/s offered", count, ids))
                expected += len(ids)
                print("service path at 50 msg/s: done", flush=True)
        vacuum()
    tokens = api_tokens({contact for contact, _ in people})
    for count in (1, 2):
        with web_server(folder) as port, workers(count, folder):
            ids = submit_by_http(port, plan(args.messages), tokens)
            wait_delivered(ids, timeout=600)
            phases.append(phase("HTTP API, full load", count, ids))
            expected += len(ids)
            print(f"HTTP API, {count} worker(s): done", flush=True)
        vacuum()
    tps = pgbench(args.pgbench_seconds)
    check_nothing_lost(expected)

    print(
        f"\nPostgreSQL on this machine ({os.cpu_count()} cores), {args.contacts} contacts, "
        f"letters of 1-3 everyday sentences; the run took {time.perf_counter() - run_started:.0f} s"
    )
    print(
        f"{'phase':<28} {'workers':>7} {'msgs':>6} {'submit/s':>9} {'delivered/s':>12}"
        f" {'p50 s':>7} {'p95 s':>7} {'p99 s':>7}"
    )
    for p in phases:
        print(
            f"{p.name:<28} {p.workers:>7} {p.submitted:>6} {p.submit_rate:>9.1f}"
            f" {p.delivered_rate:>12.1f} {p.p(50):>7.2f} {p.p(95):>7.2f} {p.p(99):>7.2f}"
        )
    print(f"pgbench -N, 2 clients: {tps:,.0f} tps")
    best = max(p.delivered_rate for p in phases if p.name == "service, full load")
    http = max(p.delivered_rate for p in phases if p.name == "HTTP API, full load")
    steady_p95 = next(p.p(95) for p in phases if "offered" in p.name)
    print(
        f"e2e: delivered_msg_s={best:.1f} http_delivered_msg_s={http:.1f} "
        f"pgbench_tps={tps:.0f} ratio={best / tps:.4f} p95_at_50_s={steady_p95:.2f}"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
