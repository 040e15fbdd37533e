"""Greenhaven takes photos, and Ana is connected to a resident there. (Photos are kept in a
temporary directory of each test's own: ``photo_files`` in homeward/conftest.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from homeward import builders as t
from homeward.facilities.models import Facility
from homeward.people.models import Contact


@pytest.fixture
def facility() -> Facility:
    return t.make_facility("greenhaven", policy={"photos_allowed": True})


@pytest.fixture
def ana(facility: Facility) -> Contact:
    ana = t.make_contact("ana@example.org", name="Ana Lopez")
    t.connect(ana, t.make_resident(facility))
    return ana


def kept_files(location: Path) -> list[str]:
    """Every file the photos storage holds, by name."""
    if not location.exists():
        return []
    return sorted(str(p.relative_to(location)) for p in location.rglob("*") if p.is_file())
