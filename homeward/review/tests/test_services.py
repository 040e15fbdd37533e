"""The review queue (review/services.py): a task is due within the facility's business
hours, a reviewer holds it under a lease that nobody else can take until it runs out, and
the decision moves the message on. A task outside the reviewer's facilities is not found,
and nothing about it changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.core.models import AuditEvent
from homeward.jobs.models import Job
from homeward.ledger import charges
from homeward.ledger import services as ledger
from homeward.ledger.models import Account
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership, User
from homeward.review import services as review
from homeward.review.intake import screen_and_route
from homeward.review.models import ReviewTask
from homeward.review.selectors import live_holder, queue_counts

if TYPE_CHECKING:
    from homeward.personas import World

S = Message.Status
LEASE = dt.timedelta(seconds=settings.REVIEW_LEASE_SECONDS)


def in_review(world: World, body: str = "See you Sunday") -> ReviewTask:
    """A message from Ana to Maria, screened clear and waiting for a reviewer (Greenhaven
    reviews everything)."""
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body=body
    ).message
    screen_and_route(message_id=message.pk)
    return ReviewTask.objects.get(message=message)


def snapshot(task: ReviewTask) -> tuple[object, ...]:
    task = ReviewTask.objects.get(pk=task.pk)
    message = Message.objects.get(pk=task.message_id)
    return (
        task.status,
        task.claimed_by_id,
        task.lease_until,
        task.decision,
        message.status,
        AuditEvent.objects.count(),
        Job.objects.count(),
    )


# --- due times --------------------------------------------------------------------------


def next_weekday(weekday: int, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The next given weekday (0 is Monday), at least a week away, facility-local."""
    today = clock.now().astimezone(zone).date()
    day = today + dt.timedelta(days=(weekday - today.weekday()) % 7 + 7)
    return dt.datetime.combine(day, at, zone)


def test_a_task_opened_late_on_friday_is_due_on_monday_in_business_hours(world: World) -> None:
    zone = ZoneInfo(world.facility_1.timezone)
    friday_4pm = next_weekday(4, dt.time(16), zone)
    message = Message.objects.get(pk=in_review(world).message_id)
    ReviewTask.objects.all().delete()
    with clock.frozen_at(friday_4pm):
        task = review.open_task(message=message, reason=ReviewTask.Reason.ALL)
    # 8 working hours: 16:00–17:00 on Friday, then 08:00–15:00 on Monday.
    monday_3pm = dt.datetime.combine(friday_4pm.date() + dt.timedelta(days=3), dt.time(15), zone)
    assert task.due_at == monday_3pm
    assert task.created_at == friday_4pm
    assert task.reason == ReviewTask.Reason.ALL and task.status == ReviewTask.Status.OPEN


def test_a_holiday_pushes_the_due_time_a_working_day_later(world: World) -> None:
    zone = ZoneInfo(world.facility_1.timezone)
    friday_4pm = next_weekday(4, dt.time(16), zone)
    monday = friday_4pm.date() + dt.timedelta(days=3)
    policy = world.facility_1.policy
    policy.holidays = [monday.isoformat()]
    policy.review_target_hours = 2
    policy.save()
    message = Message.objects.get(pk=in_review(world).message_id)
    ReviewTask.objects.all().delete()
    with clock.frozen_at(friday_4pm):
        task = review.open_task(message=message, reason=ReviewTask.Reason.ALL)
    tuesday_9am = dt.datetime.combine(monday + dt.timedelta(days=1), dt.time(9), zone)
    assert task.due_at == tuesday_9am


def test_opening_a_task_again_keeps_the_first(world: World) -> None:
    task = in_review(world)
    with clock.frozen_at(clock.now() + dt.timedelta(days=30)):
        again = review.open_task(message=task.message, reason=ReviewTask.Reason.FLAGGED)
    assert again.pk == task.pk
    assert (again.due_at, again.reason) == (task.due_at, ReviewTask.Reason.ALL)
    assert ReviewTask.objects.count() == 1


def next_task(staff: User) -> int | None:
    """The id of the task ``claim_next`` gives the staff member, if any."""
    task = review.claim_next(staff=staff)
    return task.pk if task else None


# --- claims under a lease ---------------------------------------------------------------


@pytest.fixture
def colleague(world: World) -> User:
    """A second reviewer at Greenhaven."""
    return t.make_staff("rev1b", role=StaffMembership.Role.REVIEWER, facility=world.facility_1)


def test_a_claim_holds_the_task_for_the_lease(world: World) -> None:
    task = in_review(world)
    now = clock.now()
    with clock.frozen_at(now):
        held = review.claim(staff=world.reviewer_1, task_id=task.pk)
    assert held.claimed_by == world.reviewer_1
    assert held.lease_until == now + LEASE
    assert live_holder(held, now=now) == world.reviewer_1
    assert AuditEvent.objects.filter(action="review.claimed", object_id=str(task.pk)).count() == 1


