from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "homeward.enforcement"
    label = "enforcement"

    def ready(self) -> None:
        from homeward.enforcement import (
            jobs,  # noqa: F401  (registers the job handlers)
            receivers,
            restrictions,
        )
        from homeward.messaging.services import may_deliver, may_send
        from homeward.messaging.status import message_moved

        # A blocked message may be a violation by the person who sent it.
        message_moved.register(receivers.message_moved)
        # Nothing is sent, and nothing delivered, while a restriction is in force.
        may_send.register(restrictions.refuse_sending)
        may_deliver.register(restrictions.hold_delivery)
