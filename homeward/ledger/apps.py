from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "homeward.ledger"
    label = "ledger"
