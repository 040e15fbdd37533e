"""Retention and legal holds: with a 30-day period the daily job removes the text of older
messages whose journey ended, everywhere it was kept (a planted marker is found nowhere
afterwards), and leaves a tombstone; holds on a resident, a contact, a connection or a case
stop it until released; only agency admins set the period and holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import NotFound
from homeward.core.models import AuditEvent
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.monitoring import cases, retention
from homeward.monitoring.models import Entity, LegalHold, Mention, SearchDocument
from homeward.notifications.models import Notification
from homeward.people.models import StaffMembership
from homeward.personas import client_for
from homeward.review import intake
from homeward.review import services as review
from homeward.review.models import ReviewTask, ScreeningResult
from homeward.screening.models import Rule

Role = StaffMembership.Role
MARKER = "Zqxmarker"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def send(world, body: str, *, at: dt.datetime, deliver: bool = True) -> Message:
    """A message from Ana to Maria written at ``at``: delivered (approved by the reviewer,
    as Greenhaven reviews everything) unless ``deliver`` is False (still in review)."""
    conversation = world.contact_a.connections.get(resident=world.resident)
    with clock.frozen_at(at):
        message = messaging.send_message(
            sender=world.contact_a, connection_id=conversation.pk, body=body
        ).message
        intake.screen_and_route(message_id=message.pk)
        if deliver:
            task = ReviewTask.objects.get(message=message)
            review.claim(staff=world.reviewer_1, task_id=task.pk)
            review.decide(staff=world.reviewer_1, task_id=task.pk, decision="approve")
            jobs.run_pending("test")
    message.refresh_from_db()
    return message


@pytest.fixture
def kept(world):
    agency = world.facility_1.agency
    Rule.objects.create(pattern="maple avenue", category="relay", action="flag")
    world.old = send(
        world,
        f"The {MARKER} is at 4415 Maple Avenue, call (512) 555-0143.",
        at=NOW - dt.timedelta(days=40),
    )
    world.old_pending = send(
        world, f"{MARKER} still waiting", at=NOW - dt.timedelta(days=40), deliver=False
    )
    world.recent = send(world, f"A recent {MARKER}.", at=NOW - dt.timedelta(days=10))
    assert world.old.status == world.recent.status == Message.Status.DELIVERED
    assert world.old_pending.status == Message.Status.IN_REVIEW
    agency.message_retention_days = 30
    agency.save()
    world.agency = agency
    world.admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=agency)
    return world


def holding(marker: str) -> list[str]:
    """Every table column (and the search index) that still holds ``marker``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                values = model.objects.values_list(field.name, flat=True)
                if any(marker.lower() in str(v).lower() for v in values):
                    found.append(f"{model._meta.db_table}.{field.column}")
            elif (
                isinstance(field, models.CharField | models.TextField)
                and model.objects.filter(**{f"{field.name}__icontains": marker}).exists()
            ):
                found.append(f"{model._meta.db_table}.{field.column}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM monitoring_fts WHERE text LIKE %s", [f"%{marker}%"]
            )
            if cursor.fetchone()[0]:
                found.append("monitoring_fts")
    return found


def test_old_text_is_removed_everywhere_and_a_tombstone_left(kept):
    w = kept
    assert Mention.objects.filter(message=w.old).exists()
    assert any("text" in hit for hit in ScreeningResult.objects.get(message=w.old).hits)
    removed = retention.run(agency_id=w.agency.pk, now=NOW)
    assert removed == 1
    w.old.refresh_from_db()
    assert w.old.content_removed_at == NOW
    assert w.old.body.startswith("(The text of this message was removed on 2026-06-01")
    assert "keeps message text for 30 days" in w.old.body
    assert w.old.status in retention.ENDED and w.old.created_at == NOW - dt.timedelta(days=40)
    # Nothing holds the old text now, though the recent and pending messages still do.
    everywhere = holding("4415 maple")
    assert everywhere == [], everywhere
    assert not SearchDocument.objects.filter(message=w.old).exists()
    assert not Mention.objects.filter(message=w.old).exists()
    assert not Entity.objects.filter(value="5125550143").exists()
    result = ScreeningResult.objects.get(message=w.old)
    assert result.verdict == "flag" and result.categories and result.hits
    assert all(set(hit) <= retention.KEPT_OF_A_HIT for hit in result.hits)
    w.recent.refresh_from_db()
    w.old_pending.refresh_from_db()
    assert MARKER in w.recent.body and MARKER in w.old_pending.body
    event = AuditEvent.objects.get(action="message.content_removed")
    assert event.data["messages"] == 1 and event.data["days"] == 30
    assert retention.run(agency_id=w.agency.pk, now=NOW) == 0  # nothing twice


