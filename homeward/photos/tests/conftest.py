"""Photos are kept in a temporary directory of each test's own, never in var/."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def photo_files(settings, tmp_path: Path) -> Path:
    """The directory the ``photos`` storage writes to in this test."""
    location = tmp_path / "photos"
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "homeward.photos.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def kept_files(location: Path) -> list[str]:
    """Every file the photos storage holds, by name."""
    if not location.exists():
        return []
    return sorted(str(p.relative_to(location)) for p in location.rglob("*") if p.is_file())
