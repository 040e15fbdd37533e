"""A contact's inbox that stays flat as their conversations grow: an attorney with 300
clients, first with 20 messages in each conversation (6,000), then with 400 (120,000), on
PostgreSQL, in the same run.

    .venv/bin/python bench/inbox.py              (or: make bench-inbox)
    .venv/bin/python bench/inbox.py --clients 300 --small 20 --large 400 --repeat 30

It creates the PostgreSQL database of DATABASE_URL afresh (default
postgres://postgres@127.0.0.1:5432/homeward_bench_inbox; dropped first, so its name must
contain "bench"), migrates it, and makes one facility, the attorney and their clients, each
connected; the messages (read and delivered replies, letters either way, one in fifty
still in review) are COPYed in, then VACUUM ANALYZE. At each size it times, --repeat times
after three warm-ups: the first page of the web inbox (``/conversations/``, through the
test client: middleware, view, template), the API's first page of them
(``GET /me/conversations``, 50, with a token) and its deprecated whole list (``GET
/conversations``), and the inbox's query alone (``conversations_of_contact``,
read whole) beside the same answer read as one GROUP BY over every message of the
contact's connections, the way the inbox read it before (the baseline). It prints p50 and
p95 ms and the ratio of the p95s at the two sizes, then one line: ``inbox: ...``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")

from review_queue import copy_rows, new_ids, start  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_inbox"
FIELDS = (
    ["id", "connection", "facility", "resident", "contact", "direction", "body", "status"]
    + ["client_token", "created_at", "updated_at", "delivered_at", "read_at"]
    + ["block_category", "block_note", "return_reason", "photo_count"]
)


def people(clients: int) -> tuple[Any, list[Any]]:
    """The attorney and their connections, one per client."""
    from homeward import builders
    from homeward.connections.models import Connection
    from homeward.core import clock
    from homeward.people.models import Resident

    facility = builders.make_facility("inbox", name="Inbox County Jail")
    attorney = builders.make_contact("attorney@example.org")
    first = builders.make_resident(facility, "IN-0")
    builders.connect(attorney, first)
    residents = Resident.objects.bulk_create(
        Resident(
            agency=facility.agency,
            facility=facility,
            housing_unit=first.housing_unit,
            number=f"IN-{i}",
            first_name="Client",
            last_name=f"Number {i}",
            pin_hash=first.pin_hash,
        )
        for i in range(1, clients)
    )
    now = clock.now()
    Connection.objects.bulk_create(
        Connection(
            contact=attorney,
            resident=resident,
            facility=facility,
            status=Connection.Status.ACTIVE,
            initiated_by=Connection.Side.CONTACT,
            created_at=now,
            updated_at=now,
        )
        for resident in residents
    )
    return attorney, list(Connection.objects.filter(contact=attorney).order_by("pk"))


def fill(links: list[Any], each: int, seed: int) -> None:
    """``each`` messages more in every conversation, over the last year."""
    from django.db import connection

    from homeward.core import clock
    from homeward.messaging.models import Message

    rng = random.Random(seed)
    now = clock.now()
    ids = iter(new_ids(Message, each * len(links)))
    rows = []
    for link in links:
        for _ in range(each):
            created = now - dt.timedelta(seconds=rng.uniform(60, 365 * 86400))
            to_contact = rng.random() < 0.5
            roll = rng.random()
            status = "in_review" if roll < 0.02 else "delivered" if roll < 0.1 else "read"
            delivered = None if status == "in_review" else created + dt.timedelta(minutes=5)
            read = delivered + dt.timedelta(hours=1) if status == "read" and delivered else None
            direction = "to_contact" if to_contact else "to_resident"
            rows.append(
                (next(ids), link.pk, link.facility_id, link.resident_id, link.contact_id)
                + (direction, "A letter about the case.", status, "", created, created)
                + (delivered, read, "", "", "", 0)
            )
    copy_rows(Message, FIELDS, rows)
    connection.close()
    with connection.cursor() as cursor:  # outside a transaction, as VACUUM needs
        cursor.execute("VACUUM ANALYZE")


def aggregated(contact: Any) -> list[Any]:
    """The baseline: the inbox read as one GROUP BY over every message of the contact's
    connections (its answer is the same as ``conversations_of_contact``'s)."""
    from django.db.models import Count, Exists, F, Max, OuterRef, Q
    from django.db.models.functions import Coalesce, Greatest

    from homeward.connections.models import Connection
    from homeward.messaging.models import Message

    seen = Q(messages__direction="to_resident") | Q(messages__status__in=["delivered", "read"])
    any_seen = Q(direction="to_resident") | Q(status__in=["delivered", "read"])
    unread = Q(messages__direction="to_contact", messages__status="delivered")
    found = (
        Connection.objects.filter(contact=contact)
        .filter(
            Q(status="active") | Exists(Message.objects.filter(any_seen, connection=OuterRef("pk")))
        )
        .select_related("resident", "facility")
        .annotate(
            last_message_at=Max("messages__created_at", filter=seen),
            unread=Count("messages", filter=unread),
            changed_at=Greatest(
                "updated_at", Coalesce(Max("messages__updated_at", filter=seen), "updated_at")
            ),
        )
        .order_by(F("last_message_at").desc(nulls_last=True), "-updated_at", "-pk")
    )
    return list(found)


def timed(run: Callable[[], Any], repeat: int) -> list[float]:
    for _ in range(3):
        run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def measure(contact: Any, repeat: int) -> dict[str, list[float]]:
    from django.test import Client

    from homeward import personas
    from homeward.messaging import selectors

    web = Client()
    web.force_login(contact.user)
    api = personas.api_for(contact)

    def page(client: Any, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    assert [c.pk for c in aggregated(contact)] == [
        c.pk for c in selectors.conversations_of_contact(contact)
    ]
    return {
        "web: inbox, first page": timed(lambda: page(web, "/conversations/"), repeat),
        "api: GET /me/conversations, first page": timed(
            lambda: page(api, "/me/conversations"), repeat
        ),
        "api: GET /conversations (deprecated: all)": timed(
            lambda: page(api, "/conversations"), repeat
        ),
        "query: conversations_of_contact": timed(
            lambda: list(selectors.conversations_of_contact(contact)), repeat
        ),
        "baseline: one GROUP BY over every message": timed(lambda: aggregated(contact), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--small", type=int, default=20, help="messages per conversation")
    parser.add_argument("--large", type=int, default=400, help="messages per conversation")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    start(os.environ.get("DATABASE_URL", DEFAULT_URL), reuse=False)

    contact, links = people(args.clients)
    results = {}
    for size, more in (("small", args.small), ("large", args.large - args.small)):
        fill(links, more, seed=len(results))
        total = args.clients * (args.small if size == "small" else args.large)
        print(f"{args.clients} conversations of {total // args.clients} messages ({total:,}):")
        results[size] = measure(contact, args.repeat)
        for name, times in results[size].items():
            print(f"    {name:44} p50 {statistics.median(times):7.1f} ms  p95 {p95(times):7.1f} ms")
    print("ratio of the p95s, large to small:")
    ratios = {}
    for name in results["small"]:
        ratios[name] = p95(results["large"][name]) / p95(results["small"][name])
        print(f"    {name:44} {ratios[name]:5.2f}x")
    worst_page = max(p95(results["large"][n]) for n in results["large"] if ":" in n[:5])
    query = p95(results["large"]["query: conversations_of_contact"])
    baseline = p95(results["large"]["baseline: one GROUP BY over every message"])
    print(
        f"inbox: web_and_api_worst_p95_ms={worst_page:.1f}"
        f" query_ratio={ratios['query: conversations_of_contact']:.2f}"
        f" baseline_ratio={ratios['baseline: one GROUP BY over every message']:.2f}"
        f" baseline_over_query_large={baseline / query:.1f}"
    )


if __name__ == "__main__":
    main()
