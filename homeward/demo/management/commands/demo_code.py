from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homeward.core.env import env_bool
from homeward.demo import scene as demo
from homeward.people import second_factor
from homeward.people.models import User


class Command(BaseCommand):
    help = (
        "Print the current second-factor code of a demo staff account made by seed_demo "
        "(the demo's stand-in for an authenticator app). Refused outside the demo."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="A demo staff username, e.g. reviewer.greenhaven.")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if env_bool("HOMEWARD_PRODUCTION", False):
            raise CommandError("demo_code works only in the demo; HOMEWARD_PRODUCTION is on.")
        user = User.objects.filter(username=username.strip()).first()
        # Three marks of a demo account: seed_demo's own device, the published password,
        # and not production. A real account has none of the first two.
        device = second_factor.demo_app(user) if user is not None else None
        if user is None or device is None or not user.check_password(demo.PASSWORD):
            raise CommandError(
                f"{username!r} is not a demo staff account made by seed_demo; its codes are "
                "only in its owner's authenticator app."
            )
        code = second_factor.current_code(device)
        seconds = second_factor.seconds_left(device)
        self.stdout.write(code)
        self.stderr.write(
            f"The code for {user.username} now (good for {seconds} more seconds; each code "
            "works once, so wait for the next one to sign in again)."
        )
