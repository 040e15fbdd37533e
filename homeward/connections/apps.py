from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "homeward.connections"
    label = "connections"
