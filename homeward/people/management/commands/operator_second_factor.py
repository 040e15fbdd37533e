from __future__ import annotations

import base64
from typing import Any, TextIO, cast

import segno
from django.core.management.base import BaseCommand, CommandError

from homeward.core.errors import DomainError
from homeward.people import second_factor


class Command(BaseCommand):
    help = (
        "Give a platform operator (a superuser) an authenticator app for the Django admin, "
        "which asks for its code after the password. Prints the key, as text and as a QR "
        "code to scan."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="The superuser's username.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the operator's current app (a lost phone) and set up a new one.",
        )

    def handle(self, *args: Any, username: str, replace: bool, **options: Any) -> None:
        try:
            device = second_factor.enrol_operator(username=username, replace=replace)
        except DomainError as error:
            raise CommandError(error.message) from None
        key = base64.b32encode(device.bin_key).decode()
        qr = segno.make(device.config_url, error="m")
        # The command's stdout is a text stream (a TextIOBase), which is all segno writes to.
        qr.terminal(out=cast(TextIO, self.stdout), compact=True)
        self.stdout.write(f"Key (type it into the app if you cannot scan): {key}")
        self.stdout.write(
            f"{device.user.username} now signs in to /admin/ with the password and the app's code."
        )
