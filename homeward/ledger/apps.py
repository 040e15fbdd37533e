from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "homeward.ledger"
    label = "ledger"

    def ready(self) -> None:
        from homeward.ledger import jobs  # noqa: F401  (registers the job handlers)
