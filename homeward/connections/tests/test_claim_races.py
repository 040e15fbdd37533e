"""Claiming invitations under real parallelism (PostgreSQL): a contact whose address was
invited, asking to connect with the same resident at the moment the invitation is claimed
(the facility let residents invite, and now lets contacts ask), ends with one connection and
no error from the database."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection as db

from homeward import builders as t
from homeward.connections import services
from homeward.connections.models import Connection
from homeward.jobs.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def test_asking_to_connect_while_the_invitation_is_claimed_leaves_one_connection(monkeypatch):
    facility = t.make_facility("greenhaven", policy={"connection_policy": "resident_invites"})
    resident = t.make_resident(facility, "NY1001")
    services.invite_contact(resident=resident, email="ben@example.org")
    policy = facility.policy
    policy.connection_policy = "contact_requests"
    policy.save()
    ben = t.make_contact("ben@example.org", name="Ben Ortiz")
    claiming = threading.Event()
    save = Connection.save

    def saving(self, *args, **kwargs):  # the claim, inside its transaction: a pause
        if kwargs.get("update_fields") == ["contact"]:
            claiming.set()
            time.sleep(0.5)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "save", saving)

    def run(i: int) -> object:
        if i == 0:
            return services.claim_invitations(contact=ben)
        assert claiming.wait(10)
        return services.request_connection(contact=ben, facility=facility, number="NY1001")

    claimed, asked = in_threads(2, run)
    assert claimed == 1, claimed
    assert not isinstance(asked, Exception), asked
    assert Connection.objects.filter(resident=resident).count() == 1
    assert Connection.objects.get(resident=resident).contact == ben