def test_the_marker_is_gone_once_every_message_is_past_the_period(kept):
    w = kept
    later = NOW + dt.timedelta(days=60)
    with clock.frozen_at(later):
        messaging.return_pending_messages(connection=w.old_pending.connection, reason="Ended")
    # The period counts from the end of a journey: the message returned today is kept.
    retention.run(agency_id=w.agency.pk, now=later)
    w.old_pending.refresh_from_db()
    assert MARKER in w.old_pending.body
    retention.run(agency_id=w.agency.pk, now=later + dt.timedelta(days=31))
    assert holding(MARKER) == []


@pytest.mark.parametrize("kind", ["resident", "contact", "connection", "case"])
def test_a_hold_stops_removal_until_released(kept, kind):
    w = kept
    subject = {
        "resident": w.resident,
        "contact": w.contact_a,
        "connection": w.old.connection,
        "case": None,
    }[kind]
    if kind == "case":
        subject = cases.open_case(staff=w.investigator, agency=w.agency, name="Tip", reason="r")
        cases.add_messages(staff=w.investigator, case=subject, message_ids=[w.old.pk])
    hold = retention.place_hold(staff=w.admin, agency=w.agency, subject=subject, reason="Lawsuit")
    assert retention.run(agency_id=w.agency.pk, now=NOW) == 0
    w.old.refresh_from_db()
    assert MARKER in w.old.body
    assert retention.outlook(w.agency, NOW).held == 1
    retention.release_hold(staff=w.admin, hold=hold, reason="Settled")
    assert retention.run(agency_id=w.agency.pk, now=NOW) == 1
    assert {e.action for e in AuditEvent.objects.filter(object_type="legalhold")} == {
        "legal_hold.placed",
        "legal_hold.released",
    }


def test_the_daily_job_removes_and_comes_back_tomorrow(kept, run_jobs):
    w = kept
    with clock.frozen_at(NOW):
        retention.set_period(staff=w.admin, agency=w.agency, days=30)
        assert Job.objects.filter(kind=retention.JOB, status=Job.Status.QUEUED).count() == 1
        # Families' warnings start with the period too.
        assert Job.objects.filter(kind="warn_before_removal", status=Job.Status.QUEUED).exists()
        run_jobs()
    w.old.refresh_from_db()
    assert w.old.content_removed_at is not None
    waiting = Job.objects.get(kind=retention.JOB, status=Job.Status.QUEUED)
    assert waiting.run_after == NOW + dt.timedelta(days=1)
    # Setting the period again does not queue a second job.
    with clock.frozen_at(NOW):
        retention.set_period(staff=w.admin, agency=w.agency, days=45)
    assert Job.objects.filter(kind=retention.JOB, status=Job.Status.QUEUED).count() == 1


def test_an_agency_without_a_period_keeps_everything(kept):
    w = kept
    w.agency.message_retention_days = None
    w.agency.save()
    assert retention.run(agency_id=w.agency.pk, now=NOW + dt.timedelta(days=999)) == 0


def test_the_console_page_for_agency_admins(kept):
    w = kept
    with clock.frozen_at(NOW):
        client = client_for(w.admin)
        page = client.get("/console/retention/").content.decode()
        assert "kept for <strong>30 days</strong>" in page
        assert "The next run removes the text of 1 message" in page
        response = client.post(
            f"/console/retention/{w.agency.pk}/holds/",
            {"kind": "resident", "subject": "ny1001", "reason": "Court order 12"},
            follow=True,
        )
        assert "The hold is placed" in response.content.decode()
        hold = LegalHold.objects.get()
        assert hold.resident == w.resident and hold.placed_by == w.admin
        response = client.post(
            f"/console/retention/{w.agency.pk}/holds/",
            {"kind": "resident", "subject": "TX2002", "reason": "Not ours"},
            follow=True,
        )
        assert "No resident “TX2002”" in response.content.decode()
        assert LegalHold.objects.count() == 1  # another agency's resident is not found
        page = client.get("/console/retention/").content.decode()
        assert "1 message past the period is kept under a hold" in page
        client.post(f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "90"})
        w.agency.refresh_from_db()
        assert w.agency.message_retention_days == 90
        client.post(f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "0"})
        w.agency.refresh_from_db()
        assert w.agency.message_retention_days == 90  # 0 is refused
        client.post(f"/console/holds/{hold.pk}/release/", {"reason": "Order lifted"})
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_reason == "Order lifted"


