from homeward.jobs.registry import handler
from homeward.messaging import services


@handler("screen_message")
def screen_message(*, message_id: int) -> None:
    services.screen_and_route(message_id=message_id)


@handler("deliver_message")
def deliver_message(*, message_id: int) -> None:
    services.deliver(message_id=message_id)
