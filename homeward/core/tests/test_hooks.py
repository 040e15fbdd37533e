"""Hooks (core/hooks.py), how a lower app lets a higher one act: a receiver is registered
once, receivers run in the order registered, and an exception in one reaches the caller, so
the caller's transaction rolls back whole (nothing half done)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.db import transaction

from homeward.api import services as api
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core import audit
from homeward.core.hooks import Hook
from homeward.core.models import AuditEvent
from homeward.ledger import closing
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people import account
from homeward.people import services as people
from homeward.people.models import Contact
from homeward.review import services as review

if TYPE_CHECKING:
    from homeward.personas import World


class Boom(Exception):
    pass


def test_a_receiver_registered_twice_runs_once() -> None:
    calls: list[str] = []
    hook: Hook[[str]] = Hook("said")

    def listen(word: str) -> None:
        calls.append(word)

    assert hook.register(listen) is listen  # usable as a decorator
    hook.register(listen)
    hook("hello")
    assert calls == ["hello"]
    assert hook.receivers == (listen,)
    assert repr(hook) == "<Hook said: 1 receiver(s)>"


def test_receivers_run_in_the_order_registered_with_the_callers_arguments() -> None:
    calls: list[tuple[str, int, str]] = []
    hook: Hook[[int, str]] = Hook("counted")
    hook.register(lambda n, why: calls.append(("first", n, why)))
    hook.register(lambda n, why: calls.append(("second", n, why)))
    hook(3, "because")
    assert calls == [("first", 3, "because"), ("second", 3, "because")]


def test_a_hook_with_no_receivers_does_nothing() -> None:
    Hook[[int]]("nobody")(1)


def test_an_exception_in_a_receiver_stops_the_rest_and_reaches_the_caller() -> None:
    calls: list[str] = []
    hook: Hook[[]] = Hook("fails")

    def fail() -> None:
        raise Boom("receiver failed")

    hook.register(lambda: calls.append("before"))
    hook.register(fail)
    hook.register(lambda: calls.append("after"))
    with pytest.raises(Boom):
        hook()
    assert calls == ["before"]


def test_a_failing_receiver_rolls_back_the_callers_transaction(db: None) -> None:
    hook: Hook[[]] = Hook("rolls_back")

    def fail() -> None:
        raise Boom("receiver failed")

    hook.register(fail)
    with pytest.raises(Boom), transaction.atomic():
        audit.record(actor="system", action="test.written_before_the_hook")
        hook()
    assert not AuditEvent.objects.filter(action="test.written_before_the_hook").exists()


def test_each_hook_has_the_receivers_its_apps_register_once_each() -> None:
    assert account.email_verified.receivers == (connections.claim_invitations_of,)
    assert connections.connection_closed.receivers == (messaging.return_pending_messages_of,)
    assert messaging.message_returned.receivers == (review.cancel_task_of,)
    assert account.password_changed.receivers == (api.revoke_all_of,)
    assert set(account.may_close.receivers) == {
        messaging.refuse_closing_while_in_review,
        closing.refuse_closing_while_paying,
    }
    assert account.account_closing.receivers == (connections.end_all_of,)
    assert account.account_closed.receivers == (closing.refund_every_wallet,)


def test_a_failing_receiver_undoes_the_email_confirmation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.facility_2.policy.connection_policy = "resident_invites"
    world.facility_2.policy.save()
    contact = world.contact_b
    Contact.objects.filter(pk=contact.pk).update(email_verified_at=None)
    invitation = connections.invite_contact(resident=world.resident_2, email="b@example.org")
    assert invitation.contact is None

    def fail(contact: Contact) -> None:
        raise Boom("a later receiver failed")

    receivers = [*account.email_verified.receivers, fail]
    monkeypatch.setattr(account.email_verified, "_receivers", receivers)
    with pytest.raises(Boom):
        people.verify_email(token=people.verification_token(Contact.objects.get(pk=contact.pk)))
    assert Contact.objects.get(pk=contact.pk).email_verified_at is None
    assert Connection.objects.get(pk=invitation.pk).contact is None
    assert not AuditEvent.objects.filter(action="contact.email_verified").exists()


def test_a_failing_receiver_leaves_the_connection_open(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = world.contact_a.connections.get()
    sent = messaging.send_message(sender=world.contact_a, connection_id=link.pk, body="Hi").message

    def fail(connection: Connection, reason: str) -> None:
        raise Boom("a later receiver failed")

    receivers = [*connections.connection_closed.receivers, fail]
    monkeypatch.setattr(connections.connection_closed, "_receivers", receivers)
    with pytest.raises(Boom):
        connections.block(by=world.contact_a, connection_id=link.pk)
    assert Connection.objects.get(pk=link.pk).status == Connection.Status.ACTIVE
    assert Message.objects.get(pk=sent.pk).status == Message.Status.SUBMITTED
