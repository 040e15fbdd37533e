from homeward.jobs.registry import handler
from homeward.notifications import services


@handler("send_notification")
def send_notification(*, notification_id: int) -> None:
    # At least once: a crash after the mail server took the email and before this
    # transaction commits sends it again. Nothing is ever sent for a rolled-back event.
    services.send(notification_id=notification_id)
