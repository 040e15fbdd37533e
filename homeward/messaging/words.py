"""Where a message went, said to the person who sent it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.facilities.models import FacilityPolicy
from homeward.facilities.words import review_time
from homeward.messaging.models import Message
from homeward.screening import categories

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = Message.Status
Review = FacilityPolicy.ReviewMode

# Why a message was returned, as it is stored on the message (``return_reason``, written
# in English by whoever returned it), in the reader's words. A reason not listed here is
# shown as it was stored.
RETURN_REASONS: dict[str, StrOrPromise] = {
    "connection blocked": gettext_lazy("connection blocked"),
    "connection ended": gettext_lazy("connection ended"),
    "connection denied": gettext_lazy("connection denied"),
    "connection no longer active": gettext_lazy("connection no longer active"),
    "resident released": gettext_lazy("resident released"),
    "resident moved to another facility": gettext_lazy("resident moved to another facility"),
    "messaging suspended": gettext_lazy("messaging suspended"),
    "messaging revoked": gettext_lazy("messaging revoked"),
}


def know_return_reasons(said: Mapping[str, StrOrPromise]) -> None:
    """Add reasons other apps return a message for: the English stored, and its words."""
    RETURN_REASONS.update(said)


def return_reason(message: Message) -> str:
    """Why ``message`` was returned, in the reader's language when it is a reason we know;
    '' when none was kept."""
    stored = message.return_reason
    return str(RETURN_REASONS.get(stored, stored))


def message_outcome(message: Message, *, show_reasons: bool) -> str:
    """Why a message did not arrive, when it did not; '' otherwise."""
    if message.status == S.BLOCKED:
        if show_reasons and message.block_category:
            return _("Not delivered. Reason: %(reason)s.") % {
                "reason": categories.label(message.block_category)
            }
        return _("Not delivered. This facility does not say why.")
    if message.status == S.RETURNED:
        reason = return_reason(message)
        if not reason:
            return _("Returned without being delivered, because it could not be delivered.")
        return _("Returned without being delivered, because %(reason)s.") % {"reason": reason}
    return ""


def sent_words(message: Message) -> str:
    """The flash shown after sending: where the message goes next."""
    policy = message.facility.policy
    if policy.review_mode == Review.EVERYTHING:
        return _(
            "Sent. Staff will read it before it is delivered, %(when)s. Follow its progress below."
        ) % {"when": review_time(policy)}
    return _("Sent. It is being checked and will be delivered soon. Follow its progress below.")
