from homeward.core import clock
from homeward.jobs.registry import handler
from homeward.photos import intake, sweep


@handler(intake.CHECK_JOB)
def photo_check(*, photo_id: int) -> None:
    # Idempotent: a photo already checked is left as it is (intake.check).
    intake.check(photo_id)


@handler(intake.SWEEP_JOB)
def photo_sweep() -> None:
    """Put right what a lost job or a rolled-back upload left, then come back while
    there may be more (``sweep``)."""
    sweep.run()
    if sweep.more_to_do():
        intake.schedule_sweep(clock.now() + sweep.stale_after())
