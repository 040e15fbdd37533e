"""The journey of a message through the domain services and the job queue."""

from __future__ import annotations

import pytest

from homeward.connections.models import Connection
from homeward.core.audit import seal, verify_chain
from homeward.core.errors import DomainError
from homeward.messaging import services
from homeward.messaging.models import Message
from homeward.review import access as review_access
from homeward.review import services as review
from homeward.screening.models import Rule

S = Message.Status


def test_message_goes_through_review_and_is_read(world, run_jobs):
    connection = world.contact_a.connections.get()
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hi Maria, thinking of you."
    ).message
    assert message.status == S.SUBMITTED
    run_jobs()
    message.refresh_from_db()
    assert message.status == S.IN_REVIEW  # facility 1 reviews everything
    task = review.claim_next(staff=world.reviewer_1)
    assert task is not None and task.message_id == message.pk
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    run_jobs()
    message.refresh_from_db()
    assert message.status == S.DELIVERED
    services.mark_read(reader=world.resident, message_id=message.pk)
    message.refresh_from_db()
    assert message.status == S.READ
    assert message.submitted_at <= message.screened_at <= message.delivered_at <= message.read_at
    assert seal() > 0
    assert verify_chain() is None


def test_block_rule_blocks_without_review(world, run_jobs):
    Rule.objects.create(
        facility=world.facility_1, pattern="break out", category="escape", action="block"
    )
    connection = world.contact_a.connections.get()
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="We will BREAK   out tonight"
    ).message
    run_jobs()
    message.refresh_from_db()
    assert message.status == S.BLOCKED
    assert message.block_category == "escape"
    hit = message.screening.hits[0]
    assert message.body[hit["start"] : hit["end"]] == "BREAK   out"


def test_flagged_only_facility_delivers_clear_messages_at_once(world, run_jobs):
    from homeward import builders as t

    connection = t.connect(world.contact_b, world.resident_2)
    message = services.send_message(
        sender=world.contact_b, connection_id=connection.pk, body="Good luck at court"
    ).message
    run_jobs()
    message.refresh_from_db()
    assert message.status == S.DELIVERED


def test_over_length_message_is_refused_and_nothing_saved(world):
    connection = world.contact_a.connections.get()
    limit = world.facility_1.policy.message_length_limit
    with pytest.raises(DomainError) as err:
        services.send_message(
            sender=world.contact_a, connection_id=connection.pk, body="x" * (limit + 1)
        )
    assert err.value.code == "message_too_long"
    assert not Message.objects.exists()


def test_double_submit_sends_once(world):
    connection = world.contact_a.connections.get()
    first = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hello", client_token="tok-1"
    ).message
    again = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hello", client_token="tok-1"
    ).message
    assert first.pk == again.pk
    assert Message.objects.count() == 1


def test_blocking_returns_pending_messages(world, run_jobs):
    from homeward.connections import services as connections

    connection = world.contact_a.connections.get()
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="See you Sunday"
    ).message
    run_jobs()
    connections.block(by=world.resident, connection_id=connection.pk)
    message.refresh_from_db()
    assert message.status == S.RETURNED
    assert Connection.objects.get(pk=connection.pk).status == "blocked"


def _refused(world, contact, connection_id, code):
    before = Message.objects.count()
    with pytest.raises(DomainError) as err:
        services.send_message(sender=contact, connection_id=connection_id, body="hello")
    assert err.value.code == code
    assert Message.objects.count() == before


def test_sending_without_an_approved_connection_is_refused(world):
    from homeward.connections import services as connections

    pending = connections.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="NY1001"
    ).connection
    _refused(world, world.contact_b, pending.pk, "connection_not_active")


def test_writing_to_a_released_resident_is_refused(world):
    world.resident.status = "released"
    world.resident.save()
    _refused(world, world.contact_a, world.contact_a.connections.get().pk, "resident_released")


def test_a_blocked_contact_cannot_send(world):
    from homeward.connections import services as connections

    connection = world.contact_a.connections.get()
    connections.block(by=world.resident, connection_id=connection.pk)
    _refused(world, world.contact_a, connection.pk, "connection_blocked")


def test_someone_elses_connection_is_not_found(world):
    _refused(world, world.contact_b, world.contact_a.connections.get().pk, "not_found")


def test_empty_message_is_refused(world):
    with pytest.raises(DomainError) as err:
        services.send_message(
            sender=world.contact_a, connection_id=world.contact_a.connections.get().pk, body="  "
        )
    assert err.value.code == "message_empty"


def test_unicode_is_kept_exactly(world, run_jobs):
    body = "¡Hola mamá! 你好 — Привет 👋"
    connection = world.contact_a.connections.get()
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body=body
    ).message
    message.refresh_from_db()
    assert message.body == body


