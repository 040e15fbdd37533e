"""Telling people what happened: writing outbox rows, sending them, and the choices
contacts make about them.

``notify`` is called inside the transaction of the event it tells of (most often from the
status hooks, ``receivers``), so a rolled-back event tells nobody, and it writes at most one
row per event, channel and person, so an event is never told twice. Emails are sent by the
``send_notification`` job after that transaction commits; kiosk notices need no sending.

Emails never carry a message's text: they say that something happened and where to look.
The words are our templates (``templates/email/notify_<event>``); a name a person typed is
passed apart from ours and made safe (``people.emails``). They are written in the language
of the person told (``language_of``), whoever's request the event happened in."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation

from homeward.core import audit, clock, links
from homeward.core.errors import NotFound
from homeward.jobs import services as jobs
from homeward.notifications import tokens
from homeward.notifications.events import ADDRESS, CONTACT, CONTACT_EVENTS, EVENTS
from homeward.notifications.models import Digest, Notification, Preference, PushDevice
from homeward.people import emails
from homeward.people.models import Contact, Resident, User

N = Notification


def language_of(person: Contact | Resident) -> str:
    """The language ``person`` is told things in: their saved choice (a contact's for pages
    and emails, a resident's at the kiosk), else English. Not the language of the request
    the event happened in: that is most often someone else's (a resident at the kiosk, a
    reviewer in the console)."""
    saved = person.user.language if isinstance(person, Contact) else person.language
    return saved or settings.LANGUAGE_CODE


def told_in(person: Contact | Resident) -> translation.override:
    """Words made for ``person`` (a sentence passed to ``notify``) in their language:
    ``with told_in(contact): notify(...)``."""
    return translation.override(language_of(person))


def _address_language(address: str) -> str:
    """An invitation's language: the account's choice when the address has one, else the
    request's that sent it (the kiosk's), else English ('' asks ``emails`` for that)."""
    user = (
        User.objects.filter(
            email__iexact=address, contact__isnull=False, contact__closed_at__isnull=True
        )
        .exclude(language="")
        .first()
    )
    return user.language if user is not None else ""


def notify(
    *,
    event: str,
    key: str,
    contact: Contact | None = None,
    resident: Resident | None = None,
    address: str = "",
    facility_id: int | None = None,
    ours: Mapping[str, object] | None = None,
    theirs: Mapping[str, str] | None = None,
) -> Notification:
    """Tell ``contact`` (by email), ``resident`` (by a kiosk notice) or ``address`` (by
    email, for an event whose audience is an address) of ``event``, once per ``key``. Call
    inside the event's transaction. A contact who turned the event off, or whose address is
    not verified, gets a row marked skipped and no email."""
    spec = EVENTS[event]
    now = clock.now()
    if spec.audience == CONTACT:
        if contact is None:
            raise ValueError(f"{event} is told to a contact")
        fields = _to_contact(event, contact, ours or {}, theirs or {})
    elif spec.audience == ADDRESS:
        if not address:
            raise ValueError(f"{event} is told to an address")
        fields = _to_address(event, address, ours or {}, theirs or {})
    else:
        if resident is None:
            raise ValueError(f"{event} is told to a resident")
        name = emails.user_value((theirs or {}).get("name", ""))
        values = {key: str(value) for key, value in (ours or {}).items()}
        with told_in(resident):  # a kiosk notice is kept as written: in the resident's words
            subject = str(spec.label)
            body = str(spec.notice) % {**values, "name": f"“{name}”"}
        fields = {
            "subject": subject,
            "body": body,
            "channel": N.Channel.KIOSK,
            "recipient": f"resident:{resident.pk}",
            "resident": resident,
            "status": N.Status.SENT,
            "sent_at": now,
        }
    fields["subject"] = str(fields["subject"])[:200]
    try:
        with transaction.atomic():  # a savepoint: the duplicate below must not spoil the caller
            row = Notification.objects.create(
                event=event, key=key, facility_id=facility_id, created_at=now, **fields
            )
    except IntegrityError:  # told already: this event, this person, this channel
        return Notification.objects.get(
            key=key, channel=fields["channel"], recipient=fields["recipient"]
        )
    if row.status == N.Status.QUEUED:
        jobs.enqueue("send_notification", facility_id=facility_id, notification_id=row.pk)
    elif row.status == N.Status.HELD and contact is not None:
        _schedule_digest(contact, now)
    if contact is not None and spec.audience == CONTACT:
        _push(row, contact)
    return row


def _push(told: Notification, contact: Contact) -> None:
    """The same event, pushed at once to the contact's devices (never held for a digest),
    if they have any and have not turned it off."""
    if not PushDevice.objects.filter(contact=contact).exists():
        return
    wanted = enabled(contact, told.event) and contact.closed_at is None
    try:
        with transaction.atomic():
            push = Notification.objects.create(
                event=told.event,
                key=told.key,
                facility_id=told.facility_id,
                created_at=told.created_at,
                subject=told.subject,
                body="",
                channel=N.Channel.PUSH,
                recipient=told.recipient,
                contact=contact,
                status=N.Status.QUEUED if wanted else N.Status.SKIPPED,
            )
    except IntegrityError:  # pushed already
        return
    if wanted:
        jobs.enqueue("send_notification", facility_id=told.facility_id, notification_id=push.pk)


def _to_contact(
    event: str, contact: Contact, ours: Mapping[str, object], theirs: Mapping[str, str]
) -> dict[str, object]:
    """The outbox row's fields for an email to a contact, in our words, with the links to
    their choices and to stop this email."""
    unsubscribe = links.absolute("unsubscribe", tokens.unsubscribe(contact.pk, event))
    subject, body = emails.render(
        f"notify_{event}",
        language=language_of(contact),
        ours={
            **ours,
            "site": links.absolute("home", ""),
            "preferences": links.absolute("notification_preferences", ""),
            "unsubscribe": unsubscribe,
        },
        theirs=theirs,
    )
    wanted = (
        enabled(contact, event)
        and contact.email_verified_at is not None
        and contact.closed_at is None
    )
    status = N.Status.SKIPPED
    if wanted:
        held = digest_on(contact) and not EVENTS[event].urgent
        status = N.Status.HELD if held else N.Status.QUEUED
    return {
        "subject": subject,
        "body": body,
        "channel": N.Channel.EMAIL,
        "recipient": f"contact:{contact.pk}",
        "contact": contact,
        "address": contact.user.email,
        "status": status,
    }


def _to_address(
    event: str, address: str, ours: Mapping[str, object], theirs: Mapping[str, str]
) -> dict[str, object]:
    """An email to an address that may have no account: sent once, no choices."""
    address = address.strip().lower()
    subject, body = emails.render(
        f"notify_{event}",
        language=_address_language(address),
        ours={**ours, "site": links.absolute("home", "")},
        theirs=theirs,
    )
    return {
        "subject": subject,
        "body": body,
        "channel": N.Channel.EMAIL,
        "recipient": f"address:{address}",
        "address": address,
        "status": N.Status.QUEUED,
    }


# --- the daily digest ------------------------------------------------------------------
# A contact who chose it gets one email a day: each event's email is held (status HELD),
# and the first one held for a day writes that day's digest row, sent by the job at the
# digest hour. The digest's key names its day, so there is one per contact and day.

DIGEST = "digest"
# The updates a digest writes out in full, the oldest first; it counts the rest (an
# attorney's hundreds of replies a day) and says where to read them.
DIGEST_ITEMS = 30
# The day's digest is sent this long after the digest hour, so an event whose transaction
# began before the hour (and was held for this digest) has committed by then.
DIGEST_GRACE = dt.timedelta(minutes=5)


def next_digest_at(now: dt.datetime) -> dt.datetime:
    """The next digest hour (``NOTIFICATION_DIGEST_HOUR`` in its time zone) after ``now``."""
    zone = zoneinfo.ZoneInfo(settings.NOTIFICATION_DIGEST_TIME_ZONE)
    local = now.astimezone(zone)
    at = local.replace(hour=settings.NOTIFICATION_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at += dt.timedelta(days=1)  # the same hour on the wall clock, across a DST change
    return at


def _schedule_digest(contact: Contact, now: dt.datetime) -> None:
    at = next_digest_at(now)
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                event=DIGEST,
                key=f"{DIGEST}:{at:%Y-%m-%d}",
                channel=N.Channel.EMAIL,
                recipient=f"contact:{contact.pk}",
                contact=contact,
                address=contact.user.email,
                subject="",  # written when it is sent, from what is held then
                body="",
                status=N.Status.QUEUED,
                created_at=now,
            )
    except IntegrityError:  # today's digest is already waiting
        return
    jobs.enqueue("send_notification", run_after=at + DIGEST_GRACE, notification_id=row.pk)


def _write_digest(row: Notification) -> bool:
    """Fill the digest row with every email held for its contact, and mark those sent with
    it. False when nothing is left to tell (all turned off since, or the account closed)."""
    assert row.contact is not None
    held = list(
        Notification.objects.select_for_update()
        .filter(contact=row.contact, channel=N.Channel.EMAIL, status=N.Status.HELD)
        .order_by("created_at", "id")
    )
    closed = row.contact.closed_at is not None
    told = [item for item in held if not closed and enabled(row.contact, item.event)]
    sent = {item.pk for item in told}
    Notification.objects.filter(pk__in=sent).update(status=N.Status.SENT, sent_at=clock.now())
    skipped = [item.pk for item in held if item.pk not in sent]
    Notification.objects.filter(pk__in=skipped).update(status=N.Status.SKIPPED, sent_at=None)
    if not told:
        return False
    unsubscribe = links.absolute("unsubscribe", tokens.unsubscribe(row.contact.pk, DIGEST))
    row.subject, row.body = emails.render(
        "notify_digest",
        language=language_of(row.contact),
        ours={
            "items": [(item.subject, _without_footer(item.body)) for item in told[:DIGEST_ITEMS]],
            "more": max(0, len(told) - DIGEST_ITEMS),
            "count": len(told),
            "preferences": links.absolute("notification_preferences", ""),
            "unsubscribe": unsubscribe,
            "site": links.absolute("home", ""),
        },
        theirs={},
    )
    row.address = row.contact.user.email
    return True


def _without_footer(body: str) -> str:
    """An event's email without its footer, to list in a digest."""
    return body.split("\n--\n", 1)[0].strip()