@pytest.mark.parametrize("persona", ["facility_admin", "reviewer_1", "investigator"])
def test_others_cannot_set_periods_or_holds(kept, persona):
    w = kept
    hold = retention.place_hold(staff=w.admin, agency=w.agency, subject=w.resident, reason="x")
    client = client_for(getattr(w, persona))
    assert client.get("/console/retention/").status_code == 403
    assert (
        client.post(
            f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "1"}
        ).status_code
        == 403
    )
    assert client.post(f"/console/holds/{hold.pk}/release/", {"reason": "r"}).status_code == 403
    w.agency.refresh_from_db()
    hold.refresh_from_db()
    assert w.agency.message_retention_days == 30 and hold.released_at is None


def test_another_agencys_admin_cannot_release_a_hold(kept):
    w = kept
    hold = retention.place_hold(staff=w.admin, agency=w.agency, subject=w.resident, reason="x")
    theirs = t.make_staff("txadmin", role=Role.AGENCY_ADMIN, agency=w.facility_2.agency)
    client = client_for(theirs)
    assert client.post(f"/console/holds/{hold.pk}/release/", {"reason": "r"}).status_code == 404
    assert (
        client.post(
            f"/console/retention/{w.agency.pk}/period/", {f"a{w.agency.pk}-days": "1"}
        ).status_code
        == 404
    )
    hold.refresh_from_db()
    assert hold.released_at is None


def test_families_are_told_before_their_old_messages_lose_their_text(kept):
    from homeward.notifications import retention as warnings
    from homeward.notifications.models import Notification

    w = kept
    # At NOW - 20 days only the old message (then 20 days old) is within 14 days of its
    # 30-day removal: Ana is told once, whatever the runs that follow.
    then = NOW - dt.timedelta(days=20)
    with clock.frozen_at(then):
        assert warnings.warn() == 1
    with clock.frozen_at(then + dt.timedelta(days=2)):
        assert warnings.warn() == 0  # told within 7 days: not again
    told = Notification.objects.filter(event="retention_warning")
    assert told.count() == 1
    row = told.get()
    assert row.recipient == f"contact:{w.contact_a.pk}"
    assert "keeps the text of messages for 30 days" in row.body
    assert "download your archive" in row.body and "/account/archive/" in row.body
    assert MARKER not in row.body  # an email never carries a message's words
    with clock.frozen_at(then + dt.timedelta(days=31)):
        assert warnings.warn() == 1  # a month on, still due: told again
    # Before anything is due within 14 days, nobody is told.
    Notification.objects.all().delete()
    with clock.frozen_at(NOW - dt.timedelta(days=30)):
        assert warnings.warn() == 0


def test_the_facility_page_names_the_period(kept):
    from django.test import Client

    page = Client().get("/facilities/greenhaven/").content.decode()
    assert "keeps the text of messages for 30 days, then removes it" in page
    kept.agency.message_retention_days = None
    kept.agency.save()
    page = Client().get("/facilities/greenhaven/").content.decode()
    assert "keeps messages with no end date set" in page


def test_a_hold_on_something_else_does_not_stop_removal(kept):
    """A hold on an empty case (its resident, contact and connection columns empty) once
    made every message of the agency count as held."""
    w = kept
    empty = cases.open_case(staff=w.investigator, agency=w.agency, name="Empty", reason="r")
    retention.place_hold(staff=w.admin, agency=w.agency, subject=empty, reason="Suit")
    other = t.make_resident(w.facility_1, "NY5005")
    retention.place_hold(staff=w.admin, agency=w.agency, subject=other, reason="Suit")
    assert retention.outlook(w.agency, NOW).held == 0
    assert retention.run(agency_id=w.agency.pk, now=NOW) == 1


