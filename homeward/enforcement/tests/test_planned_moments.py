"""Restrictions imposed before the version that plans a job for their start and end get
those jobs when the deployment upgrades: their conversations are marked changed then too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection as db
from django.db.migrations.executor import MigrationExecutor

from homeward import builders as t
from homeward.core import clock
from homeward.enforcement import restrictions
from homeward.jobs.models import Job

BEFORE = [("enforcement", "0003_appeals")]
KIND = "restriction_begins_or_ends"


@pytest.mark.django_db(transaction=True)
def test_upgrading_plans_the_moments_of_restrictions_already_imposed(world):
    now = clock.now()
    admin, facility = world.facility_admin, world.facility_1
    later = t.suspend(
        admin,
        facility,
        world.contact_a,
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=5),
    )
    lifted = t.suspend(admin, facility, world.resident, ends_at=now + dt.timedelta(days=3))
    restrictions.lift(staff=world.facility_admin, restriction_id=lifted.pk, reason="Ok")
    # As a deployment of the version before held them: no job for their moments.
    Job.objects.filter(kind=KIND).delete()
    executor = MigrationExecutor(db)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(db)
    executor.migrate(executor.loader.graph.leaf_nodes())
    planned = sorted(
        (job.payload["restriction_id"], job.run_after, job.payload["at"], job.facility_id)
        for job in Job.objects.filter(kind=KIND)
    )
    assert planned == [
        (later.pk, later.starts_at, later.starts_at.isoformat(), world.facility_1.pk),
        (later.pk, later.ends_at, later.ends_at.isoformat(), world.facility_1.pk),
    ]
