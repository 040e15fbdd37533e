from homeward.jobs.registry import handler
from homeward.messaging import services


@handler("deliver_message")
def deliver_message(*, message_id: int) -> None:
    services.deliver(message_id=message_id)
