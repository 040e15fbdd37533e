"""Suspensions and revocations: the facility's policy imposes them after violations, staff
impose, shorten, extend and lift them, sending is refused (and nothing charged) while one
is in force, messages on their way are returned or held, and sending comes back by itself
when one ends. The clock is moved, never waited for."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from homeward.core.models import AuditEvent
from homeward.enforcement import policies, restrictions, services
from homeward.enforcement.models import EnforcementPolicy, Restriction, Violation
from homeward.jobs import services as jobs
from homeward.ledger.charges import wallet
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.notifications.models import Notification
from homeward.people.models import StaffMembership
from homeward.personas import blocked_by_reviewer
from homeward.review import services as review

Role = StaffMembership.Role
S = Message.Status
DAY = dt.timedelta(days=1)


def block(world, body: str = "A gram for you", reason: str = "drugs") -> Message:  # type: ignore[no-untyped-def]
    connection = world.contact_a.connections.get()
    return blocked_by_reviewer(
        world.reviewer_1,
        sender=world.contact_a,
        connection_id=connection.pk,
        body=body,
        reason=reason,
    )


def balance(world) -> int:  # type: ignore[no-untyped-def]
    return wallet(world.contact_a, world.facility_1).balance


def send(world, body: str = "Hello Maria"):  # type: ignore[no-untyped-def]
    connection = world.contact_a.connections.get()
    return messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body=body)


def test_three_confirmed_violations_suspend_the_contact_for_thirty_days(world):
    start = clock.now()
    with clock.frozen_at(start):
        block(world)
        block(world)
        assert restrictions.on(world.contact_a.connections.get()) is None
        third = block(world)
    [suspension] = Restriction.objects.all()
    assert suspension.kind == "suspension" and suspension.contact == world.contact_a
    assert suspension.automatic and suspension.imposed_by is None
    assert suspension.ends_at == start + 30 * DAY
    assert third.violation in suspension.violations.all() and suspension.violations.count() == 3
    assert AuditEvent.objects.filter(action="restriction.imposed").count() == 1
    # Ana is told by email, Maria's kiosk is not (the suspension is Ana's).
    told = Notification.objects.get(event="messaging_restricted")
    assert told.contact == world.contact_a and "suspended until" in told.body
    assert "Greenhaven Correctional" in told.body
    assert not Notification.objects.filter(event="messaging_restricted_notice").exists()


def test_a_suspended_contact_is_refused_with_the_end_date_and_charged_nothing(stamps):
    world = stamps
    t.pay_in(world.contact_a, world.facility_1, 500)
    now = clock.now()
    with clock.frozen_at(now):
        suspension = restrictions.impose(
            staff=world.facility_admin,
            facility=world.facility_1,
            subject=world.contact_a,
            kind="suspension",
            reason="Threats in three letters",
            ends_at=now + 10 * DAY,
        )
        before = balance(world)
        with pytest.raises(PermissionDenied) as refused:
            send(world)
    assert refused.value.code == "messaging_suspended"
    assert restrictions.describe(suspension, reader=world.contact_a) in refused.value.message
    assert "until" in refused.value.message and "Nothing was sent or charged" in (
        refused.value.message
    )
    assert balance(world) == before
    assert not Message.objects.exists()
    # The day it ends, Ana writes again without anyone lifting it.
    with clock.frozen_at(now + 10 * DAY + dt.timedelta(seconds=1)):
        assert send(world).created


def test_a_serious_category_suspends_at_once_and_voiding_it_lifts_the_suspension(world):
    message = block(world, body="Meet me by the fence at midnight", reason="escape")
    suspension = Restriction.objects.get()
    assert suspension.kind == "suspension" and restrictions.on(message.connection) is not None
    services.void(
        violation_id=message.violation.pk, actor=world.facility_admin, reason="A misreading"
    )
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None and suspension.undone
    assert restrictions.on(message.connection) is None
    assert send(world).created
    lifted = Notification.objects.filter(event="messaging_restricted").order_by("id").last()
    assert lifted is not None and "no longer suspended" in lifted.body


def test_a_second_suspension_within_180_days_is_a_revocation(world):
    start = clock.now()
    with clock.frozen_at(start):
        block(world, reason="escape")
    with clock.frozen_at(start + 31 * DAY):
        block(world, reason="escape")
    first, second = Restriction.objects.order_by("id")
    assert first.kind == "suspension" and second.kind == "revocation"
    assert second.ends_at is None
    with clock.frozen_at(start + 400 * DAY), pytest.raises(PermissionDenied) as refused:
        send(world)
    assert refused.value.code == "messaging_revoked"


def test_violations_before_a_suspension_do_not_count_again_after_it(world):
    start = clock.now()
    with clock.frozen_at(start):
        for _ in range(3):
            block(world)
    policies.add(staff=world.facility_admin, facility=world.facility_1, suspensions_to_revoke=0)
    with clock.frozen_at(start + 31 * DAY):
        block(world)  # the fourth within 30 days of the last two, but after the suspension
    assert Restriction.objects.count() == 1


def test_automatic_blocks_count_only_where_the_policy_says_so(world, run_jobs):
    from homeward.screening.models import Rule

    Rule.objects.create(
        scope="facility",
        facility=world.facility_1,
        pattern="over the wall",
        category="escape",
        action="block",
    )
    send(world, "Go over the wall")
    run_jobs()
    assert not Violation.objects.exists()
    policies.add(staff=world.facility_admin, facility=world.facility_1, automatic_blocks_count=True)
    send(world, "Go over the wall tonight")
    run_jobs()
    violation = Violation.objects.get()
    assert violation.automatic and violation.confirmed_by is None
    assert Restriction.objects.get().automatic  # escape suspends at once


# --- messages on their way ------------------------------------------------------------------


def test_messages_on_their_way_are_returned_and_refunded_when_a_suspension_starts(stamps):
    world = stamps
    t.pay_in(world.contact_a, world.facility_1, 500)
    sent = send(world).message
    jobs.run_pending("test")
    assert Message.objects.get(pk=sent.pk).status == S.IN_REVIEW
    paid = balance(world)
    restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Repeated threats",
        ends_at=clock.now() + 5 * DAY,
    )
    returned = Message.objects.get(pk=sent.pk)
    assert returned.status == S.RETURNED and returned.return_reason == "messaging suspended"
    assert balance(world) == paid + 40


def test_an_automatic_suspension_returns_what_is_on_its_way_in_a_job(world, run_jobs):
    fence = send(world, "Meet me by the fence").message
    waiting = send(world, "See you Sunday").message
    run_jobs()
    task = review.claim_next(staff=world.reviewer_1)
    assert task.message_id == fence.pk
    review.decide(  # escape suspends at once
        staff=world.reviewer_1, task_id=task.pk, decision="block", reason_code="escape"
    )
    assert Restriction.objects.get().kind == "suspension"
    assert Message.objects.get(pk=waiting.pk).status == S.IN_REVIEW
    run_jobs()
    returned = Message.objects.get(pk=waiting.pk)
    assert returned.status == S.RETURNED and returned.return_reason == "messaging suspended"


def test_where_the_facility_holds_them_they_are_delivered_when_the_suspension_ends(world):
    policies.add(staff=world.facility_admin, facility=world.facility_1, on_the_way="hold")
    now = clock.now()
    with clock.frozen_at(now):
        sent = send(world).message
        jobs.run_pending("test")
        restrictions.impose(
            staff=world.facility_admin,
            facility=world.facility_1,
            subject=world.contact_a,
            kind="suspension",
            reason="Repeated threats",
            ends_at=now + 5 * DAY,
        )
        assert Message.objects.get(pk=sent.pk).status == S.IN_REVIEW  # held where it was
        task = review.claim_next(staff=world.reviewer_1)
        review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
        jobs.run_pending("test")
        assert Message.objects.get(pk=sent.pk).status == S.APPROVED  # waits for the end
    with clock.frozen_at(now + 5 * DAY + dt.timedelta(minutes=1)):
        jobs.run_pending("test")
    assert Message.objects.get(pk=sent.pk).status == S.DELIVERED


def test_lifting_early_sends_held_messages_at_once(world):
    policies.add(staff=world.facility_admin, facility=world.facility_1, on_the_way="hold")
    sent = send(world).message
    jobs.run_pending("test")
    suspension = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Repeated threats",
        ends_at=clock.now() + 30 * DAY,
    )
    task = review.claim_next(staff=world.reviewer_1)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    jobs.run_pending("test")
    assert Message.objects.get(pk=sent.pk).status == S.APPROVED
    restrictions.lift(
        staff=world.facility_admin, restriction_id=suspension.pk, reason="Spoke with her"
    )
    jobs.run_pending("test")
    assert Message.objects.get(pk=sent.pk).status == S.DELIVERED


# --- a resident, a connection --------------------------------------------------------------


def test_a_suspended_residents_contacts_are_told_until_when_and_not_charged(stamps):
    world = stamps
    t.pay_in(world.contact_a, world.facility_1, 500)
    suspension = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.resident,
        kind="suspension",
        reason="Contraband found in cell",
        ends_at=clock.now() + 7 * DAY,
    )
    before = balance(world)
    with pytest.raises(PermissionDenied) as refused:
        send(world)
    assert "Maria Lopez's messaging is suspended until" in refused.value.message
    assert "cannot be delivered" in refused.value.message
    assert balance(world) == before
    connection = world.contact_a.connections.get()
    with pytest.raises(PermissionDenied):
        messaging.send_message(sender=world.resident, connection_id=connection.pk, body="Hi")
    notice = Notification.objects.get(event="messaging_restricted_notice")
    assert notice.resident == world.resident
    assert notice.body == restrictions.describe(suspension, reader=world.resident)
    assert notice.body.startswith("Your messaging is suspended until")


def test_a_connections_restriction_leaves_the_contacts_other_connections_alone(world):
    other = t.make_resident(world.facility_1, "NY1002", first_name="Rosa", last_name="Diaz")
    t.connect(world.contact_a, other)
    maria = world.contact_a.connections.get(resident=world.resident)
    restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=maria,
        kind="revocation",
        reason="Passing messages for others",
    )
    with pytest.raises(PermissionDenied):
        messaging.send_message(sender=world.contact_a, connection_id=maria.pk, body="Hi")
    rosa = world.contact_a.connections.get(resident=other)
    assert messaging.send_message(sender=world.contact_a, connection_id=rosa.pk, body="Hi").created
    # Both people on the connection are told.
    assert Notification.objects.filter(event="messaging_restricted").count() == 1
    assert Notification.objects.filter(event="messaging_restricted_notice").count() == 1


# --- staff -----------------------------------------------------------------------------------


def test_staff_shorten_extend_and_lift_with_history_and_audit(world):
    now = clock.now()
    suspension = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats",
        ends_at=now + 30 * DAY,
    )
    restrictions.change_end(
        staff=world.facility_admin,
        restriction_id=suspension.pk,
        ends_at=now + 10 * DAY,
        reason="First time",
    )
    restrictions.change_end(
        staff=world.facility_admin,
        restriction_id=suspension.pk,
        ends_at=now + 20 * DAY,
        reason="It happened again",
    )
    restrictions.lift(staff=world.facility_admin, restriction_id=suspension.pk, reason="Appeal")
    actions = list(suspension.changes.values_list("action", flat=True))
    assert actions == ["imposed", "shortened", "extended", "lifted"]
    audited = AuditEvent.objects.filter(action__startswith="restriction.").values_list(
        "action", flat=True
    )
    assert sorted(audited) == sorted(f"restriction.{a}" for a in actions)
    with pytest.raises(Conflict) as again:
        restrictions.lift(staff=world.facility_admin, restriction_id=suspension.pk, reason="x")
    assert again.value.code == "already_lifted"
    # Each step was told to Ana.
    assert Notification.objects.filter(event="messaging_restricted").count() == 4


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"ends_at": -1}, "ends_before_start"),
        ({"ends_at": None}, "end_required"),
        ({"reason": "  "}, "reason_required"),
        ({"starts_at": -2}, "starts_in_past"),
        ({"kind": "revocation", "ends_at": 3}, "revocation_has_no_end"),
    ],
)
def test_restrictions_that_make_no_sense_are_refused_and_nothing_changes(world, fields, code):
    now = clock.now()
    asked = {"kind": "suspension", "reason": "Threats", "ends_at": 5, **fields}
    for name in ("ends_at", "starts_at"):
        if isinstance(asked.get(name), int):
            asked[name] = now + asked[name] * DAY
    with clock.frozen_at(now), pytest.raises(DomainError) as refused:
        restrictions.impose(
            staff=world.facility_admin,
            facility=world.facility_1,
            subject=world.contact_a,
            **asked,
        )
    assert refused.value.code == code
    assert (
        not Restriction.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="restriction.").exists()
    )


def test_staff_cannot_restrict_outside_their_facilities_or_agency_wide_without_the_agency(world):
    ends = clock.now() + 5 * DAY
    other_admin = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    for staff in (world.reviewer_1, world.investigator, other_admin):
        with pytest.raises(NotFound):
            restrictions.impose(
                staff=staff,
                facility=world.facility_1,
                subject=world.contact_a,
                kind="suspension",
                reason="Threats",
                ends_at=ends,
            )
    # Ben has no connection at Greenhaven: he is nobody there.
    with pytest.raises(NotFound):
        restrictions.impose(
            staff=world.facility_admin,
            facility=world.facility_1,
            subject=world.contact_b,
            kind="suspension",
            reason="Threats",
            ends_at=ends,
        )
    with pytest.raises(PermissionDenied) as refused:
        restrictions.impose(
            staff=world.facility_admin,
            facility=world.facility_1,
            subject=world.contact_a,
            kind="suspension",
            reason="Threats",
            ends_at=ends,
            agency_wide=True,
        )
    assert refused.value.code == "agency_admin_only"
    agency_admin = t.make_staff("chief", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    wide = restrictions.impose(
        staff=agency_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats",
        ends_at=ends,
        agency_wide=True,
    )
    assert "all New York Department of Corrections facilities" in restrictions.describe(
        wide, reader=world.contact_a
    )
    assert Restriction.objects.count() == 1
    with pytest.raises(PermissionDenied):
        restrictions.lift(staff=world.facility_admin, restriction_id=wide.pk, reason="No")
    with pytest.raises(NotFound):
        restrictions.lift(staff=other_admin, restriction_id=wide.pk, reason="No")


def test_an_agency_wide_restriction_covers_the_agencys_other_facilities(world):
    sister = t.make_facility("sing-sing", agency=world.facility_1.agency, name="Sing Sing")
    there = t.make_resident(sister, "NY3003", first_name="Luis", last_name="Vega")
    t.connect(world.contact_a, there)
    agency_admin = t.make_staff("chief", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    restrictions.impose(
        staff=agency_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="revocation",
        reason="Smuggling",
        agency_wide=True,
    )
    connection = world.contact_a.connections.get(resident=there)
    with pytest.raises(PermissionDenied):
        messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")


# --- the policy ------------------------------------------------------------------------------


def test_a_new_policy_version_takes_over_and_the_old_one_stays_in_the_history(world):
    assert policies.in_force(world.facility_1).pk is None  # the defaults
    assert policies.in_force(world.facility_1).violations_to_suspend == 3
    first = policies.add(
        staff=world.facility_admin, facility=world.facility_1, violations_to_suspend=5
    )
    second = policies.add(
        staff=world.facility_admin,
        facility=world.facility_1,
        revoke_at_once=["escape"],
        suspend_at_once=["harassment"],
    )
    assert policies.in_force(world.facility_1) == second
    assert second.violations_to_suspend == 5  # kept from the version before
    assert policies.history(world.facility_1) == [second, first]
    assert AuditEvent.objects.filter(action="enforcement_policy.added").count() == 2
    block(world, reason="escape")
    assert Restriction.objects.get().kind == "revocation"
    assert Restriction.objects.get().policy == second


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"violations_to_suspend": -1}, "violations_to_suspend"),
        ({"suspension_days": 0}, "suspension_days"),
        ({"violation_window_days": "30"}, "violation_window_days"),
        ({"revoke_at_once": ["smuggling"]}, "revoke_at_once"),
        ({"on_the_way": "lost"}, "on_the_way"),
        ({"revoke_at_once": ["escape"]}, "revoke_at_once"),  # escape already suspends at once
    ],
)
def test_a_wrong_policy_is_refused_field_by_field_and_nothing_is_saved(world, fields, field):
    with pytest.raises(policies.InvalidPolicy) as refused:
        policies.add(staff=world.facility_admin, facility=world.facility_1, **fields)
    assert field in refused.value.errors
    assert not EnforcementPolicy.objects.exists()


def test_only_the_facilitys_admins_set_its_policy(world):
    other_admin = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    for staff in (world.reviewer_1, world.investigator, other_admin):
        with pytest.raises(NotFound):
            policies.add(staff=staff, facility=world.facility_1, suspension_days=5)
    assert not EnforcementPolicy.objects.exists()


def test_a_suspension_lifted_early_stops_counting_when_its_violation_is_voided(world):
    message = block(world, body="Meet me by the fence", reason="escape")
    suspension = Restriction.objects.get()
    restrictions.lift(staff=world.facility_admin, restriction_id=suspension.pk, reason="Early")
    services.void(violation_id=message.violation.pk, actor=world.facility_admin, reason="Wrong")
    suspension.refresh_from_db()
    assert suspension.undone  # it no longer counts toward a revocation


def test_what_stops_many_connections_is_read_at_once_and_each_gets_its_own(world):
    """``on_each`` (one query for a contact's whole inbox) gives every connection what
    stops it: a connection's own stop, a resident's, a contact's at one facility or across
    its agency (not in another agency), the longest of several, none once lifted or not
    begun; ``on`` says the same of each alone."""
    sister = t.make_facility("sing-sing", agency=world.facility_1.agency, name="Sing Sing")
    there = t.make_resident(sister, "NY3003", first_name="Luis", last_name="Vega")
    other = t.make_resident(sister, "NY3004", first_name="Ana", last_name="Vega")
    at_sister = t.connect(world.contact_a, there)
    far = t.connect(world.contact_a, world.resident_2)  # the other agency's facility
    b_home = t.connect(world.contact_b, world.resident)
    b_sister = t.connect(world.contact_b, other)
    a_home = world.contact_a.connections.get(resident=world.resident)
    chief = t.make_staff("chief", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    admin_2 = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    soon, later = clock.now() + dt.timedelta(days=2), clock.now() + dt.timedelta(days=10)
    agency_wide = restrictions.impose(
        staff=chief,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats",
        ends_at=later,
        agency_wide=True,
    )
    shorter = t.suspend(world.facility_admin, world.facility_1, a_home, ends_at=soon)
    resident_2 = t.suspend(admin_2, world.facility_2, world.resident_2, ends_at=later)
    own = t.suspend(chief, sister, b_sister, ends_at=later)  # contact_b and Ana only
    lifted = t.suspend(world.facility_admin, world.facility_1, world.resident, ends_at=later)
    restrictions.lift(staff=world.facility_admin, restriction_id=lifted.pk, reason="Error")
    t.suspend(
        world.facility_admin,
        world.facility_1,
        world.contact_b,
        starts_at=later,
        ends_at=later + dt.timedelta(days=1),
    )
    expected = {
        at_sister.pk: agency_wide,
        far.pk: resident_2,  # contact_a's agency-wide stop is not the other agency's
        b_home.pk: None,  # lifted, and not begun
        b_sister.pk: own,
        a_home.pk: agency_wide,  # it lasts longer than the connection's own
    }
    links = [at_sister, far, b_home, b_sister, a_home]
    assert restrictions.on_each(links) == expected
    assert {link.pk: restrictions.on(link) for link in links} == expected
    assert shorter.pk not in {r.pk for r in expected.values() if r}
    assert restrictions.on_each([]) == {}
