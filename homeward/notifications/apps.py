from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "homeward.notifications"
    label = "notifications"

    def ready(self) -> None:
        from homeward.connections.services import connection_moved
        from homeward.messaging.status import message_moved
        from homeward.notifications import (
            jobs,  # noqa: F401  (registers the job handlers)
            receivers,
        )

        message_moved.register(receivers.message_moved)
        connection_moved.register(receivers.connection_moved)
