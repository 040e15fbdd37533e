"""Pages that stay flat as data grows (issue 14): the server time of the pages people open
most, with 10,000 and then 1,000,000 messages stored, on PostgreSQL, in the same run.

    .venv/bin/python bench/pages.py            (or: make bench-pages)
    .venv/bin/python bench/pages.py --small 10000 --large 1000000 --repeat 30
    .venv/bin/python bench/pages.py --reuse    (keep the database an earlier run filled)

It creates the PostgreSQL database of DATABASE_URL afresh (default
postgres://postgres@127.0.0.1:5432/homeward_bench_pages; it is dropped first, so its name
must contain "bench"), migrates it and fills it with the loader of bench/review_queue.py
(the one every million-row benchmark uses): an agency with two facilities of 2,000 and
1,000 residents, two contacts each, connected; --queue (300) messages in review at the
first, with what screening leaves of each; and the people measured: a resident of the first
facility and a contact who have written --conversation (5,000) messages to each other over
the last year (one in a hundred blocked), the resident with three other contacts and the
contact with two other residents (one at each facility), 100 messages on each of those.
The rest, up to --small (10,000) messages stored, are delivered and read messages of the
last year on the other connections, 80% at the first facility; all COPYed in, then VACUUM
ANALYZE (autovacuum is off on these machines). It measures; then it adds rows the same way
up to --large (1,000,000) messages (nothing is rebuilt), VACUUM ANALYZE, and measures
again. The measured people's own messages are the same at both sizes, so a page that stays
flat costs the same at both.

The web runs as the deployment guide runs it, with a pool of open database connections
(``DB_POOL=1``; set ``DB_POOL=0`` for a connection per request). Each page is opened by the
person who reads it, on Django's test client, so every request
goes through the real middleware, views and database (server time is the client's wall
time; there is no network): the contact signed in on the web and with an API token, the
resident signed in on a registered kiosk, a reviewer of the first facility and an
investigator of the agency through the console's sign-in (password, second factor, notice).
Each size signs everyone in afresh. Per page: 3 warm-up requests, --repeat (30) timed,
then one more whose queries are counted (CaptureQueriesContext) and timed inside the
database. Older pages are the ones the pages link to ("Earlier messages", the API's
``older`` cursor); the page 4,000 messages back of the web conversation and of each staff
history is asked for by its cursor (of a history paged by number: its last page). It
prints p50/p95 ms at each size, the ratio of the p95s, the queries per request and whether
the targets are met (p95 < 50 ms at both sizes, ratio <= 2), beside a floor (a console
page that reads no messages, timed before and after the pages); then one line:
``pages: worst_p95_ms=N worst_ratio=N`` with the pages that set them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
# As the deployment guide runs the web: a pool of open connections per process, so a page
# pays neither a connection nor a fresh server process's cold catalogue (DB_POOL=0 to see).
os.environ.setdefault("DB_POOL", "1")

from bench.review_queue import (  # noqa: E402
    SENTENCES,
    Conversation,
    add_queued,
    body_pool,
    conversation_of,
    conversations_at,
    copy_rows,
    make_people,
    new_ids,
    start,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/homeward_bench_pages"
TARGET_MS = 50.0
TARGET_RATIO = 2.0
WARMUP = 3
DEEP = 4_000  # how far back the deep page of a conversation or a history starts
YEAR = 365 * 86400
MAIN, EAST = "bench-main", "bench-east"
RESIDENT_NUMBER = "BENCH-1001"
CONTACT_EMAIL = "rosa@bench.example.org"
MESSAGE_FIELDS = (
    ["id", "connection", "facility", "resident", "contact", "direction", "body", "status"]
    + ["client_token"]
    + ["created_at", "submitted_at", "screened_at", "in_review_at", "blocked_at"]
    + ["delivered_at", "read_at", "block_category", "block_note", "return_reason"]
)
BLOCKED_FOR = ["drugs", "fraud", "relay", "coded"]  # categories a reviewer blocks for


# --- the data ------------------------------------------------------------------------------


def bodies(rng: random.Random, count: int = 600) -> list[str]:
    return [" ".join(rng.sample(SENTENCES, rng.randint(1, 4))) for _ in range(count)]


def message_row(
    message_id: int,
    talk: Conversation,
    body: str,
    status: str,
    rng: random.Random,
    now: dt.datetime,
) -> tuple[Any, ...]:
    """One message of the last year, written either way, with the times of its stages."""
    direction = "to_resident" if rng.random() < 0.55 else "to_contact"
    created = now - dt.timedelta(seconds=rng.uniform(60, YEAR))
    screened = created + dt.timedelta(seconds=rng.uniform(1, 30))
    in_review = blocked = delivered = read = None
    category = ""
    if status == "blocked":
        in_review = screened
        blocked = min(now, screened + dt.timedelta(hours=rng.uniform(1, 30)))
        category = rng.choice(BLOCKED_FOR)
    else:
        delivered = min(now, screened + dt.timedelta(seconds=rng.uniform(60, 7200)))
        if status == "read":
            read = min(now, delivered + dt.timedelta(hours=rng.uniform(0.1, 30)))
    return (message_id, talk.connection_id, talk.facility_id, talk.resident_id, talk.contact_id) + (
        direction,
        body,
        status,
        "",
        created,
        created,
        screened,
        in_review,
        blocked,
        delivered,
        read,
        category,
        "",
        "",
    )


def copy_messages(talks: Sequence[Conversation], count: int, *, seed: int, unread: float) -> None:
    """``count`` messages of the last year on ``talks`` (each picked at random), COPYed in
    chunks: one in fifty blocked (one in a hundred with ``unread`` 0), a share ``unread``
    delivered and not yet read, the rest read."""
    from homeward.core import clock
    from homeward.messaging.models import Message

    rng = random.Random(seed)
    pool = bodies(rng)
    blocked = 0.01 if unread == 0 else 0.02
    now = clock.now()
    done = 0
    while done < count:
        chunk = min(100_000, count - done)
        rows = []
        for message_id in new_ids(Message, chunk):
            draw = rng.random()
            status = (
                "blocked" if draw < blocked else "delivered" if draw < blocked + unread else "read"
            )
            rows.append(
                message_row(message_id, rng.choice(talks), rng.choice(pool), status, rng, now)
            )
        copy_rows(Message, MESSAGE_FIELDS, rows)
        done += chunk
        if count > 100_000:
            print(f"    {done:,} of {count:,}", flush=True)


@dataclass
class World:
    """The people measured, their conversation, and the connections everything else is
    written on."""

    resident: Any
    contact: Any
    connection_id: int
    reviewer: Any
    investigator: Any
    neighbours: list[Conversation]


def talks_at(facility: Any, leave_out: set[int]) -> list[Conversation]:
    return [c for c in conversations_at(facility) if c.connection_id not in leave_out]


def build(args: argparse.Namespace) -> None:
    """The agency, its facilities, people and review queue, and the people measured with
    their own messages (the same at every size)."""
    from homeward import builders
    from homeward.people.models import StaffMembership

    Role = StaffMembership.Role
    agency = builders.make_agency("bench", name="Bench Department of Corrections")
    main = builders.make_facility(MAIN, agency=agency)
    east = builders.make_facility(EAST, agency=agency)
    make_people(main, 2_000, contacts_each=2)
    make_people(east, 1_000, contacts_each=2)
    for username, role, where in (
        ("bench-reviewer", Role.REVIEWER, {"facility": main}),
        ("bench-investigator", Role.INVESTIGATOR, {"agency": agency}),
        ("bench-admin", Role.FACILITY_ADMIN, {"facility": main}),  # registers the kiosk
    ):
        staff = builders.make_staff(username, role=role, **where)
        builders.enrol_staff(staff)
        builders.accept_staff_notice(staff)
    # The queue is made before the people measured, so none of it is theirs.
    add_queued(main, args.queue, body_pool(main), seed=args.queue)

    resident = builders.make_resident(main, RESIDENT_NUMBER, first_name="Marcus")
    contact = builders.make_contact(CONTACT_EMAIL, name="Rosa Diaz")
    builders.accept_agency_notice(contact, agency)
    theirs = builders.connect(contact, resident)
    others = [
        builders.connect(builders.make_contact(f"friend{i}@bench.example.org"), resident)
        for i in range(3)
    ] + [
        builders.connect(contact, builders.make_resident(facility, f"BENCH-200{i}"))
        for i, facility in enumerate((main, east))
    ]
    copy_messages([conversation_of(theirs)], args.conversation, seed=1, unread=0)
    for i, other in enumerate(others):
        copy_messages([conversation_of(other)], 100, seed=10 + i, unread=0)


def world() -> World:
    from homeward.facilities.models import Facility
    from homeward.people.models import Contact, Resident, User

    resident = Resident.objects.get(number=RESIDENT_NUMBER)
    contact = Contact.objects.select_related("user").get(user__email=CONTACT_EMAIL)
    theirs = {c.pk for c in resident.connections.all()} | {c.pk for c in contact.connections.all()}
    main, east = Facility.objects.get(code=MAIN), Facility.objects.get(code=EAST)
    return World(
        resident=resident,
        contact=contact,
        connection_id=resident.connections.get(contact=contact).pk,
        reviewer=User.objects.get(username="bench-reviewer"),
        investigator=User.objects.get(username="bench-investigator"),
        # 80% of what is written elsewhere is at the first facility: it has twice the
        # connections of the other, listed twice here.
        neighbours=talks_at(main, theirs) * 2 + talks_at(east, theirs),
    )


def stored() -> int:
    from homeward.messaging.models import Message

    return Message.objects.count()


def vacuum() -> float:
    """VACUUM ANALYZE, as autovacuum would have done on a database in service; seconds."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- timing --------------------------------------------------------------------------------


