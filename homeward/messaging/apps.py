from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "homeward.messaging"
    label = "messaging"

    def ready(self) -> None:
        from homeward.messaging import jobs  # noqa: F401  (registers the job handlers)
