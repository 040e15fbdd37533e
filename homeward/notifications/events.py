"""The events Homeward tells people about: who hears of each, on which channel, in which
words. A new event is a row here, a template pair under ``templates/email/`` (for
contacts) or a kiosk sentence (for residents), and a call of ``services.notify`` where it
happens (most through the status hooks in ``receivers``). The words are marked for
translation and written in the language of the person told."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONTACT = "contact"
RESIDENT = "resident"
# An email address that may have no account yet (an invitation): always sent, once, with no
# choices to make and nothing to unsubscribe from.
ADDRESS = "address"


@dataclass(frozen=True)
class Event:
    name: str
    audience: str  # CONTACT (email), RESIDENT (kiosk notice) or ADDRESS (email)
    label: str | Promise  # what the preferences page calls it (and a kiosk notice's subject)
    # A kiosk notice's words; %(name)s is the other person's name, quoted, and any other
    # field is one of our own values given to ``notify``.
    notice: str | Promise = ""
    # A security notice: sent at once even to a contact who chose the daily digest, and not
    # stopped by the digest's "stop every email" link.
    urgent: bool = False


EVENTS: dict[str, Event] = {
    event.name: event
    for event in (
        Event("reply_waiting", CONTACT, _("A reply is waiting for you")),
        Event("message_blocked", CONTACT, _("A message you sent was blocked")),
        Event("message_returned", CONTACT, _("A message you sent was returned undelivered")),
        Event("photo_blocked", CONTACT, _("A photo you sent was not delivered")),
        Event("connection_approved", CONTACT, _("A connection was approved")),
        Event("connection_declined", CONTACT, _("A connection request was declined or denied")),
        Event("connection_ended", CONTACT, _("A connection was ended")),
        Event("deposit_receipt", CONTACT, _("A payment went through (your receipt)")),
        Event("refund", CONTACT, _("Money is going back to your card")),
        Event("low_balance", CONTACT, _("Your wallet is running low")),
        Event(
            "signin_locked",
            CONTACT,
            _("Your account was locked after wrong passwords"),
            urgent=True,
        ),
        Event(
            "messaging_restricted",
            CONTACT,
            _("Your messaging was suspended, changed or restored"),
            urgent=True,
        ),
        Event("appeal_decided", CONTACT, _("An appeal of yours was decided")),
        Event("retention_warning", CONTACT, _("Old messages are about to lose their text")),
        Event("invitation", ADDRESS, _("A resident invited this address to write")),
        Event(
            "connection_requested",
            RESIDENT,
            _("Someone asked to write to you"),
            notice=_("%(name)s asked to write to you. Open Requests to accept or decline."),
        ),
        Event(
            "messaging_restricted_notice",
            RESIDENT,
            _("Your messaging was suspended, changed or restored"),
            notice="%(sentence)s",  # enforcement's sentence, as it is
        ),
        Event(
            "appeal_decided_notice",
            RESIDENT,
            _("An appeal of yours was decided"),
            notice="%(sentence)s",  # enforcement's sentence, as it is
        ),
        Event(
            "connection_started",
            RESIDENT,
            _("A connection started"),
            notice=_("You can now write to %(name)s."),
        ),
    )
}

CONTACT_EVENTS = tuple(e for e in EVENTS.values() if e.audience == CONTACT)
