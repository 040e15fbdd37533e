from homeward.jobs.registry import handler
from homeward.review import intake


@handler("screen_message")
def screen_message(*, message_id: int) -> None:
    intake.screen_and_route(message_id=message_id)
