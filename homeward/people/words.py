"""How Homeward names people to others."""

from __future__ import annotations

from homeward.people.models import Resident


def short_name(resident: Resident) -> str:
    """What a stranger may see of a resident: first name and last initial."""
    initial = f" {resident.last_name[:1]}." if resident.last_name else ""
    return f"{resident.first_name}{initial}"