def test_resident_reply_goes_through_review_to_the_contact(world, run_jobs):
    connection = world.contact_a.connections.get()
    reply = services.send_message(
        sender=world.resident, connection_id=connection.pk, body="Hi!"
    ).message
    run_jobs()
    task = review.claim_next(staff=world.reviewer_1)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    run_jobs()
    services.mark_read(reader=world.contact_a, message_id=reply.pk)
    reply.refresh_from_db()
    assert reply.direction == Message.Direction.TO_CONTACT and reply.status == S.READ
    with pytest.raises(DomainError):  # the resident cannot "read" their own reply
        services.mark_read(reader=world.resident, message_id=reply.pk)


def test_returned_message_leaves_the_review_queue(world, run_jobs):
    from homeward.connections import services as connections
    from homeward.review.models import ReviewTask

    connection = world.contact_a.connections.get()
    services.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hello")
    run_jobs()
    assert review_access.queue_for(world.reviewer_1).count() == 1
    connections.staff_end(staff=world.facility_admin, connection_id=connection.pk, reason="Order")
    assert review_access.queue_for(world.reviewer_1).count() == 0
    assert ReviewTask.objects.get().status == ReviewTask.Status.CANCELLED


def test_control_characters_are_dropped_and_line_breaks_kept(world):
    connection = world.contact_a.connections.get()
    body = "Hi\x00 Maria\x07,\r\nsee\x1b you\u200b soon\x7f"
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body=body
    ).message
    message.refresh_from_db()
    assert message.body == "Hi Maria,\nsee you\u200b soon"


def test_a_message_of_only_control_characters_is_empty(world):
    connection = world.contact_a.connections.get()
    with pytest.raises(DomainError) as err:
        services.send_message(sender=world.contact_a, connection_id=connection.pk, body="\x00\x01")
    assert err.value.code == "message_empty"
    assert not Message.objects.exists()


def test_an_approved_message_to_a_released_resident_is_returned_not_delivered(world, run_jobs):
    connection = world.contact_a.connections.get()
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="hi"
    ).message
    run_jobs()
    task = review.claim_next(staff=world.reviewer_1)
    world.resident.status = "released"
    world.resident.save()
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    run_jobs()
    message.refresh_from_db()
    assert message.status == S.RETURNED and message.return_reason == "resident released"


def test_opening_a_conversation_reads_only_what_was_delivered_to_the_reader(world, run_jobs):
    connection = world.contact_a.connections.get()
    to_resident = [
        services.send_message(
            sender=world.contact_a, connection_id=connection.pk, body=f"m{i}"
        ).message
        for i in range(2)
    ]
    run_jobs()
    for _ in to_resident:
        task = review.claim_next(staff=world.reviewer_1)
        review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    run_jobs()
    own = services.send_message(
        sender=world.resident, connection_id=connection.pk, body="reply"
    ).message
    assert (
        services.mark_conversation_read(reader=world.contact_b, connection_id=connection.pk) == []
    )
    read = services.mark_conversation_read(reader=world.resident, connection_id=connection.pk)
    assert read == [m.pk for m in to_resident]
    assert services.mark_conversation_read(reader=world.resident, connection_id=connection.pk) == []
    own.refresh_from_db()
    assert own.status != S.READ


def test_reading_up_to_the_newest_seen_leaves_later_messages_unread(world, run_jobs):
    connection = world.contact_a.connections.get()
    sent = [
        services.send_message(
            sender=world.contact_a, connection_id=connection.pk, body=f"m{i}"
        ).message
        for i in range(3)
    ]
    run_jobs()
    for _ in sent:
        task = review.claim_next(staff=world.reviewer_1)
        review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    run_jobs()
    read = services.mark_conversation_read(
        reader=world.resident, connection_id=connection.pk, up_to_message_id=sent[1].pk
    )
    assert read == [sent[0].pk, sent[1].pk]
    sent[2].refresh_from_db()
    assert sent[2].status == S.DELIVERED  # not seen yet, so not read
    rest = services.mark_conversation_read(reader=world.resident, connection_id=connection.pk)
    assert rest == [sent[2].pk]


def test_a_message_exactly_at_the_limit_is_accepted_and_screened(world, run_jobs):
    connection = world.contact_a.connections.get()
    limit = world.facility_1.policy.message_length_limit
    body = ("Te quiero mucho. " * (limit // 17 + 1))[:limit].rstrip() + "!"
    body = body[:limit]
    assert len(body) == limit
    message = services.send_message(
        sender=world.contact_a, connection_id=connection.pk, body=body
    ).message
    run_jobs()
    message.refresh_from_db()
    assert len(message.body) == limit and message.status == S.IN_REVIEW
    assert message.screening.verdict == "clear"
