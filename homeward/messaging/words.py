"""Where a message went, said to the person who sent it."""

from __future__ import annotations

from homeward.facilities.models import FacilityPolicy
from homeward.facilities.words import review_time
from homeward.messaging.models import Message
from homeward.screening import categories

S = Message.Status
Review = FacilityPolicy.ReviewMode


def message_outcome(message: Message, *, show_reasons: bool) -> str:
    """Why a message did not arrive, when it did not; '' otherwise."""
    if message.status == S.BLOCKED:
        if show_reasons and message.block_category:
            return f"Not delivered. Reason: {categories.label(message.block_category)}."
        return "Not delivered. This facility does not say why."
    if message.status == S.RETURNED:
        reason = message.return_reason or "it could not be delivered"
        return f"Returned without being delivered, because {reason}."
    return ""


def sent_words(message: Message) -> str:
    """The flash shown after sending: where the message goes next."""
    policy = message.facility.policy
    if policy.review_mode == Review.EVERYTHING:
        return (
            "Sent. Staff will read it before it is delivered, "
            f"{review_time(policy)}. Follow its progress below."
        )
    return "Sent. It is being checked and will be delivered soon. Follow its progress below."
