from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "homeward.review"
    label = "review"

    def ready(self) -> None:
        from homeward.jobs.services import worker_starting
        from homeward.messaging.services import message_returned
        from homeward.review import (
            jobs,  # noqa: F401  (registers the job handlers)
            services,
        )
        from homeward.screening import services as screening

        # Nobody needs to review a message that will not be delivered.
        message_returned.register(services.cancel_task_of)
        # This app owns the screening job: a worker loads screening's data before its first.
        worker_starting.register(screening.warm)
