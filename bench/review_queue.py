"""A PostgreSQL database with a review queue that looks like a real one, for bench/review.py.

``prepare_database`` (re)creates the database before Django starts; ``desk`` then makes a
facility with its residents, contacts and connections (the first through the builders, the
rest copies of them in bulk), a signed-up reviewer, and ``size`` messages in review with what
screening leaves of each: status events, a screening result from the real engine, an open
review task due over the coming days; all COPYed in, which takes seconds for 100,000.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SENTENCES = [
    "The kids are doing great in school and they miss you every day.",
    "Grandma says hello and she is praying for you at church on Sunday.",
    "I put forty dollars on your account this morning, let me know if it shows up.",
    "Your lawyer called about the hearing next month, she thinks it looks good.",
    "We went to the park and Maya learned to ride her bike without training wheels.",
    "Work has been busy but I am managing, the new manager is fair to everyone.",
    "Did you get the books I ordered for you? Tell me which one you liked best.",
    "Mom's surgery went well and the doctor says she can come home on Friday.",
    "We are saving up so we can visit you in the spring when the roads are clear.",
    "¡Hola mi amor! Los niños te mandan muchos besos y abrazos desde la casa.",
    "Tu hermana consiguió un trabajo nuevo en el hospital y está muy contenta.",
]
# Things screening flags for a person to read (a body it would block outright never reaches
# the queue, so such bodies are dropped from the pool).
FLAGGED = ["cash app me", "call 555-201-3344", "send it to my new address", "k1ll him"]


def prepare_database(url: str, *, reuse: bool) -> None:
    """Point Django at ``url`` and make sure that database exists (dropped and created
    again unless ``reuse``). Runs before django.setup()."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"bench/review.py measures PostgreSQL; DATABASE_URL is {url}")
    name = config["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to drop and fill {name!r}: use a database whose name has 'bench'")
    server = psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )
    with server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        quoted = sql.Identifier(name)
        if exists and not reuse:
            server.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(quoted))
        if not exists or not reuse:
            server.execute(sql.SQL("CREATE DATABASE {}").format(quoted))
    os.environ["DATABASE_URL"] = url


def quiet_request_log() -> None:
    """The benchmarks make thousands of requests: one log line each would bury the figures."""
    import logging

    logging.getLogger("homeward.request").setLevel(logging.WARNING)


def start(url: str, *, reuse: bool) -> None:
    """Prepare the database (``prepare_database``), set Django up, migrate, and say which
    PostgreSQL it is and how long migrating took."""
    import time

    prepare_database(url, reuse=reuse)
    import django

    django.setup()
    quiet_request_log()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    db = settings.DATABASES["default"]
    print(f"{version} at {db['HOST']}:{db['PORT']}/{db['NAME']}; {os.cpu_count()} cores")
    print(f"migrated in {time.perf_counter() - started:.1f} s")


@dataclass(frozen=True)
class Body:
    text: str
    verdict: str
    categories: list[str]
    hits: list[dict[str, Any]]
    rules_version: str
    engine: str


@dataclass(frozen=True)
class Conversation:
    """What a message row needs to know of its connection."""

    connection_id: int
    facility_id: int
    resident_id: int
    contact_id: int
    contact_user_id: int
    contact_label: str
    resident_label: str


def body_pool(facility: Any, count: int = 150, seed: int = 5) -> list[Body]:
    """Message bodies as families write them, one in seven with something screening flags,
    each with what the real screening engine says of it at ``facility``."""
    from homeward.screening.services import screen_text

    rng = random.Random(seed)
    pool = []
    for i in range(count):
        parts = rng.sample(SENTENCES, rng.randint(1, 5))
        if i % 7 == 0:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(FLAGGED))
        text = " ".join(parts)
        screened = screen_text(facility, text)
        verdict = screened.verdict
        if verdict.verdict == "block":
            continue
        pool.append(
            Body(
                text,
                verdict.verdict,
                list(verdict.categories),
                verdict.hits_as_dicts(),
                screened.rules_version,
                screened.engine,
            )
        )
    return pool