def test_a_second_reviewer_cannot_take_a_held_task(world: World, colleague: User) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    before = snapshot(task)
    with pytest.raises(Conflict) as err:
        review.claim(staff=colleague, task_id=task.pk)
    assert err.value.code == "already_claimed"
    assert snapshot(task) == before


def test_claiming_again_renews_the_lease(world: World) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    later = clock.now() + LEASE / 2
    with clock.frozen_at(later):
        renewed = review.claim(staff=world.reviewer_1, task_id=task.pk)
    assert renewed.lease_until == later + LEASE
    assert AuditEvent.objects.filter(action="review.claimed").count() == 1


def test_after_the_lease_runs_out_another_reviewer_may_take_it_and_decide(
    world: World,
    colleague: User,
) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    with clock.frozen_at(clock.now() + LEASE + dt.timedelta(seconds=1)):
        assert live_holder(ReviewTask.objects.get(pk=task.pk), now=clock.now()) is None
        taken = review.claim(staff=colleague, task_id=task.pk)
        assert taken.claimed_by == colleague
        with pytest.raises(Conflict) as err:  # the first reviewer's lease is gone
            review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
        assert err.value.code == "not_claimed"
        review.decide(staff=colleague, task_id=task.pk, decision="approve")
    assert ReviewTask.objects.get(pk=task.pk).decided_by == colleague


def test_a_reviewer_whose_lease_ran_out_cannot_decide(world: World) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    later = clock.now() + LEASE + dt.timedelta(seconds=1)
    with clock.frozen_at(later), pytest.raises(Conflict) as err:
        review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    assert err.value.code == "not_claimed"
    assert Message.objects.get(pk=task.message_id).status == S.IN_REVIEW


def test_claim_next_takes_the_task_due_first_and_skips_held_ones(
    world: World,
    colleague: User,
) -> None:
    first, second, third = (in_review(world, f"Message {n}") for n in range(3))
    ReviewTask.objects.filter(pk=third.pk).update(due_at=first.due_at - dt.timedelta(hours=1))
    assert next_task(world.reviewer_1) == third.pk
    assert next_task(colleague) == first.pk
    assert next_task(world.reviewer_1) == second.pk
    assert review.claim_next(staff=colleague) is None  # everything is held


def test_claim_next_offers_nothing_from_another_facility(world: World) -> None:
    in_review(world)
    assert review.claim_next(staff=world.reviewer_2) is None
    assert review.claim_next(staff=world.investigator) is None  # investigators do not review
    assert not ReviewTask.objects.filter(claimed_by__isnull=False).exists()


def test_release_gives_the_task_back_to_the_queue(world: World, colleague: User) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.release(staff=colleague, task_id=task.pk)  # not theirs to give back: no change
    assert ReviewTask.objects.get(pk=task.pk).claimed_by == world.reviewer_1
    review.release(staff=world.reviewer_1, task_id=task.pk)
    released = ReviewTask.objects.get(pk=task.pk)
    assert (released.claimed_by, released.lease_until) == (None, None)
    assert AuditEvent.objects.filter(action="review.released").count() == 1
    assert next_task(colleague) == task.pk


def test_a_decided_task_cannot_be_claimed(world: World, colleague: User) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    with pytest.raises(Conflict) as err:
        review.claim(staff=colleague, task_id=task.pk)
    assert err.value.code == "already_decided"
    assert review.claim_next(staff=colleague) is None


# --- decisions --------------------------------------------------------------------------


def test_approving_sends_the_message_on_to_the_resident(
    world: World, run_jobs: Callable[[], int]
) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    decided = review.decide(
        staff=world.reviewer_1,
        task_id=task.pk,
        decision="approve",
        reason_code="drugs",  # ignored: an approval has no reason
        note="  Fine.  ",
    )
    assert decided.status == ReviewTask.Status.DONE
    assert (decided.decision, decided.reason_code, decided.note) == ("approve", "", "Fine.")
    assert decided.decided_by == world.reviewer_1 and decided.lease_until is None
    assert Message.objects.get(pk=task.message_id).status == S.APPROVED
    run_jobs()
    assert Message.objects.get(pk=task.message_id).status == S.DELIVERED
    event = AuditEvent.objects.get(action="review.approve")
    assert event.data == {"message": task.message_id, "reason": "", "note": "Fine."}


def test_blocking_records_the_reason_and_refunds_the_sender(stamps: World) -> None:
    t.pay_in(stamps.contact_a, stamps.facility_1, 500)
    wallet = charges.wallet(stamps.contact_a, stamps.facility_1)
    paid = Account.objects.get(pk=wallet.pk).balance
    task = in_review(stamps, "Bring the package")
    assert Account.objects.get(pk=wallet.pk).balance == paid - 40
    review.claim(staff=stamps.reviewer_1, task_id=task.pk)
    review.decide(
        staff=stamps.reviewer_1,
        task_id=task.pk,
        decision="block",
        reason_code="drugs",
        note="Asks for contraband",
    )
    message = Message.objects.get(pk=task.message_id)
    assert message.status == S.BLOCKED
    assert (message.block_category, message.block_note) == ("drugs", "Asks for contraband")
    assert ReviewTask.objects.get(pk=task.pk).reason_code == "drugs"
    assert Account.objects.get(pk=wallet.pk).balance == paid  # the policy refunds blocks
    revenue = ledger.balance_of(kind=Account.Kind.PLATFORM_REVENUE, facility=stamps.facility_1)
    assert revenue == 0  # the facility earned nothing from a message it did not deliver


