from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "homeward.photos"
    label = "photos"

    def ready(self) -> None:
        from homeward.photos import jobs  # noqa: F401  (registers the job handlers)
