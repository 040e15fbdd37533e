from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "homeward.enforcement"
    label = "enforcement"

    def ready(self) -> None:
        from homeward.enforcement import receivers
        from homeward.messaging.status import message_moved

        # A blocked message may be a violation by the person who sent it.
        message_moved.register(receivers.message_moved)
