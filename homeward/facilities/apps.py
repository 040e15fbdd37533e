from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "homeward.facilities"
    label = "facilities"
