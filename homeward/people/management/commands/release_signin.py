from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homeward.people import signin_limits


class Command(BaseCommand):
    help = "Release a staff account locked after too many wrong passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        count = signin_limits.release(username=username, actor="operator")
        self.stdout.write(f"{username}: released ({count} failed attempts forgotten).")