@dataclass
class Figures:
    times: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    queries: int = 0
    sql_ms: float = 0.0

    def p(self, q: int) -> float:
        return statistics.quantiles(self.times, n=100, method="inclusive")[q - 1]


def measure(request: Callable[[], Any], repeat: int) -> Figures:
    """Warm-up requests, ``repeat`` timed ones, and one whose SQL is counted and timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = Figures()
    for i in range(WARMUP + repeat):
        started = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - started) * 1000
        figures.statuses.add(response.status_code)
        if i >= WARMUP:
            figures.times.append(elapsed)
    spent = [0.0]

    def clocked(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(clocked):
        figures.statuses.add(request().status_code)
    figures.queries = len(captured.captured_queries)
    figures.sql_ms = spent[0] * 1000
    return figures


PREV = re.compile(r'href="(\?[^"]*)" rel="prev"')
LAST_PAGE = re.compile(r"Page \d+ of (\d+)")


def earlier_link(response: Any) -> str | None:
    """The query of the page's "Earlier messages" link (``?before=…``), if it has one."""
    found = PREV.search(response.content.decode())
    return found[1].replace("&amp;", "&") if found else None


def deep_cursor(rows: Any) -> str | None:
    """The cursor of the row DEEP back in ``rows`` (newest first), if the keyset module is
    there and the list is that long."""
    try:
        from homeward.core import keyset
    except ImportError:
        return None
    row = rows.order_by("-created_at", "-id")[DEEP : DEEP + 1].first()
    return keyset.cursor_of(row) if row is not None else None


