"""A phone syncing a 5,000-message conversation through the API (issue 17, item 1): the size
and server time of each answer, against the whole conversation as one answer (what the API
gave before it had pages) and the page's rows read from the raw database, in the same run.

    .venv/bin/python bench/sync.py                 (PostgreSQL: DATABASE_URL, default below)
    .venv/bin/python bench/sync.py --messages 5000 --repeat 50 --reuse

It creates the PostgreSQL database of DATABASE_URL afresh (default
postgres://postgres@127.0.0.1:5432/homeward_bench_sync; dropped first, so its name must
contain "bench"), migrates it, and writes one contact and one resident who have written
--messages (5,000) messages to each other over the last year (55% from the contact, one in
a hundred blocked, bodies of one to four sentences, each with its stage times and the time
it last changed). Each answer is asked for on Django's test client with the contact's API
token, through the real middleware (gzip among them), views and database; server time is the
client's wall time. Per answer: 3 warm-up requests, --repeat (50) timed; p50/p95 ms, bytes
as sent plain and gzipped. Targets: every page under 100 KB as sent, p95 < 50 ms; the
largest page the API allows (100) is measured too, plain and gzipped. Last line:
``sync: worst_p95_ms=N largest_page_kb=N``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
os.environ.setdefault("DB_POOL", "1")

from bench.review_queue import SENTENCES, start  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_sync"
TARGET_MS = 50.0
TARGET_KB = 100.0
WARMUP = 3
YEAR = 365 * 86400


def fill(count: int, seed: int = 17) -> tuple[Any, Any]:
    """The contact and their connection, with ``count`` messages on it."""
    from homeward import builders
    from homeward.core import clock
    from homeward.messaging.models import Message

    rng = random.Random(seed)
    facility = builders.make_facility("bench-sync")
    resident = builders.make_resident(facility, "BENCH-2001")
    contact = builders.make_contact("rosa@bench.example.org", name="Rosa")
    connection = builders.connect(contact, resident)
    # Every change is older than the sync cursor's minute of lag, as in a conversation at rest.
    now = clock.now() - dt.timedelta(minutes=5)
    rows = []
    for _ in range(count):
        created = now - dt.timedelta(seconds=rng.uniform(3600, YEAR))
        screened = created + dt.timedelta(seconds=rng.uniform(1, 30))
        blocked = rng.random() < 0.01
        delivered = None if blocked else screened + dt.timedelta(seconds=rng.uniform(60, 7200))
        read = min(now, delivered + dt.timedelta(hours=rng.uniform(0.1, 30))) if delivered else None
        rows.append(
            Message(
                connection=connection,
                facility=facility,
                resident=resident,
                contact=contact,
                direction="to_resident" if rng.random() < 0.55 else "to_contact",
                body=" ".join(rng.sample(SENTENCES, rng.randint(1, 4))),
                status="blocked" if blocked else "read",
                created_at=created,
                submitted_at=created,
                screened_at=screened,
                in_review_at=screened if blocked else None,
                blocked_at=screened + dt.timedelta(hours=2) if blocked else None,
                block_category="drugs" if blocked else "",
                delivered_at=delivered,
                read_at=read,
                updated_at=read or min(now, screened + dt.timedelta(hours=2)),
            )
        )
    Message.objects.bulk_create(rows, batch_size=1000)
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE messaging_message")
    return contact, connection


def read(response: Any) -> Any:
    """An answer's JSON, gzipped or not."""
    sent = response.content
    if response.get("Content-Encoding") == "gzip":
        sent = gzip.decompress(sent)
    return json.loads(sent)


