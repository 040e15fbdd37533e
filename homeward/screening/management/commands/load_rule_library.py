"""``manage.py load_rule_library``: the library files become the baseline rules (see
``homeward.screening.rule_sync`` for what a load does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.core.errors import DomainError
from homeward.screening.library.loader import LANGUAGES, LIBRARY_DIR, library_version
from homeward.screening.rule_sync import checked_library, load_library


class Command(BaseCommand):
    help = "Create or update the baseline screening rules from the rule library files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--language",
            action="append",
            choices=LANGUAGES,
            help="Load only this language's file (repeatable); default: all.",
        )
        parser.add_argument(
            "--directory",
            type=Path,
            default=LIBRARY_DIR,
            help="Where the library files are (default: the ones shipped with Homeward).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Check the files and report; write nothing."
        )

    def handle(
        self,
        *args: Any,
        language: list[str] | None,
        directory: Path,
        check: bool,
        **options: Any,
    ) -> None:
        languages = tuple(language or LANGUAGES)
        try:
            entries = checked_library(languages, directory)
        except DomainError as error:
            raise CommandError(error.message) from None
        if check:
            self.stdout.write(
                f"Rule library version {library_version(entries)}: {len(entries)} rules "
                "checked; nothing written."
            )
            return
        counts = load_library(entries, languages)
        self.stdout.write(
            f"Rule library version {library_version(entries)} ({len(entries)} rules) loaded: "
            "{created} created, {updated} updated, {retired} switched off, "
            "{unchanged} unchanged.".format(**counts)
        )