def history_deep(client: Any, path: str, rows: Any) -> tuple[str, str] | None:
    """A staff history's page deep in it: the last page when it is paged by number, or the
    page DEEP messages back when it is paged by cursor."""
    page = client.get(path).content.decode()
    last = LAST_PAGE.search(page)
    if last and "?page=" in page:
        return f"last page (?page={last[1]})", f"{path}?page={last[1]}"
    if "?before=" in page and (cursor := deep_cursor(rows)):
        return f"{DEEP:,} back (cursor)", f"{path}?before={cursor}"
    return None


Page = tuple[str, Callable[[], Any]]


def pages(w: World) -> Iterator[Page]:
    """Each page, as its reader opens it, signed in afresh."""
    from django.test import Client

    from homeward import personas
    from homeward.connections.models import Connection
    from homeward.messaging import selectors
    from homeward.messaging.models import Message

    conversation = Connection.objects.get(pk=w.connection_id)
    cid = w.connection_id
    web = personas.client_for(w.contact.user)
    yield "web: inbox", partial(web.get, "/conversations/")
    path = f"/conversations/{cid}/"
    yield "web: conversation (newest 50)", partial(web.get, path)
    if prev := earlier_link(web.get(path)):
        yield "web: conversation, earlier page", partial(web.get, path + prev)
    if deep := deep_cursor(selectors.visible_to_contact(conversation)):
        yield f"web: conversation, {DEEP:,} back", partial(web.get, f"{path}?before={deep}")

    kiosk = personas.kiosk_client_for(w.resident)
    yield "kiosk: inbox", partial(kiosk.get, "/kiosk/")
    kpath = f"/kiosk/conversations/{cid}/"
    yield "kiosk: conversation (newest 30)", partial(kiosk.get, kpath)
    if prev := earlier_link(kiosk.get(kpath)):
        yield "kiosk: conversation, earlier page", partial(kiosk.get, kpath + prev)

    reviewer = Client()
    personas.sign_in_staff(reviewer, w.reviewer)
    yield "console: review queue (reviewer)", partial(reviewer.get, "/console/queue/")
    staff = Client()
    personas.sign_in_staff(staff, w.investigator)
    for who, path, rows in (
        (
            "resident",
            f"/console/residents/{w.resident.pk}/",
            Message.objects.filter(connection__resident=w.resident),
        ),
        (
            "contact",
            f"/console/contacts/{w.contact.pk}/",
            Message.objects.filter(connection__contact=w.contact),
        ),
    ):
        yield f"console: {who} history", partial(staff.get, path)
        if found := history_deep(staff, path, rows):
            name, deep_path = found
            yield f"console: {who} history, {name}", partial(staff.get, deep_path)

    api = personas.api_for(w.contact)
    yield "api: GET /me/conversations", partial(api.get, "/me/conversations")
    messages = f"/conversations/{cid}/messages"
    yield "api: GET …/messages (newest)", partial(api.get, messages)
    body = api.get(messages).json()
    if isinstance(body, dict) and body.get("older"):
        older = {"before": body["older"]}
        yield "api: GET …/messages?before=older", partial(api.get, messages, older)


