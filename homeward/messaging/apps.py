from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "homeward.messaging"
    label = "messaging"

    def ready(self) -> None:
        from homeward.connections.services import connection_closed
        from homeward.ledger import words as ledger_words
        from homeward.messaging import (
            jobs,  # noqa: F401  (registers the job handlers)
            services,
            words,
        )
        from homeward.people.account import may_close

        # A connection that closes returns (and refunds) what is still on its way.
        connection_closed.register(services.return_pending_messages_of)
        may_close.register(services.refuse_closing_while_in_review)
        # A returned message is refunded for the reason it was returned: the statement
        # says it in the reader's words.
        ledger_words.know_refund_reasons(words.RETURN_REASONS)
