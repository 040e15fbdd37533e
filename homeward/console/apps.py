from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "homeward.console"
    label = "console"
