from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "homeward.kiosk"
    label = "kiosk"
