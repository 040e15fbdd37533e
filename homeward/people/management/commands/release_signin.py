from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from homeward.people import throttle


class Command(BaseCommand):
    help = (
        "Release a sign-in lock before its time: a staff username or a contact's email "
        "(and the browsers that signed in to it)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="A staff username or a contact's email.")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        count = throttle.release(name=username, actor="operator")
        self.stdout.write(f"{username.strip()}: released ({count} sign-in counters reset).")
