from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "homeward.kiosk"
    label = "kiosk"

    def ready(self) -> None:
        from homeward.kiosk import (
            jobs,  # noqa: F401  (registers the job handlers)
            sessions,
        )
        from homeward.roster.services import resident_released

        # A released resident's open kiosk session is charged before the trust is paid out.
        resident_released.register(sessions.close_all_of)