def measure(ask: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    for _ in range(WARMUP):
        ask()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = ask()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--freeze-gc",
        action="store_true",
        help="gc.freeze() once set up, as a server process can after start-up: the cyclic "
        "collector then leaves Django's own long-lived objects alone (most of the p95 tail "
        "of the larger pages)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    start(os.environ["DATABASE_URL"], reuse=args.reuse)

    from django.db import connection as db
    from django.test import Client

    from homeward.api import present
    from homeward.core import keyset
    from homeward.messaging import selectors
    from homeward.messaging.models import Message
    from homeward.personas import BASE, key_for

    if args.reuse and Message.objects.exists():
        from homeward.people.models import Contact

        contact = Contact.objects.get(user__email="rosa@bench.example.org")
        connection = contact.connections.get()
    else:
        started = time.perf_counter()
        contact, connection = fill(args.messages)
        print(f"wrote {args.messages:,} messages in {time.perf_counter() - started:.1f} s")
    key = key_for(contact)
    client = Client()
    auth = {"Authorization": f"Bearer {key}"}
    path = f"{BASE}/conversations/{connection.pk}/messages"

    def get(url: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return client.get(url, params or {}, headers=auth | headers)

    newest = get(path).json()
    seen = list(selectors.visible_to_contact(connection).order_by("-created_at", "-id"))
    deep = keyset.cursor_of(seen[min(4_000, len(seen) - 1)])
    middle = sorted(seen, key=lambda m: (m.updated_at, m.pk))[len(seen) // 2]
    half = keyset.token(middle.updated_at, middle.pk)
    one = seen[len(seen) // 3].pk
    tag = get(path)["ETag"]

    def whole() -> Any:
        """Before pages: every message of the conversation in one answer."""
        rows = list(
            selectors.visible_to_contact(connection).select_related(
                "appeal__facility", "facility__policy"
            )
        )
        show = connection.facility.policy.show_block_reasons
        said = [
            present.message_out(m, show_block_reasons=show, reader=contact).model_dump_json()
            for m in rows
        ]
        return ("[" + ",".join(said) + "]").encode()

    def raw_page() -> Any:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM messaging_message WHERE connection_id = %s "
                "ORDER BY created_at DESC, id DESC LIMIT 51",
                [connection.pk],
            )
            return cursor.fetchall()

    gz = {"Accept-Encoding": "gzip"}
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("newest page (50)", lambda: get(path, **gz)),
        ("newest page (50), plain", lambda: get(path)),
        ("page 4,000 back (50)", lambda: get(path, {"before": deep}, **gz)),
        ("largest page (100)", lambda: get(path, {"limit": 100}, **gz)),
        ("largest page (100), plain", lambda: get(path, {"limit": 100})),
        (
            "changed since, half (100)",
            lambda: get(path, {"updated_after": half, "limit": 100}, **gz),
        ),
        ("changed since, nothing", lambda: get(path, {"updated_after": newest["sync"]}, **gz)),
        ("newest page, If-None-Match (304)", lambda: get(path, **gz, **{"If-None-Match": tag})),
        ("one message", lambda: get(f"{BASE}/messages/{one}", **gz)),
    ]
    if args.freeze_gc:
        import gc

        gc.collect()
        gc.freeze()
    frozen = ", gc frozen after start-up" if args.freeze_gc else ""
    print(f"\n{len(seen):,} messages the contact sees; {args.repeat} timed requests each{frozen}\n")
    print(f"{'answer':36} {'p50 ms':>8} {'p95 ms':>8} {'KB sent':>9} {'KB plain':>9}")
    floor50, floor95, _ = measure(raw_page, args.repeat)
    print(f"{'baseline: the page rows, raw SQL':36} {floor50:8.1f} {floor95:8.1f}")
    worst = 0.0
    largest = 0.0
    for label, ask in cases:
        p50, p95, response = measure(ask, args.repeat)
        sent = len(response.content) / 1024
        plain = (
            len(gzip.decompress(response.content)) / 1024
            if response.get("Content-Encoding") == "gzip"
            else sent
        )
        worst = max(worst, p95)
        largest = max(largest, sent)
        status = "" if response.status_code == 200 else f"  ({response.status_code})"
        print(f"{label:36} {p50:8.1f} {p95:8.1f} {sent:9.1f} {plain:9.1f}{status}")
    w50, w95, body = measure(whole, max(3, args.repeat // 10))
    zipped = len(gzip.compress(body)) / 1024
    print(
        f"{'baseline: whole conversation, 1 answer':36} {w50:8.1f} {w95:8.1f} "
        f"{zipped:9.1f} {len(body) / 1024:9.1f}"
    )

    started = time.perf_counter()
    answers, cursor, total, biggest = 0, "", 0, 0
    while True:
        page = get(path, {"limit": 100, **({"before": cursor} if cursor else {})}, **gz)
        answers += 1
        total += len(page.content)
        biggest = max(biggest, len(page.content))
        cursor = read(page)["older"]
        if not cursor:
            break
    walk = (time.perf_counter() - started) * 1000
    print(
        f"\nthe whole conversation a page (100) at a time: {answers} answers, {walk:.0f} ms, "
        f"{total / 1024:.0f} KB sent, largest {biggest / 1024:.1f} KB"
    )
    print(
        f"p95 target < {TARGET_MS:.0f} ms: {'met' if worst < TARGET_MS else 'NOT met'}; "
        f"pages under {TARGET_KB:.0f} KB as sent: {'met' if largest < TARGET_KB else 'NOT met'}; "
        f"worst p95 / raw page p95 = {worst / floor95:.1f}; "
        f"whole conversation p95 / worst page p95 = {w95 / worst:.0f}"
    )
    print(f"sync: worst_p95_ms={worst:.1f} largest_page_kb={largest:.1f}")


if __name__ == "__main__":
    main()
