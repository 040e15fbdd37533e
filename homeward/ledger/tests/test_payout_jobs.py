"""Money jobs name the facility they are for, so that when one gives up its facility's admins
see it on the console's dead-jobs page and can retry it, and another facility's admins
cannot: a refund's payout to the card, and the sandbox card company's late answer."""

from __future__ import annotations

from homeward import builders as t
from homeward.jobs.models import Job
from homeward.ledger import payments
from homeward.people.models import StaffMembership
from homeward.personas import client_for

CARD_OK = "4242 4242 4242 4242"
CARD_LATE = "4000 0000 0000 3220"


def _deposit_and_refund(world, run_jobs) -> Job:
    """Ana pays $20 into her Greenhaven wallet and asks for it back: one payout job."""
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)
    payments.start(
        contact=world.contact_a, facility=world.facility_1, amount=2000, key="pay-1", card=CARD_OK
    )
    run_jobs()  # the sandbox's confirming webhook
    payouts, asked_now = payments.refund_wallet(
        contact=world.contact_a, facility=world.facility_1, reason="Closing", key="refund-1"
    )
    assert asked_now and len(payouts) == 1
    return Job.objects.get(kind="send_payout", payload={"payout_id": payouts[0].pk})


def _give_up(job: Job) -> None:
    """As the worker leaves a job that failed its last attempt (the card company kept
    refusing the refund)."""
    job.status = Job.Status.DEAD
    job.attempts = job.max_attempts
    job.last_error = "RuntimeError: the card company is not answering"
    job.finished_at = job.run_after
    job.save()


def test_a_payout_job_names_the_facility_of_its_wallet(world, run_jobs):
    job = _deposit_and_refund(world, run_jobs)
    assert job.facility_id == world.facility_1.pk


def test_a_late_card_answer_names_the_facility_paid_into(world):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)
    started = payments.start(
        contact=world.contact_a, facility=world.facility_1, amount=2000, key="late", card=CARD_LATE
    )
    job = Job.objects.get(kind="sandbox_settle")
    assert job.payload["payment_ref"] == started.payment.provider_ref
    assert job.facility_id == world.facility_1.pk


def test_a_dead_payout_job_is_for_its_facilitys_admins_only(world, run_jobs):
    job = _deposit_and_refund(world, run_jobs)
    _give_up(job)
    admin_b = t.make_staff(
        "admin2", role=StaffMembership.Role.FACILITY_ADMIN, facility=world.facility_2
    )

    other = client_for(admin_b)
    assert f"send_payout #{job.pk}" not in other.get("/console/jobs/").content.decode()
    assert other.post(f"/console/jobs/{job.pk}/retry/").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.DEAD  # nothing changed

    mine = client_for(world.facility_admin)
    assert f"send_payout #{job.pk}" in mine.get("/console/jobs/").content.decode()
    response = mine.post(f"/console/jobs/{job.pk}/retry/", follow=True)
    assert "queued to run again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    run_jobs()  # and the refund reaches the card after all
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
