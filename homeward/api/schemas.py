"""The shapes the API reads and writes. Statuses and policies are machine words, published
as enums whose values come from the models' own choices (see ``homeward.api.enums``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import JsonValue, model_validator

from homeward.api.enums import (
    AppealOf,
    AppealStatus,
    BlockCategory,
    ConnectionPolicy,
    ConnectionStatus,
    FacilityType,
    InitiatedBy,
    MessageDirection,
    MessageStage,
    MessageStatus,
    PaymentStatus,
    PayoutStatus,
    PhotoBlockReason,
    PhotoRefusal,
    PhotoStatus,
    PricePayer,
    PushKind,
    RestrictionKind,
    ReviewMode,
)
from homeward.core import keyset
from homeward.facilities.models import MAX_PHOTOS_PER_MESSAGE
from homeward.people.services import DISPLAY_NAME_MAX


class FieldError(Schema):
    field: str = Field(description="Where the value was wrong, e.g. 'amount_cents'.")
    message: str


class ErrorDetail(Schema):
    code: str = Field(
        description="Machine-readable; never changes once published. Each operation lists "
        "the codes it can answer under each status."
    )
    message: str = Field(description="A sentence for people.")
    fields: list[FieldError] | None = Field(
        None, description="422 invalid_input only: each value that was wrong."
    )
    payment_id: int | None = Field(
        None, description="402 card_declined only: the declined payment's record."
    )


class ErrorOut(Schema):
    error: ErrorDetail


# --- auth ---------------------------------------------------------------------------------


class TokenIn(Schema):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=100, description="What the token is for, e.g. 'My phone'.")


class SignUpNoticeOut(Schema):
    """The monitoring notice a person accepts by signing up."""

    version: str = Field(description="Send it back as notice_version when signing up.")
    text: list[str] = Field(description="What the notice says, one sentence each: show it all.")


class SignUpIn(Schema):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    display_name: str = Field(
        min_length=1, max_length=DISPLAY_NAME_MAX, description="The name residents see."
    )
    notice_version: str = Field(
        min_length=1,
        max_length=40,
        description="The version of the notice (GET /auth/signup) the person read and accepted.",
    )
    token_name: str = Field(
        "", max_length=100, description="What the token is for, e.g. 'My phone'."
    )


class TokenOut(Schema):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only once.")
    id: int = Field(description="The token's id, as GET /auth/tokens lists it.")
    prefix: str
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime = Field(
        description="When the token stops working (401 token_expired after). Fixed when it "
        "is made: refresh it before then (POST /auth/token/refresh) for a new one."
    )


class TokenInfoOut(Schema):
    """One of your live tokens (never its key)."""

    id: int
    prefix: str = Field(description="The key's first characters, to tell tokens apart.")
    name: str = Field(description="The device name given when it was made.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(
        description="When it was last used, to the minute (noted at most once a minute)."
    )
    expires_at: dt.datetime
    current: bool = Field(description="Whether this is the token of this request.")


# --- your own account ---------------------------------------------------------------------


class NotificationChoiceOut(Schema):
    event: str = Field(description="The event's name, e.g. reply_waiting.")
    label: str
    enabled: bool = Field(description="Whether Homeward emails you about it.")


class MeOut(Schema):
    email: str
    display_name: str
    email_verified: bool = Field(description="Emails go only to a confirmed address.")
    created_at: dt.datetime
    notifications: list[NotificationChoiceOut]
    daily_digest: bool = Field(description="One email a day listing the events, not one each.")


class NotificationsIn(Schema):
    events: dict[str, bool] = Field(
        {}, description="Events to turn on (true) or off (false), by name; others stay as they are."
    )
    daily_digest: bool | None = Field(
        None, description="One email a day (true) or one for each event (false); absent: as it is."
    )


class PasswordChangeIn(Schema):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)
    token_name: str = Field("", max_length=100, description="A name for the new token.")


class EmailChangeIn(Schema):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class EmailChangeOut(Schema):
    sent_to: str = Field(
        description="The confirmation link went here; nothing changes until it is opened."
    )


class CloseIn(Schema):
    password: str = Field(min_length=1, max_length=1024)


class ClosedOut(Schema):
    closed_at: dt.datetime


class PasswordResetIn(Schema):
    email: str = Field(min_length=1, max_length=254)


class PasswordResetOut(Schema):
    message: str


# --- facilities ---------------------------------------------------------------------------


class FacilityRef(Schema):
    code: str
    name: str


class FacilitySummary(FacilityRef):
    type: FacilityType
    state: str
    city: str
    services: list[str]
    connection_policy: ConnectionPolicy
    review_mode: ReviewMode
    message_length_limit: int = Field(
        description="The longest message body this facility takes, in Unicode code points "
        "(an emoji such as 😀 is 1, not the 2 UTF-16 units a phone's string length counts; "
        "not bytes), counted after line endings become \\n, control characters are dropped "
        "and the ends are trimmed. Longer is 400 message_too_long."
    )


class FacilityPageOut(Schema):
    facilities: list[FacilitySummary] = Field(description="By name, then code.")
    next_page: int | None = Field(
        description="Pass as `page` (with the same `state` and `q`) for the facilities "
        "after these; null: none after them."
    )


class PolicyOut(Schema):
    connection_policy: ConnectionPolicy
    staff_approval: bool
    contact_cap: int
    invite_days: int
    review_mode: ReviewMode
    review_target_hours: int = Field(description="Business hours within which review is due.")
    message_length_limit: int = Field(
        description="The longest message body this facility takes, in Unicode code points "
        "(an emoji such as 😀 is 1, not the 2 UTF-16 units a phone's string length counts; "
        "not bytes), counted after line endings become \\n, control characters are dropped "
        "and the ends are trimmed. Longer is 400 message_too_long."
    )
    show_block_reasons: bool
    refund_on_block: bool
    appeal_window_days: int
    business_hours: dict[str, Any] = Field(description='Facility-local: {"mon": [open, close]}')
    holidays: list[dt.date] = Field(description="Days the facility's staff do not work.")
    kiosk_hours: list[str] = Field(description="Facility-local [open, close].")
    content_rules: str


class AgencyRef(Schema):
    code: str
    name: str


class FacilityDetail(FacilitySummary):
    address: str
    timezone: str
    agency: AgencyRef
    policy: PolicyOut


# --- residents and connections ------------------------------------------------------------


class ResidentRef(Schema):
    number: str
    display_name: str = Field(description="First name and last initial.")


class ConnectionRef(Schema):
    id: int
    status: ConnectionStatus


class ResidentOut(ResidentRef):
    facility: FacilityRef
    in_custody: bool
    connection: ConnectionRef | None = Field(description="Your connection with them, if any.")


class ConnectionIn(Schema):
    facility: str = Field(min_length=1, max_length=30, description="The facility code.")
    number: str = Field(min_length=1, max_length=30, description="The resident number.")


class AppealOut(Schema):
    id: int
    status: AppealStatus = Field(description="open until the facility decides it.")
    of: AppealOf = Field(description="A blocked message, or the stop of your messaging.")
    statement: str = Field(description="What you wrote, as it was filed.")
    created_at: dt.datetime
    due_at: dt.datetime = Field(description="When the facility aims to decide by.")
    decided_at: dt.datetime | None
    decision_reason: str = Field(description="Why it was decided so; empty while open.")
    said: str = Field(description="Where it stands, in the sentence the web shows.")


class AppealIn(Schema):
    statement: str = Field(
        description="Why the decision should change, in a few words: up to 1,000 characters "
        "(400 statement_required when empty, statement_too_long when longer)."
    )


class MessagingStoppedOut(Schema):
    id: int = Field(description="The restriction: POST /restrictions/{id}/appeal to appeal it.")
    kind: RestrictionKind
    until: dt.datetime | None = Field(
        description="When messaging comes back by itself; null until the facility lifts it."
    )
    said: str = Field(description="The same sentence the web and kiosk show.")
    appealable: bool = Field(
        description="Whether you may appeal it now: it stops your own messaging (not the "
        "resident's), it has not been appealed, and the facility's appeal window is open."
    )
    appeal: AppealOut | None = Field(description="Your appeal of it, if you made one.")


class ConnectionOut(Schema):
    id: int
    status: ConnectionStatus
    initiated_by: InitiatedBy
    resident: ResidentRef
    facility: FacilityRef
    invite_expires_at: dt.datetime | None
    created_at: dt.datetime
    messaging_stopped: MessagingStoppedOut | None = Field(
        description="A suspension or revocation in force: nothing can be sent either way."
    )


class NoticeOut(Schema):
    agency: AgencyRef
    version: int = Field(description="Send this version back to accept it.")
    retention_days: int | None = Field(
        description="How many days the agency keeps message text; null: no end set."
    )
    privileged_channel: bool = Field(
        description="Whether the agency offers verified attorneys a privileged channel."
    )
    published_at: dt.datetime
    text: list[str] = Field(description="What the notice says, one sentence each: show it.")
    accepted: bool = Field(
        description="Whether you accepted this version. Until you do, sending to this "
        "agency's residents answers 403 notice_not_accepted."
    )


class NoticeAcceptIn(Schema):
    version: int = Field(description="The version you showed the person.")


# --- conversations and messages -----------------------------------------------------------


CURSOR = rf"^({keyset.CURSOR})?$"  # empty, or a cursor of a page


class PageQuery(Schema):
    before: str = Field(
        "", pattern=CURSOR, description="A page's `older` cursor: the messages before it."
    )
    after: str = Field(
        "", pattern=CURSOR, description="A page's `newer` cursor: the messages after it."
    )
    updated_after: str = Field(
        "",
        pattern=CURSOR,
        description="Sync: a page's `sync` (or, to go on, its `newer`): only the messages "
        "that changed after it (new, or moved to another status), in the order they "
        "changed. Not with `before` or `after` (422).",
    )
    limit: int = Field(
        50, ge=1, le=100, description="Messages per page (at most 100: under 100 KB)."
    )

    @model_validator(mode="after")
    def _one_way(self) -> PageQuery:
        if self.updated_after and (self.before or self.after):
            raise ValueError(_("send updated_after alone, without before or after"))
        return self


class ConversationsQuery(Schema):
    updated_after: dt.datetime | None = Field(
        None,
        description="Sync: the newest `updated_at` you hold. Only the conversations that "
        "changed after it, and those of the minute before it again (a change that took long "
        "to save carries the time it began); replace each by its connection_id.",
    )


class ConversationsPageQuery(ConversationsQuery):
    page: int = Field(1, ge=1, le=10_000, description="Which page: 1, the most recent first.")
    limit: int = Field(50, ge=1, le=200, description="Conversations per page (at most 200).")


class ConversationOut(Schema):
    connection_id: int
    resident: ResidentRef
    facility: FacilityRef
    status: ConnectionStatus = Field(description="The connection's status.")
    last_message_at: dt.datetime | None
    unread: int = Field(description="Replies delivered to you and not yet read.")
    messaging_stopped: MessagingStoppedOut | None = Field(
        description="A suspension or revocation in force: nothing can be sent either way."
    )
    updated_at: dt.datetime = Field(
        description="When the connection or a message you can see in it last changed: the "
        "newest you hold is the next `updated_after`."
    )


class ConversationPageOut(Schema):
    conversations: list[ConversationOut] = Field(
        description="The most recent first: by the newest message you can see, then by "
        "the last change."
    )
    next_page: int | None = Field(
        description="Pass as `page` for the conversations after these; null: none after "
        "them. A conversation that changes while you page moves to the front (it may be "
        "on no page you ask for): ask with `updated_after` afterwards for what changed."
    )


class StageOut(Schema):
    stage: MessageStage
    label: str
    at: dt.datetime


# A photo's id: a JSON number the database could hold (a larger one is no id, and must
# not reach a query).
PhotoId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]


class MessagePhotoOut(Schema):
    id: int = Field(description="GET /photos/{id} (and its thumbnail and picture).")
    status: PhotoStatus = Field(
        description="attached (waiting for review), approved or blocked (not delivered, "
        "and its price refunded)."
    )
    status_words: str = Field(description="Where it stands, in the request's language.")
    position: int = Field(description="Its place in the message, from 0.")


# What bounds a message body: the facility's own limit, which the schema cannot state as a
# number (it differs per facility), so it names where the number is.
BODY_MAX_LENGTH: dict[str, JsonValue] = {
    "x-max-length": "message_length_limit of the connection's facility (GET /facilities)",
    "x-length-unit": "unicode-code-points",
}


class MessageIn(Schema):
    body: str = Field(
        description="The text; may be empty when photo_ids are sent. Its maxLength is the "
        "facility's message_length_limit (in GET /facilities/{code}), counted in Unicode "
        "code points, as JSON Schema's maxLength counts, not UTF-16 units: 😀 is 1 "
        "character, though JavaScript's length says 2. Counted after line endings become "
        "\\n, control characters are dropped and the ends trimmed; longer is 400 "
        "message_too_long.",
        json_schema_extra=BODY_MAX_LENGTH,
    )
    idempotency_key: str = Field(
        "",
        max_length=64,
        description="Any unique string per message; sending it again with the same message "
        "returns that message (200), with another text, connection or prepaid_reply it is 409 "
        "idempotency_key_reused. Empty: every request sends a new message.",
    )
    client_token: str = Field(
        "",
        max_length=64,
        description="Deprecated: the old name of idempotency_key, still accepted. Send one "
        "of the two; both with different values is 422.",
        json_schema_extra={"deprecated": True},
    )
    prepaid_reply: bool = Field(
        False,
        description="Also pay for the resident's reply, where the facility offers it "
        "(otherwise 400 prepaid_reply_not_offered).",
    )
    photo_ids: list[PhotoId] = Field(
        [],
        max_length=MAX_PHOTOS_PER_MESSAGE,
        description="Your ready photos (POST /photos) to send with it, in this order; each "
        "is charged on its own. With photos, body may be empty. At most the facility's "
        "photos_per_message (400 too_many_photos); a photo not yours is 404 "
        "photo_not_found, one still being checked 409 photo_not_ready, one refused 409 "
        "photo_refused. A repeated idempotency_key must name the same photos.",
    )

    @model_validator(mode="after")
    def _one_key(self) -> MessageIn:
        if self.idempotency_key and self.client_token and self.idempotency_key != self.client_token:
            raise ValueError(_("send idempotency_key only; client_token is its old name"))
        return self

    @property
    def key(self) -> str:
        """The idempotency key, under its name or its deprecated alias."""
        return self.idempotency_key or self.client_token


class MessageOut(Schema):
    id: int
    connection_id: int
    direction: MessageDirection = Field(
        description="to_resident (you sent it) or to_contact (a reply)"
    )
    body: str
    status: MessageStatus
    block_category: BlockCategory | None = Field(
        description="Why it was not delivered, where the facility shows reasons."
    )
    timeline: list[StageOut]
    created_at: dt.datetime
    appeal: AppealOut | None = Field(description="Your appeal of its block, if you made one.")
    appealable: bool = Field(
        description="Whether you may appeal its block now: you sent it, it was blocked, it "
        "has not been appealed, and the facility's appeal window is open."
    )
    photos: list[MessagePhotoOut] = Field(
        description="The photos sent with it, in order; [] for a message without photos."
    )
    updated_at: dt.datetime = Field(
        description="When it last changed (sent, moved to another status, its text removed)."
    )


# --- money --------------------------------------------------------------------------------
# Money is always whole cents (integers); 1250 is $12.50.

# JSON numbers only: "12" or 12.5 or true is not an amount of cents.
Cents = Annotated[int, Field(strict=True)]
WholeNumber = Annotated[int, Field(strict=True)]


class MessagePage(Schema):
    messages: list[MessageOut] = Field(description="Oldest first. Without a cursor: the newest.")
    older: str | None = Field(
        description="Pass as `before` for the page of earlier messages; null: none earlier."
    )
    newer: str | None = Field(
        description="Pass as `after` for the messages after these. The page without a "
        "cursor, and a page asked for with `after` that is shorter than `limit`, end at the "
        "newest: keep their `newer` to ask later for what came since (an empty page: "
        "nothing yet). Null only for an empty conversation. With `updated_after`: pass it "
        "as `updated_after` for the rest of what changed; null when this page holds the rest."
    )
    sync: str = Field(
        description="Keep it, and pass it as `updated_after` later to get only what changed "
        "since this answer. It lags a minute behind (a change that took long to save carries "
        "the time it began), so a message may come again: replace each by its id."
    )


class LineOut(Schema):
    label: str = Field(description="What this part of the price is, for people.")
    cents: int


class QuoteIn(Schema):
    body: str = Field(
        description="The message as it would be sent; its length (in Unicode code points, "
        "as sending counts it: see MessageIn.body) sets the price. It may be empty when "
        "photos is above 0.",
        json_schema_extra=BODY_MAX_LENGTH,
    )
    prepaid_reply: bool = False
    photos: WholeNumber = Field(
        0,
        ge=0,
        le=MAX_PHOTOS_PER_MESSAGE,
        description="How many photos would go with it; each is priced on its own. At most "
        "the facility's photos_per_message (400 too_many_photos); where the facility takes "
        "no photos, 403 photos_not_offered.",
    )


class QuoteOut(Schema):
    lines: list[LineOut] = Field(description="The price, itemised.")
    total_cents: int = Field(description="The whole price, whoever pays it.")
    payer: PricePayer = Field(description="contact (you), resident or agency")
    payer_words: str
    to_pay_cents: int = Field(description="What you would be charged for sending it.")
    balance_cents: int | None = Field(
        description="Your wallet at this facility now; null when you do not pay."
    )
    balance_after_cents: int | None = Field(description="Your wallet after sending it.")
    affordable: bool = Field(description="False: sending it now would be refused with 402.")
    stamps: int = Field(
        description="How many of your stamps (bought ahead in a pack) would pay for it; "
        "0 when money pays."
    )


class PackOut(Schema):
    index: int = Field(description="Send as pack to buy it.")
    stamps: int
    cents: int = Field(description="The pack's price, taken from your wallet there.")


class WalletOut(Schema):
    facility: FacilityRef
    balance_cents: int
    stamps: int = Field(description="Stamps you bought ahead there and have not used yet.")
    stamp_packs: list[PackOut] = Field(
        description="Packs on sale there now, where you have a connection; [] if none."
    )


class DepositQuoteIn(Schema):
    amount_cents: Cents = Field(description="What reaches the wallet: 100 to 50000 cents.")


class DepositQuoteOut(Schema):
    lines: list[LineOut] = Field(description="The amount and every fee, itemised.")
    amount_cents: int
    fee_cents: int
    total_cents: int = Field(description="What the card is charged.")


class PayByCardIn(Schema):
    card: str = Field("", max_length=40, description="Card number (the sandbox's test cards).")
    idempotency_key: str = Field(
        min_length=1,
        max_length=100,
        description="A new unique string per payment; sending it again with the same "
        "payment returns that payment (200) and never charges twice; with another amount, "
        "card or recipient it is 409 idempotency_key_reused.",
    )
    expected_total_cents: Cents | None = Field(
        None, description="The quote's total_cents, as shown to the payer."
    )


class DepositIn(DepositQuoteIn, PayByCardIn):
    pass


class TrustDepositQuoteIn(Schema):
    amount_cents: Cents = Field(
        description="What reaches the resident's trust account: 100 to 50000 cents."
    )


class TrustDepositIn(TrustDepositQuoteIn, PayByCardIn):
    pass


class IdempotentIn(Schema):
    idempotency_key: str = Field(
        min_length=1,
        max_length=100,
        description="A new unique string per request; sending it again does it only once "
        "and answers as the first time; with another request it is 409 "
        "idempotency_key_reused.",
    )


class RefundPayoutOut(Schema):
    receipt_number: str = Field(description="The payment whose card this goes back to.")
    amount_cents: int
    status: PayoutStatus


class RefundOut(Schema):
    refunded_cents: int = Field(
        description="Sent back to your cards by this request, with no fee (unused stamps "
        "first come back to the wallet at what they cost). 0 when the wallet was empty; a "
        "repeated key answers what the first request refunded."
    )
    payouts: list[RefundPayoutOut]


class StampPackIn(IdempotentIn):
    pack: WholeNumber = Field(description="The index of a pack in the wallet's stamp_packs.")


class StampPackOut(Schema):
    stamps: int = Field(description="Stamps in the pack bought.")
    cents: int = Field(description="What it cost, from your wallet there.")
    stamps_held: int = Field(description="Your unused stamps there now.")


class PayoutOut(Schema):
    amount_cents: int
    status: PayoutStatus
    reason: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class PaymentOut(Schema):
    id: int
    receipt_number: str
    status: PaymentStatus
    facility: FacilityRef
    resident: ResidentRef | None = Field(description="Set for money to a trust account.")
    amount_cents: int
    fee_cents: int
    total_cents: int = Field(description="What the card was charged.")
    card_last4: str
    failure_reason: str
    refunded_cents: int = Field(description="Sent back to the card so far.")
    payouts: list[PayoutOut] = Field(description="Refunds to the card.")
    created_at: dt.datetime
    completed_at: dt.datetime | None
    redirect_url: str | None = Field(
        None,
        description="Where to finish paying, for a hosted checkout, in the answer that "
        "started the payment; null otherwise.",
    )


class StatementLineOut(Schema):
    at: dt.datetime
    facility: FacilityRef | None = Field(description="Null for a line of no facility.")
    description: str
    card_cents: int | None = Field(
        description="Charged to your card, or (negative) refunded to it; null if no card."
    )
    wallet_cents: int = Field(description="The change to your wallet at that facility.")
    wallet_after_cents: int
    payment_id: int | None = Field(description="The receipt: GET /payments/{payment_id}.")


class StatementQuery(Schema):
    before: str = Field(
        "", pattern=CURSOR, description="A page's `older` cursor: the lines before it."
    )
    limit: int = Field(100, ge=1, le=500, description="Lines per page (at most 500).")


class StatementPageOut(Schema):
    lines: list[StatementLineOut] = Field(
        description="Oldest first. Without a cursor: the newest. Each line's "
        "`wallet_after_cents` is the wallet's balance after it, on every page."
    )
    older: str | None = Field(
        description="Pass as `before` for the page of earlier lines; null: none earlier."
    )


class StatementLineDeprecatedOut(StatementLineOut):
    """A line of the deprecated GET /statement: ``facility`` is the name alone."""

    facility: str  # type: ignore[assignment]


class ReadIn(Schema):
    up_to_message_id: WholeNumber | None = Field(
        None,
        description="The newest reply the person saw: it and the replies before it become "
        "read, not ones that arrived after. Leave out (or null) to mark every delivered "
        "reply read.",
    )


class ReadOut(Schema):
    marked_read: list[int] = Field(description="The replies this request marked read.")


# --- photos -------------------------------------------------------------------------------


class PhotoOut(Schema):
    id: int
    status: PhotoStatus = Field(
        description="checking until the check is done (poll GET /photos/{id}), then ready "
        "to send or refused. Once sent: attached (waiting for review), approved or blocked."
    )
    status_words: str = Field(description="Where it stands, in the request's language.")
    refusal_code: PhotoRefusal | None = Field(
        description="Why the check refused it; null unless refused."
    )
    block_reason: PhotoBlockReason | None = Field(
        description="Why it was not delivered, where the facility shows reasons."
    )
    facility: FacilityRef = Field(description="Where it can be sent.")
    width: int = Field(description="In pixels: the file's until checked, then the kept picture's.")
    height: int
    byte_size: int | None = Field(description="The kept JPEG's size; null until checked.")
    message_id: int | None = Field(description="The message it went with; null until sent.")
    position: int | None = Field(description="Its place in that message; null until sent.")
    created_at: dt.datetime
    checked_at: dt.datetime | None
    attached_at: dt.datetime | None = Field(description="When it was sent.")
    decided_at: dt.datetime | None = Field(description="When it was approved or blocked.")


# --- push ---------------------------------------------------------------------------------


class PushKindOut(Schema):
    kind: PushKind
    offered: bool
    application_server_key: str | None = Field(
        None,
        description="Web Push: the VAPID public key to subscribe with (applicationServerKey).",
    )


class PushKeysIn(Schema):
    p256dh: str = Field(
        min_length=1, max_length=100, description="From the subscription (base64url)."
    )
    auth: str = Field(min_length=1, max_length=40, description="From the subscription (base64url).")


class PushDeviceIn(Schema):
    kind: PushKind = Field(description="Only webpush is offered.")
    endpoint: str = Field(min_length=1, max_length=1000, description="The subscription's endpoint.")
    keys: PushKeysIn
    name: str = Field("", max_length=100, description="What the device is, e.g. 'Ana's phone'.")


class PushDeviceOut(Schema):
    id: int
    kind: PushKind
    name: str
    created_at: dt.datetime
    last_sent_at: dt.datetime | None = Field(description="When a push last reached its service.")
