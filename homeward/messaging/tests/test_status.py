"""Every allowed message transition works; the ones that matter are refused."""

from __future__ import annotations

import pytest

from homeward.core.audit import seal, verify_chain
from homeward.core.models import AuditEvent
from homeward.core.transitions import IllegalTransition, allowed_pairs
from homeward.messaging import status
from homeward.messaging.models import Message, MessageEvent

S = Message.Status


def _message_in(world, state: str) -> Message:
    connection = world.contact_a.connections.get()
    return Message.objects.create(
        connection=connection,
        facility=connection.facility,
        resident_id=connection.resident_id,
        contact_id=connection.contact_id,
        direction=Message.Direction.TO_RESIDENT,
        body="hello",
        status=state,
        created_at=connection.created_at,
    )


@pytest.mark.parametrize(("source", "target"), allowed_pairs(status.TRANSITIONS))
def test_every_allowed_transition_records_who_and_when(world, source, target):
    message = _message_in(world, source)
    status.move(message, target, actor=world.reviewer_1)
    message.refresh_from_db()
    assert message.status == target
    event = MessageEvent.objects.get(message=message)
    assert (event.from_status, event.to_status) == (source, target)
    assert event.actor_user == world.reviewer_1
    stamp = status.STAMP.get(target)
    if stamp:
        assert getattr(message, stamp) == event.at
    audit = AuditEvent.objects.get(action=f"message.{target}", object_id=str(message.pk))
    assert audit.actor_label == "user:rev1"
    assert seal() > 0
    assert verify_chain() is None


FORBIDDEN = [
    (S.SUBMITTED, S.DELIVERED),  # skipping screening and review
    (S.SCREENING, S.DELIVERED),
    (S.IN_REVIEW, S.DELIVERED),  # skipping the decision
    (S.BLOCKED, S.DELIVERED),  # even overturned on appeal, it is approved first
    (S.BLOCKED, S.IN_REVIEW),
    (S.DELIVERED, S.RETURNED),  # what was delivered cannot be un-delivered
    (S.READ, S.DELIVERED),
    (S.RETURNED, S.SUBMITTED),
    (S.DRAFT, S.APPROVED),
]


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_forbidden_transitions_raise_and_change_nothing(world, source, target):
    message = _message_in(world, source)
    with pytest.raises(IllegalTransition) as err:
        status.move(message, target, actor="system")
    assert err.value.code == "illegal_transition"
    message.refresh_from_db()
    assert message.status == source
    assert not MessageEvent.objects.filter(message=message).exists()


def test_terminal_statuses_have_no_way_out():
    for terminal in (S.READ, S.RETURNED):
        assert status.TRANSITIONS[terminal] == frozenset()
    # A block is final but for an appeal that overturns it.
    assert status.TRANSITIONS[S.BLOCKED] == frozenset({S.APPROVED})


def test_table_covers_every_status():
    assert set(status.TRANSITIONS) == set(S.values)
