"""Turn domain objects into API schemas. Nothing here queries beyond the object given and
what belongs to it (a payment's refunds, a message's or a restriction's appeal, a photo's
facility and its policy); a message's photos are given to it.

Words for people (labels, sentences) are in the request's language, made plain text here:
a lazily translated label is not a string to the schemas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from homeward.api import schemas as s
from homeward.api.models import ApiToken
from homeward.connections.models import Connection
from homeward.enforcement import appeals, restrictions, words
from homeward.enforcement.models import Appeal, Restriction
from homeward.facilities.models import Facility
from homeward.ledger.access import Wallet
from homeward.ledger.charges import Preview
from homeward.ledger.models import Payment, Payout
from homeward.ledger.payments import DepositQuote, failure_words
from homeward.ledger.statements import StatementLine
from homeward.ledger.words import shown_payout_reason
from homeward.messaging import selectors as messages
from homeward.messaging.models import Message
from homeward.monitoring.words import shown_body
from homeward.people import notices
from homeward.people.models import AgencyNotice, Contact, Resident
from homeward.photos import words as photo_words
from homeward.photos.models import Photo

if TYPE_CHECKING:
    from homeward.messaging.selectors import Conversation

# Timeline stages to machine words, from the selector's own table: "in review" -> "in_review".
_STAGE = {stage: field.removesuffix("_at") for stage, field in messages.TIMELINE}


def facility_ref(facility: Facility) -> s.FacilityRef:
    return s.FacilityRef(code=facility.code, name=facility.name)


def facility_summary(facility: Facility) -> s.FacilitySummary:
    policy = facility.policy
    return s.FacilitySummary(
        code=facility.code,
        name=facility.name,
        type=facility.type,
        state=facility.state,
        city=facility.city,
        services=list(facility.services),
        connection_policy=policy.connection_policy,
        review_mode=policy.review_mode,
        message_length_limit=policy.message_length_limit,
    )


def notice_out(notice: AgencyNotice, *, contact: Contact) -> s.NoticeOut:
    agency = notice.agency
    return s.NoticeOut(
        agency=s.AgencyRef(code=agency.code, name=agency.name),
        version=notice.version,
        retention_days=notice.retention_days,
        privileged_channel=notice.privileged_channel,
        published_at=notice.published_at,
        text=notices.sentences(notice),
        accepted=notices.has_accepted(contact, agency.pk),
    )


def facility_detail(facility: Facility) -> s.FacilityDetail:
    policy = facility.policy
    return s.FacilityDetail(
        **facility_summary(facility).model_dump(),
        address=facility.address,
        timezone=facility.timezone,
        agency=s.AgencyRef(code=facility.agency.code, name=facility.agency.name),
        policy=s.PolicyOut(
            connection_policy=policy.connection_policy,
            staff_approval=policy.staff_approval,
            contact_cap=policy.contact_cap,
            invite_days=policy.invite_days,
            review_mode=policy.review_mode,
            review_target_hours=policy.review_target_hours,
            message_length_limit=policy.message_length_limit,
            show_block_reasons=policy.show_block_reasons,
            refund_on_block=policy.refund_on_block,
            appeal_window_days=policy.appeal_window_days,
            business_hours=policy.business_hours,
            holidays=policy.holidays,
            kiosk_hours=policy.kiosk_hours,
            content_rules=policy.content_rules,
        ),
    )


def display_name(resident: Resident) -> str:
    """First name and last initial: enough to recognise, no more than a contact needs."""
    initial = resident.last_name[:1]
    return f"{resident.first_name} {initial}." if initial else resident.first_name


def resident_ref(resident: Resident) -> s.ResidentRef:
    return s.ResidentRef(number=resident.number, display_name=display_name(resident))


def resident_out(resident: Resident, connection: Connection | None) -> s.ResidentOut:
    return s.ResidentOut(
        **resident_ref(resident).model_dump(),
        facility=facility_ref(resident.facility),
        in_custody=resident.in_custody,
        connection=s.ConnectionRef(id=connection.pk, status=connection.status)
        if connection
        else None,
    )


def connections_out(connections: Sequence[Connection]) -> list[s.ConnectionOut]:
    """Connections, with what stops each read for all of them at once."""
    stopped = restrictions.on_each(connections)
    return [_connection_out(c, stopped[c.pk]) for c in connections]


def connection_out(connection: Connection) -> s.ConnectionOut:
    return _connection_out(connection, restrictions.on(connection))


def _connection_out(connection: Connection, restriction: Restriction | None) -> s.ConnectionOut:
    """A connection, and what stops its messages (``restrictions.on``)."""
    return s.ConnectionOut(
        id=connection.pk,
        status=connection.status,
        initiated_by=connection.initiated_by,
        resident=resident_ref(connection.resident),
        facility=facility_ref(connection.facility),
        invite_expires_at=connection.invite_expires_at,
        created_at=connection.created_at,
        messaging_stopped=messaging_stopped(connection, restriction),
    )


def messaging_stopped(
    connection: Connection, restriction: Restriction | None
) -> s.MessagingStoppedOut | None:
    """``restriction``, what stops the connection's messages (``restrictions.on``), as the
    API says it; None when nothing does."""
    if restriction is None:
        return None
    contact = connection.contact
    appeal = _appeal_of(restriction)
    return s.MessagingStoppedOut(
        id=restriction.pk,
        kind=restriction.kind,
        until=restriction.ends_at,
        said=str(restrictions.describe(restriction, reader=contact)),
        # Once appealed (by either side of a connection), it cannot be appealed again.
        appealable=appeal is None
        and contact is not None
        and appeals.appealable_restriction(contact, restriction),
        appeal=_theirs(appeal, contact),
    )


def conversations_out(connections: Sequence[Conversation]) -> list[s.ConversationOut]:
    """Connections annotated by ``messaging.selectors.conversations_of_contact``, with what
    stops each read for all of them at once."""
    stopped = restrictions.on_each(connections)
    return [_conversation_out(c, stopped[c.pk]) for c in connections]


def _conversation_out(
    connection: Conversation, restriction: Restriction | None
) -> s.ConversationOut:
    """A connection annotated by ``messaging.selectors.conversations_of_contact``, and what
    stops its messages (``restrictions.on``)."""
    return s.ConversationOut(
        connection_id=connection.pk,
        resident=resident_ref(connection.resident),
        facility=facility_ref(connection.facility),
        status=connection.status,
        last_message_at=connection.last_message_at,
        unread=connection.unread,
        messaging_stopped=messaging_stopped(connection, restriction),
        updated_at=connection.changed_at,
    )


def appeal_out(appeal: Appeal) -> s.AppealOut:
    return s.AppealOut(
        id=appeal.pk,
        status=appeal.status,
        of="message" if appeal.message_id is not None else "restriction",
        statement=appeal.statement,
        created_at=appeal.created_at,
        due_at=appeal.due_at,
        decided_at=appeal.decided_at,
        decision_reason=appeal.decision_reason,
        said=str(words.state(appeal)),
    )


def _appeal_of(thing: Message | Restriction) -> Appeal | None:
    # The reverse one-to-one: cached when the query selected it, one query otherwise.
    return getattr(thing, "appeal", None)


def _theirs(appeal: Appeal | None, reader: Contact | None) -> s.AppealOut | None:
    """The appeal, to the contact who made it only: a resident's appeal of their blocked
    reply (delivered once overturned) or of a connection's stop is not the contact's."""
    if appeal is None or reader is None or appeal.contact_id != reader.pk:
        return None
    return appeal_out(appeal)


def message_out(
    message: Message,
    *,
    show_block_reasons: bool,
    reader: Contact,
    photos: Sequence[Photo] = (),
) -> s.MessageOut:
    """``reader`` is the contact asking (whose appeal it may be); ``photos`` are the ones
    sent with the message, in order (``photos.access.of_messages``)."""
    shown = message.block_category if show_block_reasons else ""
    appeal = _appeal_of(message)
    return s.MessageOut(
        id=message.pk,
        connection_id=message.connection_id,
        direction=message.direction,
        body=shown_body(message),
        status=message.status,
        block_category=shown or None,
        timeline=[
            # The stage by its machine word, with its label in the request's language.
            s.StageOut(stage=_STAGE[stage], label=str(label), at=at)
            for (stage, at), (label, _at) in zip(
                messages.timeline(message), messages.shown_timeline(message), strict=True
            )
        ],
        created_at=message.created_at,
        appeal=_theirs(appeal, reader),
        # Only a blocked message not yet appealed can be: the rest need no look.
        appealable=message.status == Message.Status.BLOCKED
        and appeal is None
        and appeals.appealable_message(reader, message),
        photos=[_message_photo(photo, message) for photo in photos],
        updated_at=message.updated_at,
    )


def _message_photo(photo: Photo, message: Message) -> s.MessagePhotoOut:
    photo.message = message  # its words ask whether the message was delivered: no query
    return s.MessagePhotoOut(
        id=photo.pk,
        status=photo.status,
        status_words=str(photo_words.status_words(photo)),
        position=photo.position,
    )


# --- photos -------------------------------------------------------------------------------


def photo_out(photo: Photo) -> s.PhotoOut:
    """One of the reader's own photos. Its block reason only where the facility shows
    reasons (as its words do)."""
    sent = photo.message_id is not None
    shows_reasons = photo.facility.policy.show_block_reasons
    return s.PhotoOut(
        id=photo.pk,
        status=photo.status,
        status_words=str(photo_words.status_words(photo)),
        refusal_code=photo.refusal_code or None,
        block_reason=(photo.block_reason or None) if shows_reasons else None,
        facility=facility_ref(photo.facility),
        width=photo.width,
        height=photo.height,
        byte_size=photo.byte_size,
        message_id=photo.message_id,
        position=photo.position if sent else None,
        created_at=photo.created_at,
        checked_at=photo.checked_at,
        attached_at=photo.attached_at,
        decided_at=photo.decided_at,
    )


# --- money --------------------------------------------------------------------------------


def lines_out(lines: list[tuple[str, int]]) -> list[s.LineOut]:
    return [s.LineOut(label=str(label), cents=cents) for label, cents in lines]


def quote_out(preview: Preview) -> s.QuoteOut:
    price = preview.price
    return s.QuoteOut(
        lines=lines_out(price.lines),
        total_cents=price.total,
        payer=price.payer,
        payer_words=str(price.payer_words),
        to_pay_cents=price.to_pay if preview.balance is not None else 0,
        balance_cents=preview.balance,
        balance_after_cents=preview.balance_after,
        affordable=preview.affordable,
        stamps=price.stamps,
    )


def wallet_out(wallet: Wallet) -> s.WalletOut:
    return s.WalletOut(
        facility=facility_ref(wallet.facility),
        balance_cents=wallet.balance,
        stamps=wallet.stamps,
        stamp_packs=[
            s.PackOut(index=index, stamps=pack.stamps, cents=pack.cents)
            for index, pack in enumerate(wallet.packs)
        ],
    )


def refund_out(payouts: list[Payout]) -> s.RefundOut:
    return s.RefundOut(
        refunded_cents=sum(payout.amount_cents for payout in payouts),
        payouts=[
            s.RefundPayoutOut(
                receipt_number=payout.payment.receipt_number,
                amount_cents=payout.amount_cents,
                status=payout.status,
            )
            for payout in payouts
        ],
    )


def deposit_quote_out(quote: DepositQuote) -> s.DepositQuoteOut:
    return s.DepositQuoteOut(
        lines=lines_out(quote.lines),
        amount_cents=quote.amount,
        fee_cents=quote.fee,
        total_cents=quote.total,
    )


def payment_out(payment: Payment) -> s.PaymentOut:
    """A payment as its receipt shows it, with its refunds to the card."""
    return s.PaymentOut(
        id=payment.pk,
        receipt_number=payment.receipt_number,
        status=payment.status,
        facility=facility_ref(payment.facility),
        resident=resident_ref(payment.resident) if payment.resident else None,
        amount_cents=payment.amount_cents,
        fee_cents=payment.fee_cents,
        total_cents=payment.total_cents,
        card_last4=payment.card_last4,
        failure_reason=failure_words(payment),
        refunded_cents=payment.refunded_cents,
        payouts=[
            s.PayoutOut(
                amount_cents=payout.amount_cents,
                status=payout.status,
                reason=shown_payout_reason(payout),
                created_at=payout.created_at,
                sent_at=payout.sent_at,
            )
            for payout in payment.payouts.order_by("created_at", "id")
        ],
        created_at=payment.created_at,
        completed_at=payment.completed_at,
        redirect_url=None,
    )


def deposit_out(payment: Payment, redirect_url: str) -> s.PaymentOut:
    """A payment just started: its receipt, and where to finish a hosted checkout."""
    out = payment_out(payment)
    out.redirect_url = redirect_url or None
    return out


def statement_line_out(line: StatementLine) -> s.StatementLineOut:
    facility = s.FacilityRef(code=line.facility_code, name=line.facility)
    return s.StatementLineOut(
        at=line.at,
        facility=facility if line.facility_code else None,
        description=str(line.what),
        card_cents=line.card_cents,
        wallet_cents=line.wallet_cents,
        wallet_after_cents=line.wallet_after,
        payment_id=line.receipt.pk if line.receipt else None,
    )


def token_out(token: ApiToken, key: str) -> s.TokenOut:
    """A token just made, with its key (shown this once)."""
    return s.TokenOut(
        token=key,
        id=token.pk,
        prefix=token.prefix,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
    )
