from homeward.jobs.registry import handler
from homeward.photos import intake, sweep


@handler(intake.CHECK_JOB)
def photo_check(*, photo_id: int) -> None:
    # Idempotent: a photo already checked is left as it is (intake.check).
    intake.check(photo_id)


@handler(intake.SWEEP_JOB)
def photo_sweep() -> None:
    """Put right what a lost job or a rolled-back upload left, and discard photos never
    sent; then come back when there may be more (``sweep.next_visit``)."""
    sweep.run()
    at = sweep.next_visit()
    if at is not None:
        intake.schedule_sweep(at)
