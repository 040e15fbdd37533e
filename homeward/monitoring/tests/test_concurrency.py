"""Monitoring under real parallelism (PostgreSQL): thirty additions to one case at once
never pass its cap, thirty holds released at once are released once, and a hold waits for
a removal run under way."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db
from django.db import transaction

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.facilities.models import Agency
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.messaging import services as messaging
from homeward.monitoring import cases, retention
from homeward.monitoring.models import CaseMessage, Entity, LegalHold, Mention
from homeward.people.models import StaffMembership

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def test_thirty_additions_at_once_stop_at_the_cap(world, monkeypatch):
    monkeypatch.setattr(cases, "MAX_MESSAGES", 10)
    connection = world.contact_a.connections.get()
    sent = [
        messaging.send_message(
            sender=world.contact_a, connection_id=connection.pk, body=f"Note {n}"
        ).message.pk
        for n in range(30)
    ]
    case = cases.open_case(
        staff=world.investigator, agency=world.facility_1.agency, name="Cap", reason="r"
    )

    def add(index: int) -> str:
        try:
            cases.add_messages(staff=world.investigator, case=case, message_ids=[sent[index]])
        except DomainError as error:
            return error.code
        return "added"

    outcomes = in_threads(30, add)
    assert outcomes.count("added") == 10 and outcomes.count("case_refused") == 20
    assert CaseMessage.objects.filter(case=case).count() == 10


def test_thirty_releases_of_one_hold_at_once_release_it_once(world):
    admin = t.make_staff(
        "agadmin", role=StaffMembership.Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    hold = retention.place_hold(
        staff=admin, agency=world.facility_1.agency, subject=world.resident, reason="Suit"
    )

    def release(index: int) -> str:
        try:
            retention.release_hold(staff=admin, hold=hold, reason=f"Done {index}")
        except DomainError as error:
            return error.code
        return "released"

    outcomes = in_threads(30, release)
    assert outcomes.count("released") == 1 and outcomes.count("retention_refused") == 29


def test_a_hold_waits_for_a_removal_under_way(world):
    """A removal run holds the agency's row for its batch; a hold placed meanwhile waits
    for it, so the admin's "nothing it covers is removed" holds from the moment it shows."""
    agency = world.facility_1.agency
    admin = t.make_staff("agadmin", role=StaffMembership.Role.AGENCY_ADMIN, agency=agency)
    running, finish, placed = threading.Event(), threading.Event(), threading.Event()

    def removal_under_way() -> None:
        try:
            with transaction.atomic():
                Agency.objects.select_for_update().get(pk=agency.pk)  # as retention.run does
                running.set()
                finish.wait(10)
        finally:
            db.close()

    def place() -> None:
        try:
            retention.place_hold(staff=admin, agency=agency, subject=world.resident, reason="Suit")
            placed.set()
        finally:
            db.close()

    removal = threading.Thread(target=removal_under_way)
    removal.start()
    assert running.wait(10)
    hold = threading.Thread(target=place)
    hold.start()
    assert not placed.wait(1)  # waits for the run's batch to commit
    finish.set()
    removal.join(10)
    hold.join(10)
    assert placed.is_set() and LegalHold.objects.filter(resident=world.resident).exists()


def test_thirty_messages_naming_the_same_entities_in_any_order_all_go_through(world):
    """Entities are made and held in one order, so messages naming the same number and
    email the other way round wait for each other and never deadlock."""
    senders = [t.make_contact(f"c{n}@example.org", name=f"Sender {n}") for n in range(30)]
    connections = [t.connect(contact, world.resident) for contact in senders]
    first, second = "call (512) 555-0143", "write to bob.tips@example.org"

    def send(index: int) -> str:
        parts = (first, second) if index % 2 else (second, first)
        try:
            messaging.send_message(
                sender=senders[index],
                connection_id=connections[index].pk,
                body=f"Please {parts[0]} or {parts[1]}.",
            )
        except Exception as error:  # a deadlock would surface here
            return type(error).__name__
        return "sent"

    assert in_threads(30, send) == ["sent"] * 30
    assert Entity.objects.filter(value__in=["5125550143", "bob.tips@example.org"]).count() == 2
    assert Mention.objects.count() == 60


def test_a_connection_made_privileged_while_the_channel_is_withdrawn_is_refused(world, monkeypatch):
    """An agency admin withdraws the attorney channel while another makes an attorney's
    connection privileged: the change waits for the withdrawal and is refused, so the
    channel is never withdrawn with a privileged connection (its notice would say no
    attorney's messages are private while one's are)."""
    import time

    from homeward.connections.models import Connection
    from homeward.monitoring import privileged
    from homeward.people import notices

    agency = world.facility_1.agency
    admin = t.make_staff("agency-admin", role="agency_admin", agency=agency)
    privileged.set_offered(staff=admin, agency=agency, offered=True)
    connection = world.contact_a.connections.get()
    privileged.verify_attorney(
        staff=admin, agency=agency, contact=world.contact_a, bar_number="123", bar_state="NY"
    )
    withdrawing = threading.Event()
    publish = notices.publish

    def publishing(**kw):  # inside the withdrawal, the agency held: a pause before commit
        withdrawing.set()
        time.sleep(0.5)
        return publish(**kw)

    monkeypatch.setattr(notices, "publish", publishing)

    def run(i: int) -> str:
        if i == 0:
            privileged.set_offered(staff=admin, agency=agency, offered=False)
            return "withdrawn"
        assert withdrawing.wait(10)
        try:
            privileged.make_privileged(staff=admin, connection=connection)
        except DomainError as error:
            return str(error.message)
        return "privileged"

    assert in_threads(2, run) == [
        "withdrawn",
        f"{agency.name} does not offer a privileged channel.",
    ]
    assert not Agency.objects.get(pk=agency.pk).privileged_channel
    assert not Connection.objects.filter(privileged=True).exists()
