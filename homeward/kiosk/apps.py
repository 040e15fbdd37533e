from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "homeward.kiosk"
    label = "kiosk"

    def ready(self) -> None:
        from homeward.kiosk import jobs  # noqa: F401  (registers the job handlers)
