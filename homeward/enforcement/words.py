"""What enforcement says to the people it concerns about their appeals."""

from __future__ import annotations

from homeward.core.words import moment
from homeward.enforcement.models import Appeal


def _what(appeal: Appeal) -> str:
    if appeal.message is not None:
        return "your appeal of a blocked message"
    return "your appeal of the suspension of your messaging"


def decided(appeal: Appeal) -> str:
    """One sentence on the outcome, to the person who appealed."""
    what = _what(appeal)
    if appeal.status == Appeal.Status.OVERTURNED:
        if appeal.message is not None:
            return f"The facility overturned the block ({what}): the message is being delivered."
        return f"The facility accepted {what}: your messaging is back."
    return f"The facility upheld the decision ({what}); it stands."


def state(appeal: Appeal) -> str:
    """Where an appeal stands, for the page it was made from."""
    if appeal.status == Appeal.Status.OPEN:
        due = moment(appeal.due_at, appeal.facility.timezone)
        return f"You appealed. The facility aims to decide by {due}."
    return f"{decided(appeal)} Reason: “{appeal.decision_reason}”"
