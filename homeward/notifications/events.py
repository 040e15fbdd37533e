"""The events Homeward tells people about: who hears of each, on which channel, in which
words. A new event is a row here, a template pair under ``templates/email/`` (for
contacts) or a kiosk sentence (for residents), and a call of ``services.notify`` where it
happens (most through the status hooks in ``receivers``)."""

from __future__ import annotations

from dataclasses import dataclass

CONTACT = "contact"
RESIDENT = "resident"
# An email address that may have no account yet (an invitation): always sent, once, with no
# choices to make and nothing to unsubscribe from.
ADDRESS = "address"


@dataclass(frozen=True)
class Event:
    name: str
    audience: str  # CONTACT (email), RESIDENT (kiosk notice) or ADDRESS (email)
    label: str  # what the preferences page calls it
    # A kiosk notice's words; {name} is the other person's name, quoted, and any other
    # field is one of our own values given to ``notify``.
    notice: str = ""
    # A security notice: sent at once even to a contact who chose the daily digest, and not
    # stopped by the digest's "stop every email" link.
    urgent: bool = False


EVENTS: dict[str, Event] = {
    event.name: event
    for event in (
        Event("reply_waiting", CONTACT, "A reply is waiting for you"),
        Event("message_blocked", CONTACT, "A message you sent was blocked"),
        Event("message_returned", CONTACT, "A message you sent was returned undelivered"),
        Event("connection_approved", CONTACT, "A connection was approved"),
        Event("connection_declined", CONTACT, "A connection request was declined or denied"),
        Event("connection_ended", CONTACT, "A connection was ended"),
        Event("deposit_receipt", CONTACT, "A payment went through (your receipt)"),
        Event("refund", CONTACT, "Money is going back to your card"),
        Event("low_balance", CONTACT, "Your wallet is running low"),
        Event(
            "signin_locked", CONTACT, "Your account was locked after wrong passwords", urgent=True
        ),
        Event(
            "messaging_restricted",
            CONTACT,
            "Your messaging was suspended, changed or restored",
            urgent=True,
        ),
        Event("appeal_decided", CONTACT, "An appeal of yours was decided"),
        Event("retention_warning", CONTACT, "Old messages are about to lose their text"),
        Event("invitation", ADDRESS, "A resident invited this address to write"),
        Event(
            "connection_requested",
            RESIDENT,
            "Someone asked to write to you",
            notice="{name} asked to write to you. Open Contacts to accept or decline.",
        ),
        Event(
            "messaging_restricted_notice",
            RESIDENT,
            "Your messaging was suspended, changed or restored",
            notice="{sentence}",
        ),
        Event(
            "appeal_decided_notice",
            RESIDENT,
            "An appeal of yours was decided",
            notice="{sentence}",
        ),
        Event(
            "connection_started",
            RESIDENT,
            "A connection started",
            notice="You can now write to {name}.",
        ),
    )
}

CONTACT_EVENTS = tuple(e for e in EVENTS.values() if e.audience == CONTACT)
