"""The request a kiosk page receives, typed: the resident signed in at this kiosk.

``resident_required`` (``homeward.kiosk.auth``) checks the device, the session and the
resident's custody, then hands the view one of these, so a view reads ``request.resident``.
"""

from __future__ import annotations

from django.http import HttpRequest

from homeward.people.models import Resident


class KioskRequest(HttpRequest):
    """A kiosk page's request, once ``resident_required`` let it through: a resident in
    custody, signed in on this registered device of their facility, not idle too long."""

    resident: Resident
