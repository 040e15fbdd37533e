from homeward.jobs.registry import handler
from homeward.photos import intake


@handler(intake.CHECK_JOB)
def photo_check(*, photo_id: int) -> None:
    # Idempotent: a photo already checked is left as it is (intake.check).
    intake.check(photo_id)
