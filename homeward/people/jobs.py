from django.conf import settings
from django.core.mail import send_mail

from homeward.jobs.registry import handler


@handler("send_email")
def send_email(*, to: str, subject: str, body: str) -> None:
    # Sending twice (a retried job) sends the same words twice; no harm is done.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
