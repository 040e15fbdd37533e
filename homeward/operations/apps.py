from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What an operator runs and watches: health, metrics, request logs, backups."""

    name = "homeward.operations"
    label = "operations"
