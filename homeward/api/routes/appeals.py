"""Appeals: the sender of a blocked message, or a contact whose own messaging is stopped,
asks the facility to look again: once, within the facility's appeal window, in a few words.

Each thing is appealed once: appealing it again is 409 already_appealed (so a request
repeated after a lost answer makes nothing twice), and the appeal made shows on the message
(``appeal``) or on the connection's ``messaging_stopped``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from homeward.api import present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.schemas import AppealIn, AppealOut
from homeward.enforcement import appeals

messages_router = Router(tags=["appeals"])
restrictions_router = Router(tags=["appeals"])


@messages_router.post(
    "/{message_id}/appeal",
    response={201: AppealOut},
    summary="Appeal a blocked message",
    operation_id="messages_appeal",
)
@can_answer(
    "not_found",
    "not_blocked",
    "already_appealed",
    "appeal_window_closed",
    "nobody_to_decide",
    "statement_required",
    "statement_too_long",
)
def appeal_message(request: HttpRequest, message_id: int, data: AppealIn) -> Status[AppealOut]:
    """A message you sent that the facility blocked (``appealable`` on the message says
    whether you still may). Someone other than the person who blocked it decides, by
    ``due_at``; you are told the outcome, and an overturned block is delivered. Another
    person's message is 404, and nothing is filed."""
    appeal = appeals.appeal_message(
        appellant=contact_of(request), message_id=message_id, statement=data.statement
    )
    return Status(201, present.appeal_out(appeal))


@restrictions_router.post(
    "/{restriction_id}/appeal",
    response={201: AppealOut},
    summary="Appeal the stop of your messaging",
    operation_id="restrictions_appeal",
)
@can_answer(
    "not_found",
    "not_in_force",
    "already_appealed",
    "appeal_window_closed",
    "nobody_to_decide",
    "statement_required",
    "statement_too_long",
)
def appeal_restriction(
    request: HttpRequest, restriction_id: int, data: AppealIn
) -> Status[AppealOut]:
    """A suspension or revocation in force that stops your own messaging: the ``id`` of a
    connection's ``messaging_stopped`` (whose ``appealable`` says whether you still may).
    A facility admin decides; if it is overturned, your messaging comes back. One that
    stops only the resident's messaging, or another person's, is 404, and nothing is
    filed."""
    appeal = appeals.appeal_restriction(
        appellant=contact_of(request), restriction_id=restriction_id, statement=data.statement
    )
    return Status(201, present.appeal_out(appeal))
