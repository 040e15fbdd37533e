"""Admins see background jobs that gave up, and can retry them."""

from __future__ import annotations

from django.utils.html import escape

from homeward import builders as t
from homeward.core import clock
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.messaging import services as messaging
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role


def dead_job(run_jobs, facility_id: int | None) -> Job:
    """A delivery for a message that does not exist fails, and with one attempt it dies."""
    job = jobs.enqueue("deliver_message", facility_id=facility_id, message_id=987654)
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.DEAD
    return job


def test_admin_sees_dead_jobs_with_their_error_and_retries(world, run_jobs):
    job = dead_job(run_jobs, world.facility_1.pk)
    client = client_for(world.facility_admin)
    page = client.get("/console/jobs/").content.decode()
    assert f"deliver_message #{job.pk}" in page
    assert "message_id=987654" in page
    assert job.last_error  # the reason it failed, whatever it was
    assert f"Last error: {escape(job.last_error.strip().splitlines()[-1])}" in page

    response = client.post(f"/console/jobs/{job.pk}/retry/", follow=True)
    assert "queued to run again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 0


def test_jobs_about_other_facilities_are_hidden(world, run_jobs):
    connection = t.connect(world.contact_b, world.resident_2)
    message = messaging.send_message(
        sender=world.contact_b, connection_id=connection.pk, body="Hello"
    ).message
    run_jobs()
    queued = Job.objects.get(kind="screen_message", payload={"message_id": message.pk})
    assert queued.facility_id == message.facility_id  # a job names the facility it is for
    now = clock.now()
    other = Job.objects.create(
        kind="deliver_message",
        payload={"message_id": message.pk},
        facility_id=message.facility_id,
        status=Job.Status.DEAD,
        attempts=5,
        last_error="RuntimeError: kiosk offline",
        run_after=now,
        created_at=now,
        finished_at=now,
    )
    client = client_for(world.facility_admin)
    assert f"#{other.pk}" not in client.get("/console/jobs/").content.decode()
    assert client.post(f"/console/jobs/{other.pk}/retry/").status_code == 404
    other.refresh_from_db()
    assert other.status == Job.Status.DEAD


def test_work_of_the_whole_deployment_is_the_operators_not_a_facility_admins(world, run_jobs):
    """An email job names no facility: its payload (an address, a link) is for the operator,
    in the Django admin, not for every facility's admin."""
    job = jobs.enqueue("send_email", to="someone@example.org", subject="Hi", body="secret link")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DEAD, finished_at=clock.now())
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    for admin in (world.facility_admin, agency_admin):
        client = client_for(admin)
        assert f"#{job.pk}" not in client.get("/console/jobs/").content.decode()
        assert client.post(f"/console/jobs/{job.pk}/retry/").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.DEAD


def test_reviewers_and_investigators_cannot_see_jobs(world, run_jobs):
    job = dead_job(run_jobs, world.facility_1.pk)
    for user in (world.reviewer_1, world.investigator):
        client = client_for(user)
        assert client.get("/console/jobs/").status_code == 403
        assert client.post(f"/console/jobs/{job.pk}/retry/").status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.DEAD
