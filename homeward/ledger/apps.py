from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "homeward.ledger"
    label = "ledger"

    def ready(self) -> None:
        from homeward.ledger import (
            closing,
            jobs,  # noqa: F401  (registers the job handlers)
        )
        from homeward.people.account import account_closed, may_close

        # A closing account: nothing may be on its way in; what is left goes back.
        may_close.register(closing.refuse_closing_while_paying)
        account_closed.register(closing.refund_every_wallet)
