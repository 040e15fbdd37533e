"""Check an exported bundle against this deployment: its signature (with this deployment's
export key), every file's SHA-256, and the audit log's record of its manifest. Exits 1 with
what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeward.core import bundles


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle", help="the ZIP file an export gave")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["bundle"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        problems = bundles.verify(data)
        if problems:
            raise CommandError(
                f"{path.name} does not verify:\n" + "\n".join(f"- {p}" for p in problems)
            )
        self.stdout.write(
            f"{path.name} verifies: signed by this deployment's key, every file as exported, "
            "and the export is in the audit log."
        )
