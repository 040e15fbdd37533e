from django.apps import AppConfig
from django.urls import reverse


class WebConfig(AppConfig):
    name = "homeward.web"
    label = "web"

    def ready(self) -> None:
        from homeward.core import links

        links.register("verify_email", lambda token: reverse("web:verify_email", args=[token]))
        links.register("home", lambda _: reverse("web:home"))
        links.register("archive", lambda _: reverse("web:archive"))
        links.register("released", lambda _: reverse("web:released"))
        links.register(
            "notification_preferences", lambda _: reverse("web:notification_preferences")
        )
        links.register("unsubscribe", lambda token: reverse("web:unsubscribe", args=[token]))
        links.register("invitation", lambda token: reverse("web:invitation", args=[token]))
        links.register("receipt", lambda pk: reverse("web:receipt", args=[pk]))
        links.register(
            "password_reset",
            lambda value: reverse("web:reset_password", args=value.split("/", 1)),
        )
        links.register(
            "confirm_email_change",
            lambda token: reverse("web:confirm_email_change", args=[token]),
        )
