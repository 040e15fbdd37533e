"""Thirty wrong passwords at once (PostgreSQL, real parallel requests, each thread on its
own connection): on every sign-in surface exactly the limit's number get "wrong password"
and the rest get 429, and the lock is audited once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.core.models import AuditEvent
from homeward.jobs.models import Job
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.services import WRONG_CREDENTIALS, register_device
from homeward.people import throttle
from homeward.people.models import Contact, SignInThrottle
from homeward.personas import sign_up

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
BURST = 30


def burst(post) -> Counter:
    """``post`` (given a fresh Client) run BURST times at once; the status codes seen."""
    results = in_threads(BURST, lambda _: post(Client()).status_code)
    errors = [r for r in results if not isinstance(r, int)]
    assert not errors, errors
    return Counter(results)


def assert_one_lock() -> None:
    assert AuditEvent.objects.filter(action="signin.locked").count() == 1


def test_web_signin_checks_exactly_five_of_thirty_parallel_guesses(world):
    statuses = burst(lambda c: c.post("/signin/", {"email": "a@example.org", "password": "x"}))
    assert statuses == {400: throttle.CONTACT.limit, 429: BURST - throttle.CONTACT.limit}
    assert_one_lock()
    assert (
        Client().post("/signin/", {"email": "a@example.org", "password": t.PASSWORD}).status_code
        == 429
    )


def test_console_signin_checks_exactly_five_of_thirty_parallel_guesses(world, run_jobs, mailoutbox):
    statuses = burst(lambda c: c.post("/console/signin/", {"username": "rev1", "password": "x"}))
    assert statuses == {400: throttle.STAFF.limit, 429: BURST - throttle.STAFF.limit}
    assert_one_lock()
    run_jobs()
    assert [m.to for m in mailoutbox] == [["rev1@staff.example.org"]]  # told once


def test_api_token_checks_exactly_five_of_thirty_parallel_guesses(world):
    body = json.dumps({"email": "A@example.org ", "password": "x"})

    def post(client: Client):
        return client.post("/api/v1/auth/token", body, content_type="application/json")

    statuses = burst(post)
    assert statuses == {401: throttle.CONTACT.limit, 429: BURST - throttle.CONTACT.limit}
    assert_one_lock()


def test_kiosk_checks_exactly_five_of_thirty_parallel_pins_for_one_number(world):
    _, token = register_device(staff=world.facility_admin, facility=world.facility_1, name="Hall")
    wrong = []

    def post(client: Client):
        client.cookies[DEVICE_COOKIE] = token
        response = client.post("/kiosk/signin/", {"number": "NY1001", "pin": "0000"})
        if WRONG_CREDENTIALS in response.content.decode():
            wrong.append(response.status_code)
        return response

    statuses = burst(post)
    assert statuses == {403: throttle.KIOSK_NUMBER.limit, 429: BURST - throttle.KIOSK_NUMBER.limit}
    assert len(wrong) == throttle.KIOSK_NUMBER.limit
    assert_one_lock()  # the number; the kiosk itself is not paused by one number's refusals
    client = Client()
    client.cookies[DEVICE_COOKIE] = token
    other = client.post("/kiosk/signin/", {"number": "NY1002", "pin": "0000"})
    assert WRONG_CREDENTIALS in other.content.decode()


def test_kiosk_checks_exactly_twenty_of_thirty_parallel_numbers_on_one_device(world):
    _, token = register_device(staff=world.facility_admin, facility=world.facility_1, name="Hall")
    numbers = [f"NY9{i:03d}" for i in range(BURST)]
    taking = threading.Lock()

    def post(client: Client):
        with taking:  # one number each
            number = numbers.pop()
        client.cookies[DEVICE_COOKIE] = token
        return client.post("/kiosk/signin/", {"number": number, "pin": "1234"})

    statuses = burst(post)
    limit = throttle.KIOSK_DEVICE.limit
    assert statuses == {403: limit, 429: BURST - limit}
    assert_one_lock()  # the kiosk is paused; no single number is locked


def test_pruning_after_locks_never_breaks_a_sign_in_bumping_an_old_counter(world):
    # Old counters: some are bumped again (their window restarts) while thirty accounts
    # lock at once and each lock prunes; none of it may fail a request (a deadlock between
    # the prune's DELETE and a bump would be a 500).
    with clock.frozen_at(clock.now() - dt.timedelta(days=2)):
        for n in range(10):
            Client().post("/signin/", {"email": f"old{n}@example.org", "password": "x"})
            Client().post("/signin/", {"email": f"stale{n}@example.org", "password": "x"})

    def post(index: int) -> list[int]:
        statuses = []
        for _ in range(throttle.CONTACT.limit):
            for email in [f"lock{index}@example.org", f"old{index % 10}@example.org"]:
                client = Client(REMOTE_ADDR=f"203.0.113.{index + 1}")
                response = client.post("/signin/", {"email": email, "password": "x"})
                statuses.append(response.status_code)
        return statuses

    results = in_threads(BURST, post)
    errors = [r for r in results if not isinstance(r, list)]
    assert not errors, errors
    assert {status for statuses in results for status in statuses} <= {400, 429}
    assert SignInThrottle.objects.filter(locked_until__isnull=False).count() >= BURST
    assert not SignInThrottle.objects.filter(subject__startswith="stale").exists()


def test_thirty_parallel_resets_for_one_address_send_exactly_the_limit(world):
    statuses = burst(lambda c: c.post("/password/forgot/", {"email": "a@example.org"}))
    limit = throttle.EMAILS_TO_ADDRESS.limit
    assert statuses == {200: limit, 429: BURST - limit}
    assert Job.objects.filter(kind="send_email").count() == limit


def test_thirty_parallel_sign_ups_from_one_network_make_at_most_its_share(db):
    share = throttle.EMAILS_FROM_CLIENT.limit
    results = in_threads(
        BURST,
        lambda n: sign_up(Client(), f"rosa{n}@example.org", REMOTE_ADDR="203.0.113.9").status_code,
    )
    assert Counter(results) == {302: share, 429: BURST - share}
    assert Contact.objects.count() == share


def test_archive_codes_check_exactly_five_of_thirty_parallel_guesses_for_one_number(world):
    from homeward.messaging import archive_codes
    from homeward.roster.services import release_resident

    right = release_resident(staff=world.facility_admin, resident_id=world.resident.pk).archive
    form = {"facility": "greenhaven", "number": "NY1001", "code": "ABCD-EFGH-JKLM"}
    statuses = burst(lambda c: c.post("/released/", form))
    assert statuses == {400: throttle.ARCHIVE_CODE.limit, 429: BURST - throttle.ARCHIVE_CODE.limit}
    assert_one_lock()
    # Locked: the right code too waits out the hour.
    late = Client().post("/released/", {**form, "code": archive_codes.shown(right.code)})
    assert late.status_code == 429 and int(late["Retry-After"]) > 3000


def test_thirty_new_archive_codes_at_once_leave_exactly_one_that_works(world):
    """Admins pressing "Give a new code" thirty times at once: each gets a code, and only
    the last one given opens the archive."""
    from homeward.messaging import archive_codes
    from homeward.messaging.models import ArchiveCode
    from homeward.personas import client_for
    from homeward.roster.services import release_resident

    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    path = f"/console/residents/{world.resident.pk}/archive-code/"
    clients = [client_for(world.facility_admin) for _ in range(BURST)]
    answers = in_threads(BURST, lambda i: clients[i].post(path, {"email": ""}))
    errors = [a for a in answers if isinstance(a, BaseException)]
    assert not errors, errors
    assert {a.status_code for a in answers} == {200}
    codes = [a.content.decode().split("<strong>")[1].split("</strong>")[0] for a in answers]
    assert len(set(codes)) == BURST
    assert (
        ArchiveCode.objects.filter(resident=world.resident, replaced_at__isnull=True).count() == 1
    )
    live = ArchiveCode.objects.get(resident=world.resident, replaced_at__isnull=True)
    working = [c for c in codes if archive_codes._digest(archive_codes._normal(c)) == live.digest]
    assert len(working) == 1
    replaced = next(c for c in codes if c != working[0])
    with pytest.raises(DomainError):
        archive_codes.redeem(
            facility_code="greenhaven", number="NY1001", code=replaced, address=None
        )
    opened = archive_codes.redeem(
        facility_code="greenhaven", number="NY1001", code=working[0], address=None
    )
    assert opened.pk == live.pk