def copy_rows(model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into ``model``'s table (the columns of ``fields``, in that order)."""
    from django.db import connection

    columns = ", ".join(f'"{model._meta.get_field(f).column}"' for f in fields)
    statement = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def new_ids(model: Any, count: int) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def make_people(facility: Any, residents: int, contacts_each: int) -> None:
    """Residents, contacts and active connections: the first through the builders, as a
    test makes them; the rest copies of those rows, inserted in bulk."""
    from django.contrib.auth.hashers import make_password

    from homeward import builders
    from homeward.connections.models import Connection, ConnectionEvent
    from homeward.core import clock
    from homeward.people.models import Contact, Resident, User

    first = builders.make_resident(facility, f"{facility.code}-R0")
    first_contact = builders.make_contact(f"{facility.code}-c0@example.org")
    builders.connect(first_contact, first)
    now = clock.now()
    rng = random.Random(facility.pk)
    made = Resident.objects.bulk_create(
        Resident(
            agency=facility.agency,
            facility=facility,
            housing_unit=first.housing_unit,
            number=f"{facility.code}-R{i}",
            first_name=rng.choice(["Sam", "Luis", "Dana", "Marcus", "Ana", "Tyrone", "Kim"]),
            last_name=rng.choice(["Rivera", "Okafor", "Nguyen", "Smith", "Garcia", "Brown"]),
            pin_hash=first.pin_hash,
        )
        for i in range(1, residents)
    )
    unusable = make_password(None)
    count = len(made) * contacts_each
    emails = [f"{facility.code}-c{i}@example.org" for i in range(1, count + 1)]
    users = User.objects.bulk_create(
        User(username=email, email=email, password=unusable) for email in emails
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            user=user,
            display_name=f"{rng.choice(['Alex', 'Maria', 'Jo', 'Keisha'])} {user.pk}",
            notice_version=first_contact.notice_version,
            notice_accepted_at=now,
            email_verified_at=now,
        )
        for user in users
    )
    connections = Connection.objects.bulk_create(
        Connection(
            contact=contact,
            resident=made[i // contacts_each],
            facility=facility,
            status=Connection.Status.ACTIVE,
            initiated_by=Connection.Side.CONTACT,
            created_at=now,
            updated_at=now,
        )
        for i, contact in enumerate(contacts)
    )
    ConnectionEvent.objects.bulk_create(
        ConnectionEvent(connection=c, to_status="active", actor_label="setup", at=now)
        for c in connections
    )


def conversations_at(facility: Any) -> list[Conversation]:
    from homeward.connections.models import Connection

    return [
        conversation_of(c)
        for c in Connection.objects.filter(facility=facility).select_related(
            "contact__user", "resident"
        )
    ]


def conversation_of(connection: Any) -> Conversation:
    return Conversation(
        connection.pk,
        connection.facility_id,
        connection.resident_id,
        connection.contact_id,
        connection.contact.user_id,
        f"user:{connection.contact.user.username}",
        f"resident:{connection.resident.pk}:{connection.resident.number}",
    )


def add_queued(facility: Any, count: int, pool: list[Body], seed: int) -> None:
    """``count`` messages in review at ``facility`` with what screening left of each (status
    events, screening result, an open review task due within the next days), COPYed in."""
    from homeward.core import clock
    from homeward.messaging.models import Message, MessageEvent
    from homeward.review.models import ReviewTask, ScreeningResult

    rng = random.Random(seed)
    talks = conversations_at(facility)
    now = clock.now()
    ids = new_ids(Message, count)
    messages, events, results, tasks = [], [], [], []
    for message_id in ids:
        talk = rng.choice(talks)
        body = rng.choice(pool)
        to_resident = rng.random() < 0.7
        created = now - dt.timedelta(seconds=rng.uniform(0, 7 * 86400))
        submitted = created + dt.timedelta(milliseconds=rng.uniform(2, 20))
        screening = submitted + dt.timedelta(milliseconds=rng.uniform(5, 500))
        screened = screening + dt.timedelta(milliseconds=rng.uniform(5, 50))
        due = screened + dt.timedelta(hours=rng.uniform(8, 64))  # 8 business hours
        direction = "to_resident" if to_resident else "to_contact"
        messages.append(
            (message_id, talk.connection_id, facility.pk, talk.resident_id, talk.contact_id)
            + (direction, body.text, "in_review", "", created, submitted, screened, screened)
            + ("", "", "")
        )
        sender = talk.contact_label if to_resident else talk.resident_label
        sender_user = talk.contact_user_id if to_resident else None
        events += [
            (message_id, "draft", "submitted", sender, sender_user, submitted),
            (message_id, "submitted", "screening", "screening", None, screening),
            (message_id, "screening", "in_review", "screening", None, screened),
        ]
        results.append(
            (message_id, body.verdict, json.dumps(body.categories), json.dumps(body.hits))
            + (body.rules_version, body.engine, screened)
        )
        reason = ReviewTask.Reason.FLAGGED if body.verdict == "flag" else ReviewTask.Reason.ALL
        tasks.append((message_id, facility.pk, reason, "open", due, screened, "", "", "", ""))
    copy_rows(
        Message,
        ["id", "connection", "facility", "resident", "contact", "direction", "body", "status"]
        + ["client_token", "created_at", "submitted_at", "screened_at", "in_review_at"]
        + ["block_category", "block_note", "return_reason"],
        messages,
    )
    copy_rows(
        MessageEvent,
        ["message", "from_status", "to_status", "actor_label", "actor_user", "at"],
        events,
    )
    copy_rows(
        ScreeningResult,
        ["message", "verdict", "categories", "hits", "rules_version", "engine", "at"],
        results,
    )
    copy_rows(
        ReviewTask,
        ["message", "facility", "reason", "status", "due_at", "created_at"]
        + ["decision", "reason_code", "note", "escalation_note"],
        tasks,
    )


@dataclass
class Desk:
    """One facility's queue and its reviewer."""

    code: str
    facility: Any
    reviewer: Any
    size: int


def facility_with_reviewer(agency: Any, code: str, residents: int) -> tuple[Any, Any]:
    """The facility and its reviewer, made (with its people) unless an earlier run did."""
    from homeward import builders
    from homeward.facilities.models import Facility
    from homeward.people.models import StaffMembership, User

    username = f"{code}-reviewer"
    facility = Facility.objects.filter(code=code).first()
    if facility is not None:
        return facility, User.objects.get(username=username)
    facility = builders.make_facility(code, agency=agency)
    make_people(facility, residents, contacts_each=2)
    reviewer = builders.make_staff(username, role=StaffMembership.Role.REVIEWER, facility=facility)
    builders.enrol_staff(reviewer)
    builders.accept_staff_notice(reviewer)
    return facility, reviewer


_pool: list[Body] = []


def top_up(desk: Desk, seed: int) -> None:
    """Bring the open tasks at the desk's facility back to its size (the run decides some)
    and release any a stopped run left claimed."""
    from homeward.review.models import ReviewTask

    open_tasks = ReviewTask.objects.filter(facility=desk.facility, status="open")
    open_tasks.exclude(claimed_by=None).update(claimed_by=None, lease_until=None)
    missing = desk.size - open_tasks.count()
    if missing > 0:
        _pool[:] = _pool or body_pool(desk.facility)  # the screening engine, once a run
        add_queued(desk.facility, missing, _pool, seed)


def fill_desk(code: str, size: int) -> Desk:
    """The facility ``code`` with ``size`` open review tasks (made or topped up), and its
    reviewer; then VACUUM ANALYZE, as autovacuum would have done on a database in service."""
    from django.db import connection, transaction

    from homeward import builders
    from homeward.facilities.models import Agency

    with transaction.atomic():
        agency = Agency.objects.filter(code="bench").first() or builders.make_agency("bench")
        residents = max(20, size // 100)  # 2 contacts each: ~50 messages a conversation
        facility, reviewer = facility_with_reviewer(agency, code, residents)
        made = Desk(code, facility, reviewer, size)
        top_up(made, seed=size)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # so that autovacuum has nothing to do while we time
    return made
