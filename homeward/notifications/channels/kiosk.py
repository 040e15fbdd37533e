"""Kiosk notices: the notification row is the notice, read at the kiosk; nothing to send."""

from __future__ import annotations

from homeward.notifications.models import Notification


def deliver(notification: Notification) -> None:
    """Nothing leaves the building: the resident sees the notice at their next sign-in."""
