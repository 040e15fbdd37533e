"""Each message carries its connection's resident and contact: set when it is sent, and
filled in for the messages a deployment already holds when it upgrades."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.db.migrations.executor import MigrationExecutor

from homeward import builders
from homeward.core import clock
from homeward.messaging import services
from homeward.messaging.models import Message

BEFORE = [("messaging", "0003_retention")]


def _people() -> tuple:  # type: ignore[type-arg]
    facility = builders.make_facility("people-a")
    contact = builders.make_contact("ana@people.example.org")
    builders.accept_agency_notice(contact, facility.agency)
    first = builders.connect(contact, builders.make_resident(facility, "P-1"))
    second = builders.connect(
        builders.make_contact("ben@people.example.org"), builders.make_resident(facility, "P-2")
    )
    return contact, first, second


@pytest.mark.django_db
def test_a_sent_message_names_its_connections_resident_and_contact():
    contact, first, _ = _people()
    sent = services.send_message(sender=contact, connection_id=first.pk, body="Hello there.")
    message = Message.objects.get(pk=sent.message.pk)
    assert (message.resident_id, message.contact_id) == (first.resident_id, contact.pk)


@pytest.mark.django_db(transaction=True)
def test_upgrading_fills_in_the_people_of_every_message_already_held():
    _, first, second = _people()
    executor = MigrationExecutor(db)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("messaging", "Message")
    held = [
        old.objects.create(
            connection_id=talk.pk,
            facility_id=talk.facility_id,
            direction="to_resident",
            body=f"written before the upgrade on {talk.pk}",
            status="delivered",
            created_at=clock.now(),
        ).pk
        for talk in (first, second, first)
    ]
    executor = MigrationExecutor(db)
    executor.migrate(executor.loader.graph.leaf_nodes())
    found = {m.pk: (m.resident_id, m.contact_id) for m in Message.objects.filter(pk__in=held)}
    assert found == {
        held[0]: (first.resident_id, first.contact_id),
        held[1]: (second.resident_id, second.contact_id),
        held[2]: (first.resident_id, first.contact_id),
    }
