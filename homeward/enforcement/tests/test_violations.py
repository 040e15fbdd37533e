"""Violations: a block a reviewer confirms is recorded against the person who sent the
message, once, with its category, severity and who confirmed it; a block by screening
alone is not; a void violation says who voided it and why. Reviewers see the sender's
record beside the message, for the facilities they serve."""

from __future__ import annotations

import pytest

from homeward.core.errors import Conflict, DomainError
from homeward.core.models import AuditEvent
from homeward.enforcement import access, services
from homeward.enforcement.models import Violation
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import blocked_by_reviewer, client_for
from homeward.review import services as review
from homeward.screening.models import Rule


def reviewer_blocks(world, run_jobs, *, sender, body: str, reason: str):  # type: ignore[no-untyped-def]
    """``sender`` writes on Ana's connection with Maria; Greenhaven reviews every message,
    and reviewer 1 blocks it for ``reason``."""
    connection = world.contact_a.connections.get()
    return blocked_by_reviewer(
        world.reviewer_1, sender=sender, connection_id=connection.pk, body=body, reason=reason
    )


def test_a_block_a_reviewer_confirms_is_a_violation_by_the_contact_who_wrote(world, run_jobs):
    message = reviewer_blocks(
        world, run_jobs, sender=world.contact_a, body="Meet me by the fence", reason="escape"
    )
    [violation] = Violation.objects.all()
    assert violation.message == message and violation.contact == world.contact_a
    assert violation.resident is None
    assert violation.category == "escape" and violation.severity == "serious"
    assert violation.confirmed_by == world.reviewer_1 and not violation.automatic
    assert violation.counts
    recorded = AuditEvent.objects.get(action="violation.recorded")
    assert recorded.data["against"] == f"contact:{world.contact_a.pk}"


def test_a_blocked_reply_is_a_violation_by_the_resident(world, run_jobs):
    reviewer_blocks(world, run_jobs, sender=world.resident, body="Send the money", reason="fraud")
    [violation] = Violation.objects.all()
    assert violation.resident == world.resident and violation.contact is None
    assert violation.severity == "standard"


def test_a_block_by_screening_alone_is_not_a_violation(world, run_jobs):
    Rule.objects.create(
        scope="facility",
        facility=world.facility_1,
        pattern="over the wall",
        category="escape",
        action="block",
    )
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Go over the wall"
    ).message
    run_jobs()
    assert Message.objects.get(pk=sent.pk).status == Message.Status.BLOCKED
    assert not Violation.objects.exists()


def test_a_void_violation_says_who_and_why_and_is_void_once(world, run_jobs):
    reviewer_blocks(world, run_jobs, sender=world.contact_a, body="The fence", reason="escape")
    violation = Violation.objects.get()
    with pytest.raises(DomainError):
        services.void(violation_id=violation.pk, actor=world.facility_admin, reason=" ")
    voided = services.void(
        violation_id=violation.pk, actor=world.facility_admin, reason="A misreading"
    )
    assert not voided.counts and voided.voided_by == world.facility_admin
    with pytest.raises(Conflict):
        services.void(violation_id=violation.pk, actor=world.facility_admin, reason="Again")
    assert AuditEvent.objects.filter(action="violation.voided").count() == 1


def test_the_review_page_shows_the_senders_record_to_reviewers_of_its_facilities(world, run_jobs):
    reviewer_blocks(world, run_jobs, sender=world.contact_a, body="A gram", reason="drugs")
    connection = world.contact_a.connections.get()
    messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hello")
    run_jobs()
    task = review.claim_next(staff=world.reviewer_1)
    page = client_for(world.reviewer_1).get(f"/console/review/{task.pk}/").content.decode()
    record = page.split('id="sender-record"')[1].split("</div>")[0]
    assert "Drugs or contraband" in record and "rev1" in record
    # Staff of another facility see nothing of it.
    assert list(access.record_of(world.reviewer_2, world.contact_a)) == []
