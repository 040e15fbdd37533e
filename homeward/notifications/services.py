"""Telling people what happened: writing outbox rows, sending them, and the choices
contacts make about them.

``notify`` is called inside the transaction of the event it tells of (most often from the
status hooks, ``receivers``), so a rolled-back event tells nobody, and it writes at most one
row per event, channel and person, so an event is never told twice. Emails are sent by the
``send_notification`` job after that transaction commits; kiosk notices need no sending.

Emails never carry a message's text: they say that something happened and where to look.
The words are our templates (``templates/email/notify_<event>``); a name a person typed is
passed apart from ours and made safe (``people.emails``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction

from homeward.core import audit, clock, links
from homeward.core.errors import NotFound
from homeward.jobs import services as jobs
from homeward.notifications import tokens
from homeward.notifications.events import CONTACT, EVENTS
from homeward.notifications.models import Notification, Preference
from homeward.people import emails
from homeward.people.models import Contact, Resident

N = Notification


def notify(
    *,
    event: str,
    key: str,
    contact: Contact | None = None,
    resident: Resident | None = None,
    facility_id: int | None = None,
    ours: Mapping[str, object] | None = None,
    theirs: Mapping[str, str] | None = None,
) -> Notification:
    """Tell ``contact`` (by email) or ``resident`` (by a kiosk notice) of ``event``, once per
    ``key``. Call inside the event's transaction. A contact who turned the event off, or
    whose address is not verified, gets a row marked skipped and no email."""
    spec = EVENTS[event]
    now = clock.now()
    if spec.audience == CONTACT:
        if contact is None:
            raise ValueError(f"{event} is told to a contact")
        unsubscribe = links.absolute("unsubscribe", tokens.unsubscribe(contact.pk, event))
        subject, body = emails.render(
            f"notify_{event}",
            ours={
                **(ours or {}),
                "site": links.absolute("home", ""),
                "preferences": links.absolute("notification_preferences", ""),
                "unsubscribe": unsubscribe,
            },
            theirs=theirs or {},
        )
        address = contact.user.email
        wanted = (
            enabled(contact, event)
            and contact.email_verified_at is not None
            and contact.closed_at is None
        )
        fields = {
            "channel": N.Channel.EMAIL,
            "recipient": f"contact:{contact.pk}",
            "contact": contact,
            "address": address,
            "status": N.Status.QUEUED if wanted else N.Status.SKIPPED,
        }
    else:
        if resident is None:
            raise ValueError(f"{event} is told to a resident")
        name = emails.user_value((theirs or {}).get("name", ""))
        subject = spec.label
        body = spec.notice.format(name=f"“{name}”")
        fields = {
            "channel": N.Channel.KIOSK,
            "recipient": f"resident:{resident.pk}",
            "resident": resident,
            "status": N.Status.SENT,
            "sent_at": now,
        }
    try:
        with transaction.atomic():  # a savepoint: the duplicate below must not spoil the caller
            row = Notification.objects.create(
                event=event,
                key=key,
                facility_id=facility_id,
                subject=subject[:200],
                body=body,
                created_at=now,
                **fields,
            )
    except IntegrityError:  # told already: this event, this person, this channel
        return Notification.objects.get(
            key=key, channel=fields["channel"], recipient=fields["recipient"]
        )
    if row.status == N.Status.QUEUED:
        jobs.enqueue("send_notification", facility_id=facility_id, notification_id=row.pk)
    return row


def send(*, notification_id: int) -> None:
    """Send one queued email (the job's transaction). Sent or skipped already: nothing.
    Turned off (or the account closed) since it was queued: skipped, not sent."""
    from homeward.notifications.channels import DELIVER

    row = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("contact")
        .filter(pk=notification_id)
        .first()
    )
    if row is None or row.status != N.Status.QUEUED:
        return
    if row.contact is not None and (
        row.contact.closed_at is not None or not enabled(row.contact, row.event)
    ):
        row.status = N.Status.SKIPPED
        row.save(update_fields=["status"])
        return
    DELIVER[row.channel](row)
    row.status = N.Status.SENT
    row.sent_at = clock.now()
    row.save(update_fields=["status", "sent_at"])


def enabled(contact: Contact, event: str) -> bool:
    return not Preference.objects.filter(contact=contact, event=event, enabled=False).exists()


def set_preferences(*, contact: Contact, choices: Mapping[str, bool]) -> None:
    """Turn contact events on or off (``choices``: event name -> on)."""
    unknown = set(choices) - {e.name for e in EVENTS.values() if e.audience == CONTACT}
    if unknown:
        raise ValueError(f"not contact events: {sorted(unknown)}")
    now = clock.now()
    with transaction.atomic():
        for event, on in choices.items():
            Preference.objects.update_or_create(
                contact=contact, event=event, defaults={"enabled": on, "updated_at": now}
            )
        audit.record(
            actor=contact.user,
            action="notifications.preferences",
            obj=contact,
            data={"events": {event: bool(on) for event, on in sorted(choices.items())}},
        )


def unsubscribe(*, token: str) -> tuple[Contact, str]:
    """Turn off the event an unsubscribe link names, for the contact it names; anything but
    a genuine link is NotFound and changes nothing. Returns (contact, event)."""
    found = tokens.read_unsubscribe(token)
    if found is None or found[1] not in EVENTS or EVENTS[found[1]].audience != CONTACT:
        raise NotFound()
    contact = Contact.objects.select_related("user").filter(pk=found[0]).first()
    if contact is None:
        raise NotFound()
    with transaction.atomic():
        Preference.objects.update_or_create(
            contact=contact, event=found[1], defaults={"enabled": False, "updated_at": clock.now()}
        )
        audit.record(
            actor=contact.user,
            action="notifications.unsubscribed",
            obj=contact,
            data={"event": found[1]},
        )
    return contact, found[1]


def mark_notices_read(*, resident: Resident) -> int:
    """The resident saw their kiosk notices; returns how many were unread."""
    with transaction.atomic():
        return Notification.objects.filter(
            resident=resident, channel=N.Channel.KIOSK, read_at__isnull=True
        ).update(read_at=clock.now())
