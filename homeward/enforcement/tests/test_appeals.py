"""Appeals: the sender of a blocked message, or a person whose messaging is stopped, asks
once within the window; someone other than the decision's author decides; an overturned
block is delivered and its violation voided; the person is told."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.models import AuditEvent
from homeward.enforcement import appeals, restrictions
from homeward.enforcement.models import Appeal, Restriction
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.notifications.models import Notification
from homeward.people.models import StaffMembership
from homeward.personas import blocked_by_reviewer

Role = StaffMembership.Role
DAY = dt.timedelta(days=1)


def blocked(world, *, reason: str = "drugs", sender=None) -> Message:  # type: ignore[no-untyped-def]
    connection = world.contact_a.connections.get()
    return blocked_by_reviewer(
        world.reviewer_1,
        sender=sender or world.contact_a,
        connection_id=connection.pk,
        body="It was a recipe for pozole",
        reason=reason,
    )


def test_an_overturned_block_is_delivered_and_the_record_is_clean(world):
    second = t.make_staff("rev3", role=Role.REVIEWER, facility=world.facility_1)
    message = blocked(world)
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=message.pk, statement="It is a recipe."
    )
    # Another reviewer, not the one who blocked it, decides.
    assert appeal.assigned_to == second and appeal.assigned_as == "reviewer"
    assert appeal.decided_against == world.reviewer_1
    assert appeal.due_at > appeal.created_at
    appeals.decide(staff=second, appeal_id=appeal.pk, outcome="overturned", reason="A recipe")
    jobs.run_pending("test")
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert not message.violation.counts
    told = Notification.objects.get(event="appeal_decided")
    assert told.contact == world.contact_a and "overturned" in told.body
    assert "It was a recipe" not in told.body  # never the message text
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"appeal.filed", "appeal.overturned", "violation.voided"} <= actions


def test_without_another_reviewer_a_facility_admin_decides_and_an_upheld_block_is_final(world):
    message = blocked(world)
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=message.pk, statement="Please look again."
    )
    assert appeal.assigned_to == world.facility_admin and appeal.assigned_as == "facility_admin"
    with pytest.raises(PermissionDenied) as refused:
        appeals.decide(
            staff=world.reviewer_1, appeal_id=appeal.pk, outcome="overturned", reason="x"
        )
    assert refused.value.code == "own_decision"
    appeals.decide(
        staff=world.facility_admin, appeal_id=appeal.pk, outcome="upheld", reason="Drug talk"
    )
    with pytest.raises(Conflict) as again:
        appeals.decide(
            staff=world.facility_admin, appeal_id=appeal.pk, outcome="overturned", reason="x"
        )
    assert again.value.code == "already_decided"
    message.refresh_from_db()
    assert message.status == Message.Status.BLOCKED and message.violation.counts
    assert "upheld" in Notification.objects.get(event="appeal_decided").body


def test_appeals_that_may_not_be_made_are_refused_and_nothing_is_filed(world):
    message = blocked(world)
    with pytest.raises(NotFound):  # Ben did not send it
        appeals.appeal_message(appellant=world.contact_b, message_id=message.pk, statement="x")
    with pytest.raises(NotFound):  # nor did Maria
        appeals.appeal_message(appellant=world.resident, message_id=message.pk, statement="x")
    with pytest.raises(DomainError) as empty:
        appeals.appeal_message(appellant=world.contact_a, message_id=message.pk, statement=" ")
    assert empty.value.code == "statement_required"
    with clock.frozen_at(message.blocked_at + 15 * DAY), pytest.raises(Conflict) as late:
        appeals.appeal_message(appellant=world.contact_a, message_id=message.pk, statement="x")
    assert late.value.code == "appeal_window_closed"
    assert not Appeal.objects.exists()
    appeals.appeal_message(appellant=world.contact_a, message_id=message.pk, statement="Once")
    with pytest.raises(Conflict) as twice:
        appeals.appeal_message(appellant=world.contact_a, message_id=message.pk, statement="x")
    assert twice.value.code == "already_appealed"
    delivered = messaging.send_message(
        sender=world.contact_a, connection_id=message.connection_id, body="Hi"
    ).message
    with pytest.raises(Conflict) as not_blocked:
        appeals.appeal_message(appellant=world.contact_a, message_id=delivered.pk, statement="x")
    assert not_blocked.value.code == "not_blocked"
    assert Appeal.objects.count() == 1


def test_staff_of_other_facilities_cannot_see_or_decide_an_appeal(world):
    message = blocked(world)
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=message.pk, statement="Look again"
    )
    with pytest.raises(NotFound):
        appeals.decide(
            staff=world.reviewer_2, appeal_id=appeal.pk, outcome="overturned", reason="x"
        )
    assert appeals.desk_page(world.reviewer_2).appeals == []
    with pytest.raises(PermissionDenied) as refused:  # a reviewer not assigned, not an admin
        appeals.decide(
            staff=world.investigator, appeal_id=appeal.pk, outcome="overturned", reason="x"
        )
    assert refused.value.code == "not_assigned"
    appeal.refresh_from_db()
    assert appeal.status == "open"


def test_the_blocker_decides_only_where_the_agency_allows_and_the_record_says_so(world):
    lone = t.make_facility("lone-pine", agency=world.facility_1.agency, name="Lone Pine")
    resident = t.make_resident(lone, "NY7007", first_name="Rosa", last_name="Diaz")
    connection = t.connect(world.contact_b, resident)
    only = t.make_staff("solo", role=Role.REVIEWER, facility=lone)
    message = blocked_by_reviewer(
        only, sender=world.contact_b, connection_id=connection.pk, body="Hey", reason="gang"
    )
    with pytest.raises(Conflict) as nobody:
        appeals.appeal_message(appellant=world.contact_b, message_id=message.pk, statement="x")
    assert nobody.value.code == "nobody_to_decide"
    agency = lone.agency
    agency.blocker_decides_appeals = True
    agency.save()
    appeal = appeals.appeal_message(
        appellant=world.contact_b, message_id=message.pk, statement="Please"
    )
    assert appeal.assigned_to == only and appeal.assigned_as == "blocker"
    appeals.decide(staff=only, appeal_id=appeal.pk, outcome="upheld", reason="Gang sign")
    assert AuditEvent.objects.get(action="appeal.upheld").data["assigned_as"] == "blocker"


def test_a_suspension_is_appealed_to_an_admin_and_overturning_it_restores_messaging(world):
    message = blocked(world, reason="escape")  # escape suspends at once
    suspension = Restriction.objects.get()
    appeal = appeals.appeal_restriction(
        appellant=world.contact_a, restriction_id=suspension.pk, statement="It was a joke"
    )
    assert appeal.assigned_to == world.facility_admin and appeal.decided_against is None
    appeals.decide(
        staff=world.facility_admin, appeal_id=appeal.pk, outcome="overturned", reason="Context"
    )
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None and suspension.undone
    assert suspension.lifted_by == world.facility_admin
    assert restrictions.on(message.connection) is None
    assert messaging.send_message(
        sender=world.contact_a, connection_id=message.connection_id, body="Thank you"
    ).created
    with pytest.raises(NotFound):  # Maria's messaging was not suspended: not hers to appeal
        appeals.appeal_restriction(
            appellant=world.resident, restriction_id=suspension.pk, statement="x"
        )


def test_a_resident_appeals_a_blocked_reply_and_is_told_at_the_kiosk(world):
    t.make_staff("rev3", role=Role.REVIEWER, facility=world.facility_1)
    message = blocked(world, sender=world.resident)
    appeal = appeals.appeal_message(
        appellant=world.resident, message_id=message.pk, statement="I meant my cousin"
    )
    appeals.decide(
        staff=appeal.assigned_to, appeal_id=appeal.pk, outcome="upheld", reason="Relaying"
    )
    notice = Notification.objects.get(event="appeal_decided_notice")
    assert notice.resident == world.resident and "upheld" in notice.body


def test_an_agency_wide_revocation_is_appealed_to_an_agency_admin_only(world):
    chief = t.make_staff("chief", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    other_chief = t.make_staff("chief2", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    revocation = restrictions.impose(
        staff=chief,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="revocation",
        reason="Smuggling",
        agency_wide=True,
    )
    appeal = appeals.appeal_restriction(
        appellant=world.contact_a, restriction_id=revocation.pk, statement="Not me"
    )
    assert appeal.assigned_to == other_chief and appeal.assigned_as == "agency_admin"
    with pytest.raises(PermissionDenied):  # the facility admin may not lift it agency-wide
        appeals.decide(
            staff=world.facility_admin, appeal_id=appeal.pk, outcome="overturned", reason="x"
        )
    revocation.refresh_from_db()
    assert revocation.lifted_at is None


def test_a_reviewer_who_is_no_longer_one_cannot_decide_what_was_assigned_to_them(world):
    second = t.make_staff("rev3", role=Role.REVIEWER, facility=world.facility_1)
    message = blocked(world)
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=message.pk, statement="Please"
    )
    assert appeal.assigned_to == second
    StaffMembership.objects.filter(user=second).update(role=Role.INVESTIGATOR)
    with pytest.raises(PermissionDenied):
        appeals.decide(staff=second, appeal_id=appeal.pk, outcome="overturned", reason="x")


@pytest.mark.parametrize("kind", ["suspension", "revocation"])
def test_the_kiosk_offers_to_appeal_a_stop_by_its_own_name(world, kind):
    from homeward.personas import kiosk_client_for

    restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.resident,
        kind=kind,
        reason="Threats",
        **({"ends_at": clock.now() + dt.timedelta(days=30)} if kind == "suspension" else {}),
    )
    connection = world.resident.connections.get()
    page = kiosk_client_for(world.resident).get(f"/kiosk/conversations/{connection.pk}/")
    text = page.content.decode()
    assert f"Appeal this {kind}: why should the facility look again?" in text
    other = "revocation" if kind == "suspension" else "suspension"
    assert f"Appeal this {other}" not in text