@dataclass
class Size:
    messages: int
    figures: dict[str, Figures]
    floor: Figures


def measure_size(w: World, messages: int, repeat: int) -> Size:
    from django.test import Client

    from homeward import personas

    print(f"  measuring at {messages:,} messages…", flush=True)
    floor_client = Client()
    personas.sign_in_staff(floor_client, w.investigator)
    # The floor before and after the pages, so that a machine busier for part of the run
    # shows in it too.
    floor = measure(partial(floor_client.get, "/console/notice/"), repeat // 2)
    figures = {name: measure(request, repeat) for name, request in pages(w)}
    after = measure(partial(floor_client.get, "/console/notice/"), repeat - repeat // 2)
    floor.times += after.times
    floor.statuses |= after.statuses
    return Size(messages, figures, floor)


# --- the table -----------------------------------------------------------------------------


def cell(f: Figures | None) -> str:
    if f is None:
        return f"{'-':>7} {'-':>7}"
    return f"{f.p(50):7.1f} {f.p(95):7.1f}"


def report(small: Size | None, large: Size) -> None:
    names = list(large.figures) + [
        n for n in (small.figures if small else {}) if n not in large.figures
    ]
    s_head = f"{small.messages:,} msgs" if small else "(not measured)"
    print(
        f"\n  {'page':46} {s_head:>15} {f'{large.messages:,} msgs':>15} {'ratio':>6} "
        f"{'queries':>9} {'SQL ms':>11}  targets"
    )
    print(
        f"  {'':46} {'p50':>7} {'p95':>7} {'p50':>7} {'p95':>7} {'p95':>6} {'s/l':>9} {'s/l':>11}"
    )
    floor_small = small.floor if small else None
    print(
        f"  {'floor: console notice (no messages)':46} {cell(floor_small)} {cell(large.floor)} "
        f"{ratio_text(floor_small, large.floor):>6} {queries_text(floor_small, large.floor):>9} "
        f"{sql_text(floor_small, large.floor):>11}"
    )
    worst_p95: tuple[float, str] = (0.0, "")
    worst_ratio: tuple[float, str] = (0.0, "")
    odd = []
    for name in names:
        s = small.figures.get(name) if small else None
        big = large.figures.get(name)
        if big is None:
            print(f"  {name:46} {cell(s)} (not offered at the large size)")
            continue
        p95 = max(big.p(95), s.p(95) if s else 0.0)
        worst_p95 = max(worst_p95, (p95, name))
        ratio = big.p(95) / s.p(95) if s else None
        if ratio is not None:
            worst_ratio = max(worst_ratio, (ratio, name))
        met = p95 < TARGET_MS and (ratio is None or ratio <= TARGET_RATIO)
        verdict = (
            f"{'p95 ok' if p95 < TARGET_MS else 'p95 MISSED'}, "
            f"{'-' if ratio is None else 'ratio ok' if ratio <= TARGET_RATIO else 'ratio MISSED'}"
        )
        print(
            f"  {name:46} {cell(s)} {cell(big)} {ratio_text(s, big):>6} "
            f"{queries_text(s, big):>9} {sql_text(s, big):>11}  {'met' if met else verdict}"
        )
        for size, f in (("small", s), ("large", big)):
            if f is not None and f.statuses != {200}:
                odd.append(f"{name} at the {size} size answered {sorted(f.statuses)}")
        if s is not None and big.queries > s.queries:
            odd.append(f"{name}: {s.queries} queries at the small size, {big.queries} at the large")
    print(
        f"\n  p50/p95: ms of server time per request, {len(large.floor.times)} timed requests "
        f"after {WARMUP} warm-up; queries and SQL ms: of one more request. Targets: p95 < "
        f"{TARGET_MS:.0f} ms and p95 ratio <= {TARGET_RATIO:.0f}."
    )
    for line in odd:
        print(f"  NOTE: {line}")
    ratio_words = f"{worst_ratio[0]:.2f}" if small else "n/a"
    print(
        f"\npages: worst_p95_ms={worst_p95[0]:.1f} worst_ratio={ratio_words} "
        f"(worst p95: {worst_p95[1]}; worst ratio: {worst_ratio[1] or 'n/a'})"
    )


def ratio_text(s: Figures | None, big: Figures) -> str:
    return f"{big.p(95) / s.p(95):5.2f}x" if s else "-"


def queries_text(s: Figures | None, big: Figures) -> str:
    return f"{s.queries if s else '-'}/{big.queries}"


def sql_text(s: Figures | None, big: Figures) -> str:
    return f"{s.sql_ms:.1f}/{big.sql_ms:.1f}" if s else f"-/{big.sql_ms:.1f}"


# --- the run -------------------------------------------------------------------------------


def fill_to(w: World, messages: int) -> None:
    have = stored()
    if have < messages:
        started = time.perf_counter()
        print(f"  adding {messages - have:,} messages elsewhere…", flush=True)
        copy_messages(w.neighbours, messages - have, seed=messages, unread=0.12)
        print(f"  loaded {messages - have:,} in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"  VACUUM ANALYZE in {vacuum():.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="messages stored, first")
    parser.add_argument("--large", type=int, default=1_000_000, help="messages stored, then")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests of each page")
    parser.add_argument("--conversation", type=int, default=5_000, help="the one measured")
    parser.add_argument("--queue", type=int, default=300, help="messages in review")
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    args = parser.parse_args()
    if args.repeat < 2:
        parser.error("--repeat must be at least 2 (a p95 needs two requests)")
    run_started = time.perf_counter()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    start(url, reuse=args.reuse)

    from homeward.people.models import Resident

    if not Resident.objects.filter(number=RESIDENT_NUMBER).exists():
        started = time.perf_counter()
        build(args)
        print(
            f"people, a queue of {args.queue} and the conversation of {args.conversation:,} "
            f"made in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    w = world()
    measured: list[Size] = []
    for size in (args.small, args.large):
        have = stored()
        if have > size:
            print(f"{size:,} messages: the database already holds {have:,}; not measured")
            continue
        print(f"{size:,} messages stored:", flush=True)
        started = time.perf_counter()
        fill_to(w, size)
        print(f"  filled to {stored():,} in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        measured.append(measure_size(w, size, args.repeat))
        print(f"  measured in {time.perf_counter() - started:.1f} s", flush=True)
    if not measured:
        sys.exit("nothing measured: the database holds more than --large")
    small = measured[0] if len(measured) == 2 else None
    print(
        f"\npages of a contact and a resident who wrote {args.conversation:,} messages to each "
        f"other, and of staff reading them, with {args.small:,} and {args.large:,} messages "
        f"stored (PostgreSQL; {args.queue} in review at the facility); the run took "
        f"{time.perf_counter() - run_started:.0f} s"
    )
    report(small, measured[-1])


if __name__ == "__main__":
    main()
