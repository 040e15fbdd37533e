from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "homeward.people"
    label = "people"

    def ready(self) -> None:
        from homeward.people import jobs  # noqa: F401  (registers the job handlers)
