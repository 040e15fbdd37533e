"""Watch lists: whoever is on one has every message read by a person, whatever the
facility's review mode, until the watch expires or is ended; reviewers and admins of the
facility keep the list from the console."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError, NotFound
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import client_for
from homeward.review import watches
from homeward.review.models import ReviewTask, Watch

DAY = dt.timedelta(days=1)


@pytest.fixture
def automatic(world):  # type: ignore[no-untyped-def]
    """Greenhaven screens automatically: a clear message is delivered without a person."""
    policy = world.facility_1.policy
    policy.review_mode = "automatic"
    policy.save()
    return world


def send(world, body: str = "See you Sunday") -> Message:  # type: ignore[no-untyped-def]
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body=body)
    return sent.message


def watch_ana(world, days: int = 30) -> Watch:  # type: ignore[no-untyped-def]
    return watches.add(
        staff=world.reviewer_1,
        facility=world.facility_1,
        subject=world.contact_a,
        reason="Tip from the unit",
        expires_at=clock.now() + days * DAY,
    )


def test_a_watched_contacts_messages_go_to_a_reviewer_until_the_watch_expires(automatic, run_jobs):
    world = automatic
    first = send(world)
    run_jobs()
    assert Message.objects.get(pk=first.pk).status == Message.Status.DELIVERED
    watch = watch_ana(world, days=7)
    watched = send(world)
    run_jobs()
    assert Message.objects.get(pk=watched.pk).status == Message.Status.IN_REVIEW
    assert ReviewTask.objects.get(message=watched).reason == "watched"
    with clock.frozen_at(watch.expires_at + dt.timedelta(minutes=1)):
        later = send(world)
        run_jobs()
    assert Message.objects.get(pk=later.pk).status == Message.Status.DELIVERED


def test_an_ended_watch_stops_at_once_and_every_step_is_audited(automatic, run_jobs):
    world = automatic
    watch = watch_ana(world)
    watches.end(staff=world.facility_admin, watch_id=watch.pk)
    sent = send(world)
    run_jobs()
    assert Message.objects.get(pk=sent.pk).status == Message.Status.DELIVERED
    actions = list(
        AuditEvent.objects.filter(action__startswith="watch.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["watch.added", "watch.ended"]


def test_a_resident_on_the_watch_list_has_their_replies_read_too(automatic, run_jobs):
    world = automatic
    watches.add(
        staff=world.reviewer_1,
        facility=world.facility_1,
        subject=world.resident,
        reason="Investigation",
        expires_at=clock.now() + DAY,
    )
    connection = world.contact_a.connections.get()
    reply = messaging.send_message(sender=world.resident, connection_id=connection.pk, body="Hi")
    run_jobs()
    assert Message.objects.get(pk=reply.message.pk).status == Message.Status.IN_REVIEW


def test_watches_that_make_no_sense_or_come_from_outside_are_refused(world):
    for staff in (world.reviewer_2, world.investigator):
        with pytest.raises(NotFound):
            watches.add(
                staff=staff,
                facility=world.facility_1,
                subject=world.contact_a,
                reason="x",
                expires_at=clock.now() + DAY,
            )
    for reason, expires, code in (
        (" ", clock.now() + DAY, "reason_required"),
        ("x", clock.now() - DAY, "expires_in_past"),
        ("x", clock.now() + 400 * DAY, "too_long"),
    ):
        with pytest.raises(DomainError) as refused:
            watches.add(
                staff=world.reviewer_1,
                facility=world.facility_1,
                subject=world.contact_a,
                reason=reason,
                expires_at=expires,
            )
        assert refused.value.code == code
    assert not Watch.objects.exists()


def test_a_reviewer_keeps_the_list_from_the_contacts_page(world):
    reviewer = client_for(world.reviewer_1)
    until = (clock.now() + 10 * DAY).date().isoformat()
    page = reviewer.post(
        f"/console/contacts/{world.contact_a.pk}/watch/",
        {"expires_on": until, "reason": "<b>Tip</b> from the unit"},
        follow=True,
    ).content.decode()
    watch = Watch.objects.get()
    assert "On the watch list" in page and f'id="watch-{watch.pk}"' in page
    assert "&lt;b&gt;Tip&lt;/b&gt;" in page and "<b>Tip</b>" not in page
    # An investigator reads it but may not change it; another facility sees nothing.
    assert (
        client_for(world.investigator).post(f"/console/watches/{watch.pk}/end/").status_code == 403
    )
    assert client_for(world.reviewer_2).post(f"/console/watches/{watch.pk}/end/").status_code == 404
    assert (
        client_for(world.reviewer_2)
        .post(
            f"/console/contacts/{world.contact_a.pk}/watch/", {"expires_on": until, "reason": "x"}
        )
        .status_code
        == 404
    )
    watch.refresh_from_db()
    assert watch.ended_at is None and Watch.objects.count() == 1
    reviewer.post(f"/console/watches/{watch.pk}/end/")
    watch.refresh_from_db()
    assert watch.ended_by == world.reviewer_1


def test_a_connection_on_the_watch_list_leaves_the_contacts_other_connections_alone(
    automatic, run_jobs
):
    world = automatic
    rosa = t.make_resident(world.facility_1, "NY1002", first_name="Rosa", last_name="Diaz")
    other = t.connect(world.contact_a, rosa)
    maria = world.contact_a.connections.get(resident=world.resident)
    watches.add(
        staff=world.reviewer_1,
        facility=world.facility_1,
        subject=maria,
        reason="Relay suspected",
        expires_at=clock.now() + DAY,
    )
    to_maria = messaging.send_message(sender=world.contact_a, connection_id=maria.pk, body="Hi")
    to_rosa = messaging.send_message(sender=world.contact_a, connection_id=other.pk, body="Hi")
    run_jobs()
    assert Message.objects.get(pk=to_maria.message.pk).status == Message.Status.IN_REVIEW
    assert Message.objects.get(pk=to_rosa.message.pk).status == Message.Status.DELIVERED
