from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homeward.demo import scene as demo
from homeward.facilities.models import Agency


class Command(BaseCommand):
    help = "Build the demo deployment and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Only build it when the database is empty."
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if Agency.objects.exists():
            if not if_empty:
                self.stderr.write("The database already has data; demo data not loaded.")
                raise SystemExit(1)
            self.stdout.write("Demo data already loaded.")
            demo.enrol_demo_staff()  # a demo from before staff had a second factor
        else:
            demo.build_demo()
            self.stdout.write("Demo data loaded.")
        self.stdout.write(demo.logins())
