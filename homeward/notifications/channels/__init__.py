"""Channels: how a notification reaches a person. One module per channel, each with a
``deliver(notification)`` that sends one outbox row (idempotency is the outbox's: a row is
sent at most once by the ``send_notification`` job, which marks it sent in the same
transaction).

- ``email``: plain-text email through Django's mail backend (SMTP in production).
- ``kiosk``: the row itself is the notice; the kiosk shows it until the resident reads it,
  so there is nothing to send.
- ``push``: the event told to each of a contact's registered devices (Web Push).

SMS would be one more module here with its own ``deliver``, and one more choice in
``Notification.Channel``."""

from __future__ import annotations

from collections.abc import Callable

from homeward.notifications.channels import email, kiosk, push
from homeward.notifications.models import Notification

DELIVER: dict[str, Callable[[Notification], None]] = {
    Notification.Channel.EMAIL: email.deliver,
    Notification.Channel.KIOSK: kiosk.deliver,
    Notification.Channel.PUSH: push.deliver,
}
