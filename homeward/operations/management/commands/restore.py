from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.operations import backup


class Command(BaseCommand):
    help = (
        "Restore FILE (made by `manage.py backup`) into the database of DATABASE_URL, which "
        "must be new and empty; then check the ledger and the audit chain and print what "
        "the database holds. Stop the web server and workers first."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            backup.restore(file)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {file}. The database holds:")
        self.stdout.write(json.dumps(backup.inventory(), indent=2))
        found = backup.problems()
        for problem in found:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"The restored database has {len(found)} problem(s).")
        self.stdout.write("The ledger balances and the audit chain is unbroken.")
