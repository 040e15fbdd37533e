"""Email: one plain-text message per notification, with a one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from homeward.core import links
from homeward.notifications import tokens
from homeward.notifications.models import Notification


def deliver(notification: Notification) -> None:
    """Send one email. To a contact, with the link that stops emails like it; to an address
    with no choices (an invitation), without."""
    headers = {}
    if notification.contact_id is not None:
        unsubscribe = links.absolute(
            "unsubscribe", tokens.unsubscribe(notification.contact_id, notification.event)
        )
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers=headers,
    ).send()