def send(*, notification_id: int) -> None:
    """Send one queued email (the job's transaction). Sent or skipped already: nothing.
    Turned off (or the account closed) since it was queued: skipped, not sent."""
    from homeward.notifications.channels import DELIVER

    row = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("contact__user")
        .filter(pk=notification_id)
        .first()
    )
    if row is None or row.status != N.Status.QUEUED:
        return
    if row.event == DIGEST:
        if not _write_digest(row):
            row.status = N.Status.SKIPPED
            row.save(update_fields=["status"])
            return
    elif row.contact is not None and (
        row.contact.closed_at is not None or not enabled(row.contact, row.event)
    ):
        row.status = N.Status.SKIPPED
        row.save(update_fields=["status"])
        return
    if row.contact is not None and row.channel == N.Channel.EMAIL:
        row.address = row.contact.user.email  # where the contact reads now (a changed email)
    DELIVER[row.channel](row)
    row.status = N.Status.SENT
    row.sent_at = clock.now()
    row.save(update_fields=["status", "sent_at", "subject", "body", "address"])


def enabled(contact: Contact, event: str) -> bool:
    return not Preference.objects.filter(contact=contact, event=event, enabled=False).exists()


def set_preferences(
    *, contact: Contact, choices: Mapping[str, bool], digest: bool | None = None
) -> None:
    """Turn contact events on or off (``choices``: event name -> on) and, unless ``digest``
    is None, choose the daily digest (``set_digest``), in one transaction."""
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
        if digest is not None:
            set_digest(contact=contact, on=digest)


