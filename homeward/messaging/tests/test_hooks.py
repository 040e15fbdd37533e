"""Messaging's receiver of ``connections.services.connection_closed``: when a connection is
blocked or ended, every message still on its way on it, in either direction, is returned to
its sender and refunded; delivered messages and other conversations are left alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core.models import AuditEvent
from homeward.ledger import charges
from homeward.ledger.models import Account, Transaction
from homeward.messaging import services
from homeward.messaging.models import Message
from homeward.people.models import Contact, Resident
from homeward.review.intake import screen_and_route

if TYPE_CHECKING:
    from homeward.personas import World

S = Message.Status


def test_messaging_listens_for_closed_connections() -> None:
    assert services.return_pending_messages_of in connections.connection_closed.receivers


def write(sender: Contact | Resident, connection: Connection, body: str) -> Message:
    return services.send_message(sender=sender, connection_id=connection.pk, body=body).message


def connection_of(world: World) -> Connection:
    """Ana's connection with Maria."""
    return Connection.objects.get(contact=world.contact_a, resident=world.resident)


def balance(account: Account) -> int:
    return Account.objects.get(pk=account.pk).balance


def test_blocking_returns_and_refunds_what_is_on_its_way_both_ways(stamps: World) -> None:
    link = connection_of(stamps)
    t.pay_in(stamps.contact_a, stamps.facility_1, 500)
    t.pay_in(stamps.contact_a, stamps.facility_1, 200, connection=link)
    wallet = charges.wallet(stamps.contact_a, stamps.facility_1)
    trust = charges.trust(stamps.resident)
    delivered = write(stamps.contact_a, link, "Delivered before")
    screen_and_route(message_id=delivered.pk)
    services.approve(message_id=delivered.pk, actor=stamps.reviewer_1)
    services.deliver(message_id=delivered.pk)
    waiting = write(stamps.contact_a, link, "Still in review")
    screen_and_route(message_id=waiting.pk)
    reply = write(stamps.resident, link, "Maria's reply, not screened yet")
    assert (balance(wallet), balance(trust)) == (500 - 80, 200 - 40)

    connections.block(by=stamps.resident, connection_id=link.pk)

    for message in (waiting, reply):
        returned = Message.objects.get(pk=message.pk)
        assert returned.status == S.RETURNED
        assert returned.return_reason == "connection blocked"
        assert Transaction.objects.filter(kind="message_refund", message=message).count() == 1
    assert Message.objects.get(pk=delivered.pk).status == S.DELIVERED
    assert (balance(wallet), balance(trust)) == (500 - 40, 200)
    event = AuditEvent.objects.get(action="connection.messages_returned")
    assert event.data == {"count": 2, "reason": "connection blocked"}


def test_blocking_again_returns_nothing_more(stamps: World) -> None:
    link = connection_of(stamps)
    t.pay_in(stamps.contact_a, stamps.facility_1, 500)
    write(stamps.contact_a, link, "On its way")
    connections.block(by=stamps.contact_a, connection_id=link.pk)
    settled = (Transaction.objects.count(), AuditEvent.objects.count())
    connections.block(by=stamps.contact_a, connection_id=link.pk)
    assert (Transaction.objects.count(), AuditEvent.objects.count()) == settled


def test_staff_ending_a_connection_returns_its_messages_and_no_one_elses(world: World) -> None:
    link = world.contact_a.connections.get()
    other = t.connect(world.contact_b, world.resident)
    mine = write(world.contact_a, link, "Ended soon")
    theirs = write(world.contact_b, other, "Not ended")
    connections.staff_end(staff=world.reviewer_1, connection_id=link.pk, reason="Court order")
    ended = Message.objects.get(pk=mine.pk)
    assert (ended.status, ended.return_reason) == (S.RETURNED, "connection ended")
    assert Message.objects.get(pk=theirs.pk).status == S.SUBMITTED


def test_a_connection_with_nothing_on_its_way_closes_quietly(world: World) -> None:
    link = world.contact_a.connections.get()
    connections.block(by=world.contact_a, connection_id=link.pk)
    assert Connection.objects.get(pk=link.pk).status == Connection.Status.BLOCKED
    assert not AuditEvent.objects.filter(action="connection.messages_returned").exists()
