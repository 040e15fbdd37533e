"""Push: the event told to each of the contact's registered devices (see ``push``)."""

from __future__ import annotations

from homeward.notifications import push
from homeward.notifications.events import EVENTS
from homeward.notifications.models import Notification


def deliver(notification: Notification) -> None:
    """Send the row to every device the contact has now. What a push carries is the event,
    its key and the subject line: an app fetches anything more with its token."""
    contact = notification.contact
    assert contact is not None
    payload = {
        "event": notification.event,
        "key": notification.key,
        "title": notification.subject,
    }
    spec = EVENTS.get(notification.event)
    urgent = bool(spec and spec.urgent)
    for device in push.devices_of(contact):
        push.send(device, payload, urgent=urgent)