def test_a_block_under_appeal_keeps_its_text(kept):
    from homeward.enforcement import appeals

    w = kept
    with clock.frozen_at(NOW - dt.timedelta(days=40)):
        blocked = messaging.send_message(
            sender=w.contact_a,
            connection_id=w.old.connection_id,
            body=f"{MARKER} appealed",
        ).message
        intake.screen_and_route(message_id=blocked.pk)
        task = ReviewTask.objects.get(message=blocked)
        review.claim(staff=w.reviewer_1, task_id=task.pk)
        review.decide(staff=w.reviewer_1, task_id=task.pk, decision="block", reason_code="drugs")
        appeals.appeal_message(appellant=w.contact_a, message_id=blocked.pk, statement="No")
    retention.run(agency_id=w.agency.pk, now=NOW)
    blocked.refresh_from_db()
    assert blocked.status == Message.Status.BLOCKED and MARKER in blocked.body


def test_a_new_period_removes_nothing_until_families_were_told(kept, run_jobs):
    """An agency with no period sets 30 days: text already older is kept for 14 days while
    the contacts are emailed, then removed."""
    w = kept
    w.agency.message_retention_days = None
    w.agency.save()
    with clock.frozen_at(NOW):
        retention.set_period(staff=w.admin, agency=w.agency, days=30)
        run_jobs()
        page = client_for(w.admin).get("/console/retention/").content.decode()
    assert "The period takes effect on June 15, 2026, 12:00 PM UTC" in page
    w.old.refresh_from_db()
    assert MARKER in w.old.body
    told = Notification.objects.filter(event="retention_warning")
    assert [row.recipient for row in told] == [f"contact:{w.contact_a.pk}"]
    assert retention.run(agency_id=w.agency.pk, now=NOW + dt.timedelta(days=13)) == 0
    assert retention.run(agency_id=w.agency.pk, now=NOW + dt.timedelta(days=14)) == 1
    # Lengthening the period needs no wait; shortening it waits again.
    with clock.frozen_at(NOW + dt.timedelta(days=20)):
        retention.set_period(staff=w.admin, agency=w.agency, days=60)
        w.agency.refresh_from_db()
        assert w.agency.removal_starts_at == NOW + dt.timedelta(days=14)
        retention.set_period(staff=w.admin, agency=w.agency, days=20)
        w.agency.refresh_from_db()
        assert w.agency.removal_starts_at == NOW + dt.timedelta(days=34)


def test_a_block_is_kept_while_it_can_be_appealed(kept):
    """A block's text stays through the facility's appeal window (14 days), so an appeal
    upheld later can still deliver what was written."""
    w = kept
    task = ReviewTask.objects.get(message=w.old_pending)
    with clock.frozen_at(NOW - dt.timedelta(days=40)):
        review.claim(staff=w.reviewer_1, task_id=task.pk)
        review.decide(staff=w.reviewer_1, task_id=task.pk, decision="block", reason_code="drugs")
    blocked = Message.objects.get(pk=w.old_pending.pk)
    assert blocked.status == Message.Status.BLOCKED

    def due(at: dt.datetime) -> bool:
        return retention.due(w.agency, at).filter(pk=blocked.pk).exists()

    # Blocked 40 days ago: past both the period and the window.
    assert due(NOW)
    # A 5-day period: 10 days after the block it is past the period, not the window.
    w.agency.message_retention_days = 5
    w.agency.save()
    Message.objects.filter(pk=blocked.pk).update(blocked_at=NOW - dt.timedelta(days=10))
    assert not due(NOW)
    assert due(NOW + dt.timedelta(days=5))  # the 14-day window has closed


def test_only_the_agencys_admins_set_periods_and_holds_even_through_the_services(kept):
    w = kept
    for staff in (w.facility_admin, w.investigator):
        with pytest.raises(NotFound):
            retention.set_period(staff=staff, agency=w.agency, days=1)
        with pytest.raises(NotFound):
            retention.place_hold(staff=staff, agency=w.agency, subject=w.resident, reason="x")
    # Nothing of another agency is held from here.
    with pytest.raises(NotFound):
        retention.place_hold(staff=w.admin, agency=w.agency, subject=w.resident_2, reason="x")
    w.agency.refresh_from_db()
    assert w.agency.message_retention_days == 30 and not LegalHold.objects.exists()


def test_a_hold_names_exactly_the_one_thing_its_kind_says(kept):
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.create(
            agency=kept.agency,
            kind="resident",
            reason="x",
            placed_by=kept.admin,
            placed_at=NOW,
        )
