from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "homeward.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from homeward.messaging.status import message_moved
        from homeward.monitoring import (
            index,
            jobs,  # noqa: F401  (registers the job handlers)
        )

        # A message is searchable from the moment it is accepted, in the same transaction.
        message_moved.register(index.message_moved)
