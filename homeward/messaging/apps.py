from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "homeward.messaging"
    label = "messaging"

    def ready(self) -> None:
        from homeward.connections.services import connection_closed
        from homeward.messaging import (
            jobs,  # noqa: F401  (registers the job handlers)
            services,
        )
        from homeward.people.account import may_close

        # A connection that closes returns (and refunds) what is still on its way.
        connection_closed.register(services.return_pending_messages_of)
        may_close.register(services.refuse_closing_while_in_review)
