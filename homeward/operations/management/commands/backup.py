from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.operations import backup


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database to FILE (SQLite: an online copy; PostgreSQL: "
        "pg_dump's custom format), then print what it holds, to compare after a restore."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            backup.backup(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up to {file}. The database held:")
        self.stdout.write(json.dumps(backup.inventory(), indent=2))