def digest_on(contact: Contact) -> bool:
    return Digest.objects.filter(contact=contact, enabled=True).exists()


def set_digest(*, contact: Contact, on: bool) -> None:
    """One email a day (``on``), or an email for each event: turned off, what was held for
    the digest is sent now, each on its own."""
    with transaction.atomic():
        Digest.objects.update_or_create(
            contact=contact, defaults={"enabled": on, "updated_at": clock.now()}
        )
        if not on:
            held = Notification.objects.select_for_update().filter(
                contact=contact, channel=N.Channel.EMAIL, status=N.Status.HELD
            )
            for row in held:
                row.status = N.Status.QUEUED
                row.save(update_fields=["status"])
                jobs.enqueue(
                    "send_notification", facility_id=row.facility_id, notification_id=row.pk
                )
        audit.record(
            actor=contact.user, action="notifications.digest", obj=contact, data={"on": on}
        )


def unsubscribe(*, token: str) -> tuple[Contact, str]:
    """Turn off the event an unsubscribe link names, for the contact it names; anything but
    a genuine link is NotFound and changes nothing. Returns (contact, event)."""
    found = tokens.read_unsubscribe(token)
    if found is None or not unsubscribable(found[1]):
        raise NotFound()
    contact = Contact.objects.select_related("user").filter(pk=found[0]).first()
    if contact is None:
        raise NotFound()
    # A digest's link stops every email the digest would carry (not security notices).
    digested = [e.name for e in CONTACT_EVENTS if not e.urgent]
    events = digested if found[1] == DIGEST else [found[1]]
    with transaction.atomic():
        for event in events:
            Preference.objects.update_or_create(
                contact=contact, event=event, defaults={"enabled": False, "updated_at": clock.now()}
            )
        audit.record(
            actor=contact.user,
            action="notifications.unsubscribed",
            obj=contact,
            data={"event": found[1]},
        )
    return contact, found[1]


def unsubscribable(event: str) -> bool:
    """Whether an unsubscribe link may name ``event``: a contact's event, or the digest."""
    return event == DIGEST or (event in EVENTS and EVENTS[event].audience == CONTACT)


def mark_notices_read(*, resident: Resident, shown: Iterable[int] | None = None) -> int:
    """The resident saw their kiosk notices: those ``shown`` (the ids on the page they
    dismissed: older unread ones beyond the page, and newer ones that arrived after it was
    drawn, stay unread), or all of them; returns how many were unread. Only the resident's
    own notices change, whatever ids are given."""
    unread = Notification.objects.filter(
        resident=resident, channel=N.Channel.KIOSK, read_at__isnull=True
    )
    if shown is not None:
        unread = unread.filter(pk__in=list(shown))
    with transaction.atomic():
        return unread.update(read_at=clock.now())
