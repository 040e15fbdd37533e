from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.ledger.services import problems


class Command(BaseCommand):
    help = "Prove every transaction sums to zero and every balance equals its postings."

    def handle(self, *args: Any, **options: Any) -> None:
        found = problems()
        for problem in found:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"The ledger has {len(found)} problem(s).")
        self.stdout.write("Ledger is sound: every transaction balances, every balance adds up.")
