from homeward.jobs.registry import handler
from homeward.review import intake, services


@handler("screen_message")
def screen_message(*, message_id: int) -> None:
    intake.screen_and_route(message_id=message_id)


@handler("apply_review_decision")
def apply_review_decision(*, task_id: int) -> None:
    services.apply_decision(task_id=task_id)
