from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "homeward.notifications"
    label = "notifications"

    def ready(self) -> None:
        from homeward.connections.services import connection_moved
        from homeward.enforcement.appeals import appeal_changed
        from homeward.enforcement.restrictions import restriction_changed
        from homeward.facilities.hooks import retention_period_set
        from homeward.ledger.charges import wallet_running_low
        from homeward.ledger.payments import payment_succeeded, refund_started
        from homeward.messaging.status import message_moved
        from homeward.notifications import (
            jobs,  # noqa: F401  (registers the job handlers)
            receivers,
            retention,
        )
        from homeward.people.throttle import contact_locked
        from homeward.photos.review import photo_blocked

        message_moved.register(receivers.message_moved)
        photo_blocked.register(receivers.photo_blocked)
        connection_moved.register(receivers.connection_moved)
        payment_succeeded.register(receivers.payment_succeeded)
        refund_started.register(receivers.refund_started)
        wallet_running_low.register(receivers.wallet_running_low)
        contact_locked.register(receivers.contact_locked)
        restriction_changed.register(receivers.restriction_changed)
        appeal_changed.register(receivers.appeal_changed)
        # The daily warning before retention removes old messages' text.
        retention_period_set.register(retention.period_set)
