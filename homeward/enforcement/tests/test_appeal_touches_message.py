"""An appeal changes what its message shows (its appeal, then the outcome): the message's
``updated_at`` moves, so an app syncing with ``updated_after`` sees it."""

from __future__ import annotations

import datetime as dt

from homeward.core import clock
from homeward.enforcement import appeals
from homeward.jobs import services as jobs
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.review import services as review
from homeward.review.models import ReviewTask

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_appealing_and_upholding_move_the_messages_updated_at(world):
    connection = world.contact_a.connections.get()
    with clock.frozen_at(T0):
        message = messaging.send_message(
            sender=world.contact_a, connection_id=connection.pk, body="a gram"
        ).message
        jobs.run_pending("test")
        task = ReviewTask.objects.get(message=message)
        review.claim(staff=world.reviewer_1, task_id=task.pk)
        review.decide(
            staff=world.reviewer_1, task_id=task.pk, decision="block", reason_code="drugs"
        )
    with clock.frozen_at(T0 + dt.timedelta(hours=1)):
        appeal = appeals.appeal_message(
            appellant=world.contact_a, message_id=message.pk, statement="It was a recipe"
        )
    assert Message.objects.get(pk=message.pk).updated_at == T0 + dt.timedelta(hours=1)
    with clock.frozen_at(T0 + dt.timedelta(hours=2)):
        appeals.decide(
            staff=world.facility_admin, appeal_id=appeal.pk, outcome="upheld", reason="It stands"
        )
    assert Message.objects.get(pk=message.pk).updated_at == T0 + dt.timedelta(hours=2)
