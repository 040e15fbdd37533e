from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "homeward.review"
    label = "review"

    def ready(self) -> None:
        from homeward.messaging.services import message_returned
        from homeward.review import (
            jobs,  # noqa: F401  (registers the job handlers)
            services,
        )

        # Nobody needs to review a message that will not be delivered.
        message_returned.register(services.cancel_task_of)
