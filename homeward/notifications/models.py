from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homeward.facilities.models import Facility
from homeward.people.models import Contact, Resident


class Notification(models.Model):
    """One event told to one person on one channel: the outbox row.

    Written in the transaction of the event itself, so an event that rolls back tells
    nobody. ``key`` names the event ("message:12:delivered"); with the channel and the
    recipient it is unique, so an event is never told twice to the same person, however
    often the code that noticed it runs. An email row is sent by the ``send_notification``
    job; a kiosk row is the notice itself, shown to the resident until they read it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        KIOSK = "kiosk", _("Kiosk notice")
        PUSH = "push", _("Push to the contact's devices")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENT = "sent", pgettext_lazy("notification status", "Sent")
        SKIPPED = "skipped", _("Not sent (the person turned it off or has no address)")
        HELD = "held", _("Waiting for the daily digest")

    event = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # "contact:5", "resident:7" or "address:kim@example.org": one column the uniqueness can
    # hold on.
    recipient = models.CharField(max_length=270)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=254, blank=True)  # where an email went
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # a kiosk notice the resident saw

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "channel", "recipient"], name="one_notification_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["resident", "channel", "read_at"], name="notification_kiosk"),
            models.Index(fields=["contact", "-created_at"], name="notification_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient} by {self.channel}"


class Preference(models.Model):
    """A contact's choice for one event. No row means the event's default (on)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="preferences")
    event = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "event"], name="one_preference_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} {'on' if self.enabled else 'off'} for contact {self.contact_id}"


class Digest(models.Model):
    """A contact's choice to get one email a day listing what happened, instead of an email
    for each event. No row means an email for each."""

    contact = models.OneToOneField(
        Contact, primary_key=True, on_delete=models.CASCADE, related_name="digest"
    )
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"daily digest {'on' if self.enabled else 'off'} for contact {self.contact_id}"


class PushDevice(models.Model):
    """A contact's app or browser that asked to be told of events by push (``push``).

    Web Push only for now: ``endpoint`` is the push service's address for this browser,
    ``p256dh`` and ``auth`` its keys (base64url), so only it can read what is sent. FCM and
    APNs are kinds a deployment could add with its own credentials; none is offered."""

    class Kind(models.TextChoices):
        WEB_PUSH = "webpush", _("Web Push")
        FCM = "fcm", _("Firebase Cloud Messaging")
        APNS = "apns", _("Apple Push Notification service")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="push_devices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True)
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    # The API token it was registered with (kept as a number: the api app sits above this
    # one): when that token is revoked or refreshed, the api app forgets or moves it.
    token_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} device {self.pk} of contact {self.contact_id}"


class PushKey(models.Model):
    """The deployment's VAPID key pair for Web Push, made on first use (one row), unless
    ``settings.WEB_PUSH_PRIVATE_KEY`` gives one."""

    private_key = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"push key made {self.created_at:%Y-%m-%d}"