def test_a_block_where_the_facility_keeps_the_charge_is_not_refunded(stamps: World) -> None:
    policy = stamps.facility_1.policy
    policy.refund_on_block = False
    policy.save()
    t.pay_in(stamps.contact_a, stamps.facility_1, 500)
    wallet = charges.wallet(stamps.contact_a, stamps.facility_1)
    task = in_review(stamps, "Bring the package")
    charged = Account.objects.get(pk=wallet.pk).balance
    review.claim(staff=stamps.reviewer_1, task_id=task.pk)
    review.decide(staff=stamps.reviewer_1, task_id=task.pk, decision="block", reason_code="drugs")
    assert Message.objects.get(pk=task.message_id).status == S.BLOCKED
    assert Account.objects.get(pk=wallet.pk).balance == charged
    revenue = ledger.balance_of(kind=Account.Kind.PLATFORM_REVENUE, facility=stamps.facility_1)
    assert revenue == 40


@pytest.mark.parametrize(
    ("decision", "reason_code", "note", "code"),
    [
        ("maybe", "", "", "bad_decision"),
        ("block", "", "", "reason_required"),
        ("block", "not-a-category", "", "reason_required"),
        ("approve", "", "x" * 501, "note_too_long"),
        ("block", "drugs", "x" * 501, "note_too_long"),
    ],
)
def test_a_decision_that_cannot_be_recorded_changes_nothing(
    world: World, decision: str, reason_code: str, note: str, code: str
) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    before = snapshot(task)
    with pytest.raises(DomainError) as err:
        review.decide(
            staff=world.reviewer_1,
            task_id=task.pk,
            decision=decision,
            reason_code=reason_code,
            note=note,
        )
    assert err.value.code == code
    assert snapshot(task) == before


def test_a_note_of_500_characters_is_kept_whole(world: World) -> None:
    task = in_review(world)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    note = "n" * 500
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve", note=f" {note}\n")
    assert ReviewTask.objects.get(pk=task.pk).note == note


def test_deciding_without_a_claim_or_twice_is_refused(world: World) -> None:
    task = in_review(world)
    with pytest.raises(Conflict) as err:
        review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    assert err.value.code == "not_claimed"
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
    before = snapshot(task)
    with pytest.raises(Conflict) as err:
        review.decide(
            staff=world.reviewer_1, task_id=task.pk, decision="block", reason_code="drugs"
        )
    assert err.value.code == "already_decided"
    assert snapshot(task) == before


@pytest.mark.parametrize("who", ["reviewer_2", "investigator", "contact"])
@pytest.mark.parametrize("action", ["claim", "release", "decide"])
def test_a_task_outside_the_staff_members_facilities_is_not_found(
    world: World, who: str, action: str
) -> None:
    task = in_review(world)
    if action != "claim":
        review.claim(staff=world.reviewer_1, task_id=task.pk)
    staff = {
        "reviewer_2": world.reviewer_2,
        "investigator": world.investigator,
        "contact": world.contact_a.user,
    }[who]
    before = snapshot(task)
    with pytest.raises(NotFound):
        if action == "claim":
            review.claim(staff=staff, task_id=task.pk)
        elif action == "release":
            review.release(staff=staff, task_id=task.pk)
        else:
            review.decide(staff=staff, task_id=task.pk, decision="block", reason_code="drugs")
    assert snapshot(task) == before


def test_an_unknown_task_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        review.claim(staff=world.reviewer_1, task_id=999_999)


def test_an_agency_admin_reviews_every_facility_of_the_agency(world: World) -> None:
    agency_admin = t.make_staff(
        "agency-admin", role=StaffMembership.Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    task = in_review(world)
    assert next_task(agency_admin) == task.pk


def test_the_queue_counts_open_and_overdue_tasks(world: World) -> None:
    first, second = in_review(world, "One"), in_review(world, "Two")
    review.claim(staff=world.reviewer_1, task_id=first.pk)
    review.decide(staff=world.reviewer_1, task_id=first.pk, decision="approve")
    counts = queue_counts(world.reviewer_1, now=clock.now())
    assert (counts.open, counts.overdue) == (1, 0)
    counts = queue_counts(world.reviewer_1, now=second.due_at + dt.timedelta(minutes=1))
    assert (counts.open, counts.overdue) == (1, 1)
    assert queue_counts(world.reviewer_2, now=clock.now()).open == 0
