"""Card money in (deposits to a wallet, money to a trust account) and back out (refunds to
the card, with no fee).

A payment is recorded before the card company is asked, and the ledger moves only when the
card company says the money arrived: at once, or later by webhook. Webhooks are applied once
per event id, in any order: a success always wins over a decline, because money that
arrived must be credited; a decline never undoes a success.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.db import connection as db_connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.connections.models import Connection
from homeward.core import audit, clock
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.core.hooks import Hook
from homeward.core.templatetags.money import dollars
from homeward.facilities.models import Facility
from homeward.jobs import services as jobs
from homeward.ledger import charges, pricing, providers, stamps, words
from homeward.ledger import services as ledger
from homeward.ledger.models import (
    Account,
    EmptyRefund,
    Payment,
    Payout,
    Transaction,
    WebhookEvent,
)
from homeward.people.models import Contact, Resident

K = Account.Kind
P = Payment.Status
MIN_DEPOSIT = 100  # cents
MAX_DEPOSIT = 50_000  # cents: $500 per payment

# Called in the transaction that credits a payment (to a wallet or a trust account), once:
# notifications registers sending the payer the receipt.
payment_succeeded: Hook[[Payment]] = Hook("payment_succeeded")
# Called in the transaction that sends money back to a contact's cards (a wallet refund,
# or trust money that arrived after its resident left), with that refund's payouts, never
# none: notifications registers telling the contact.
refund_started: Hook[[Contact, Facility, list[Payout]]] = Hook("refund_started")


@dataclass(frozen=True)
class DepositQuote:
    lines: list[tuple[str, int]]
    amount: int
    fee: int

    @property
    def total(self) -> int:
        return self.amount + self.fee


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError("bad_amount", _("Amounts are whole cents."))
    if not MIN_DEPOSIT <= amount <= MAX_DEPOSIT:
        raise DomainError(
            "bad_amount",
            _("A payment is between %(least)s and %(most)s.")
            % {"least": dollars(MIN_DEPOSIT), "most": dollars(MAX_DEPOSIT)},
        )


def quote(
    *,
    facility: Facility,
    amount: int,
    resident: Resident | None = None,
    contact: Contact | None = None,
) -> DepositQuote:
    """Every fee, itemised, before any money moves. The schedule's account fee is charged
    once, with a contact's first deposit into their wallet at the facility."""
    _check_amount(amount)
    schedule = pricing.schedule_in_force(facility.pk, clock.now())
    what = (
        _("Money to %(name)s's trust account") % {"name": resident.first_name}
        if resident
        else _("Deposit to your wallet at %(facility)s") % {"facility": facility.name}
    )
    lines = [(what, amount)]
    deposit_fee = pricing.deposit_fee(schedule, amount)
    if deposit_fee:
        lines.append((_("Deposit fee"), deposit_fee))
    first_deposit = not Payment.objects.filter(
        contact=contact, facility=facility, resident=None, status__in=(P.SUCCEEDED, P.PENDING)
    ).exists()
    if schedule.account_fee_cents and contact is not None and not resident and first_deposit:
        lines.append(
            (_("Account fee (once, with your first deposit here)"), schedule.account_fee_cents)
        )
    return DepositQuote(lines, amount, sum(cents for _, cents in lines[1:]))


def trust_recipient(contact: Contact, connection_id: int) -> Connection:
    """The contact's own connection to send trust money over (NotFound otherwise), active and
    with the resident still in custody (Conflict otherwise)."""
    connection = (
        Connection.objects.select_related("resident", "facility")
        .filter(pk=connection_id, contact=contact)
        .first()
    )
    if connection is None:
        raise NotFound()
    if not connection.is_active or not connection.resident.in_custody:
        raise Conflict(
            "connection_not_active",
            _("Money can go only to someone you are connected with who is still in custody."),
        )
    return connection


# Why a card payment did not go through, as the card companies' answers are stored (in
# English: a webhook has no reader): said in the reader's language.
_STORED_REASONS = {
    "The card was declined.": gettext_lazy("The card was declined."),
    "Your card was declined.": gettext_lazy("Your card was declined."),
    "The payment did not go through.": gettext_lazy("The payment did not go through."),
}


def failure_words(payment: Payment) -> str:
    """Why the payment did not go through, in the reader's language where it is one of
    the reasons the card companies' answers store ('' when nothing failed)."""
    reason = payment.failure_reason
    return str(_STORED_REASONS.get(reason, reason))


def nothing_charged(reason: str) -> str:
    """A refused payment's reason, saying that no money moved (once)."""
    # Translators: found inside the reasons a payment was refused for, to say it only once;
    # write it as those sentences do.
    if any(said in reason for said in ("Nothing was charged", _("Nothing was charged"))):
        return reason
    return _("%(reason)s Nothing was charged. Try again with another card.") % {"reason": reason}


class CardDeclined(DomainError):
    """The card company said no. The payment is on record, declined; its id goes with the
    error so a client can show it."""

    status = 402

    def __init__(self, payment: Payment) -> None:
        reason = failure_words(payment) or str(_STORED_REASONS["The card was declined."])
        super().__init__("card_declined", nothing_charged(reason))
        self.details = {"payment_id": payment.pk}


class TotalChanged(Conflict):
    def __init__(self, *, total: int, expected: int) -> None:
        super().__init__(
            "total_changed",
            _(
                "The fee changed after you saw the total: it is now %(total)s, not "
                "%(expected)s. Nothing was charged; check the new total and pay again."
            )
            % {"total": dollars(total), "expected": dollars(expected)},
        )


@dataclass(frozen=True)
class Started:
    """What starting a payment did: the payment, where a hosted checkout finishes, and
    whether this request made it (False: the key was used before, for the same payment)."""

    payment: Payment
    redirect_url: str
    created: bool

    @property
    def declined(self) -> bool:
        return self.payment.status == P.DECLINED

    def refuse_if_declined(self) -> Started:
        """Itself, or CardDeclined (402) when the card company said no."""
        if self.declined:
            raise CardDeclined(self.payment)
        return self


def start(
    *,
    contact: Contact,
    facility: Facility,
    amount: int,
    key: str,
    card: str = "",
    connection_id: int | None = None,
    return_url: str = "",
    provider: str | None = None,
    expected_total: int | None = None,
) -> Started:
    """Start a payment: to the contact's wallet at ``facility``, or (with ``connection_id``)
    to that resident's trust account. Returns the payment, the address where the payer
    finishes a hosted checkout, and whether this request made the payment: decided by the
    database as the payment is saved (the key is unique), never by a look beforehand.

    The same key for the same payment (payer, facility, resident, amount, card) answers the
    payment as the first request left it, waiting for that request's card company answer if
    it is still out; the same key for anything else is 409 idempotency_key_reused and
    changes nothing.

    ``expected_total`` is the total the payer was shown (``quote(...).total``): a new
    payment whose total is not that any more (a fee changed in between) is refused with
    409 total_changed, and nothing is recorded. A repeat answers the payment it made,
    whatever the total is now."""
    if not key.strip():
        raise DomainError("key_required", _("Every payment needs an idempotency key."))
    earlier = Payment.objects.filter(key=key).first()
    if earlier is not None:  # asked before: answer it as it stands, whatever changed since
        return _replay(
            earlier,
            contact=contact,
            amount=amount,
            card=card,
            connection_id=connection_id,
            facility=facility,
        )
    resident = None
    if connection_id is not None:
        connection = trust_recipient(contact, connection_id)
        resident, facility = connection.resident, connection.facility
    chosen = providers.get(provider)
    made: Payment | None
    with _start_lock() as hold:
        with transaction.atomic():
            # The payer's row, held to the commit: an account closing now either finishes
            # first (and the payment is refused) or waits and sees this payment pending.
            # FOR NO KEY UPDATE: it still keeps out the closing (FOR UPDATE), but not the
            # key-share lock a twin's new payment takes on the row as its foreign key is
            # checked at commit (FOR UPDATE there deadlocks twins on PostgreSQL).
            closed_at = (
                Contact.objects.select_for_update(no_key=True)
                .filter(pk=contact.pk)
                .values_list("closed_at", flat=True)
                .first()
            )
            if closed_at is not None:
                raise NotFound(_("This account is closed."))
            # Priced under the payer's row: of two payments (two keys) into a wallet with no
            # deposit yet, only the first to hold the row carries the account fee, and the
            # other's total has changed since it was shown. (A twin with this very key is
            # answered below, as the payment it made.)
            priced = quote(facility=facility, amount=amount, resident=resident, contact=contact)
            if (
                expected_total is not None
                and priced.total != expected_total
                and not Payment.objects.filter(key=key).exists()
            ):
                raise TotalChanged(total=priced.total, expected=expected_total)
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        contact=contact,
                        facility=facility,
                        resident=resident,
                        key=key,
                        provider=chosen.name,
                        amount_cents=amount,
                        fee_cents=priced.fee,
                        card_last4=_last4(card),
                        created_at=clock.now(),
                    )
            except IntegrityError:  # a twin request with the same key saved it first
                made = None
            else:
                made = payment
                # Held from before the payment can be seen until the card company's answer
                # is applied: a twin waits for it rather than answer a half-made payment.
                hold(made.pk)
        if made is None:
            return _replay(
                Payment.objects.get(key=key),
                contact=contact,
                amount=amount,
                card=card,
                connection_id=connection_id,
                facility=facility,
            )
        return _ask_card_company(made, chosen, card=card, return_url=return_url)


def _ask_card_company(
    payment: Payment, chosen: providers.Provider, *, card: str, return_url: str
) -> Started:
    # The card company is asked outside any transaction; its answer is applied in one.
    try:
        begun = chosen.begin(payment, card=card, return_url=return_url)
    except DomainError as error:
        _finish(payment.pk, outcome="declined", failure_reason=error.message)
        raise
    Payment.objects.filter(pk=payment.pk).update(
        provider_ref=begun.provider_ref,
        card_last4=begun.card_last4,
        checkout_url=begun.redirect_url,
    )
    if begun.status != "pending":
        _finish(
            payment.pk,
            outcome=begun.status,
            provider_charge=begun.provider_charge,
            failure_reason=begun.failure_reason,
        )
    payment.refresh_from_db()
    return Started(payment, begun.redirect_url, created=True)


def _replay(
    payment: Payment,
    *,
    contact: Contact,
    facility: Facility,
    amount: int,
    card: str,
    connection_id: int | None,
) -> Started:
    """The answer to a key used before: the same payment, once its first request is done."""
    _wait_for_start(payment.pk)
    payment.refresh_from_db()
    resident_id = None
    if connection_id is not None:
        connection = Connection.objects.filter(pk=connection_id, contact=contact).first()
        resident_id = connection.resident_id if connection else -1
        facility_id = connection.facility_id if connection else -1
    else:
        facility_id = facility.pk
    asked = (contact.pk, facility_id, resident_id, amount)
    made = (payment.contact_id, payment.facility_id, payment.resident_id, payment.amount_cents)
    other_card = bool(card and payment.card_last4 and _last4(card) != payment.card_last4)
    if asked != made or other_card:
        raise Conflict(
            "idempotency_key_reused",
            _("This payment form was already used for another payment. Nothing was charged."),
        )
    url = payment.checkout_url if payment.status == P.PENDING else ""
    return Started(payment, url, created=False)


def _last4(card: str) -> str:
    return "".join(ch for ch in card if ch.isdigit())[-4:]


# A payment being started is held under a PostgreSQL advisory lock (in this namespace, by
# its id) from its insert until the card company's answer is applied. SQLite lets one
# writer in at a time, so there a twin cannot see the payment half-made anyway.
_START_LOCKS = 0x48570001


@contextmanager
def _start_lock() -> Iterator[Callable[[int], None]]:
    held: list[int] = []

    def hold(payment_id: int) -> None:
        if db_connection.vendor == "postgresql":
            with db_connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_START_LOCKS, payment_id])
            held.append(payment_id)

    try:
        yield hold
    finally:
        for payment_id in held:
            with db_connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_START_LOCKS, payment_id])


# How long a repeat waits for the first request's card company answer before answering
# the payment as it stands (still waiting). Never forever: a lock left behind by a pooler
# that moved the first request's session must not hang every repeat of the payment.
START_WAIT = "20s"


def _wait_for_start(payment_id: int) -> None:
    """Wait until the request that made the payment has its card company answer."""
    if db_connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), db_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [START_WAIT])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_START_LOCKS, payment_id])
    except OperationalError:
        pass  # still out after the wait: the caller answers the payment as it stands


def _finish(
    payment_id: int, *, outcome: str, provider_charge: str = "", failure_reason: str = ""
) -> Payment:
    """Apply the card company's answer. A success credits once; a decline changes only a
    payment still waiting."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("facility", "resident", "contact")
            .get(pk=payment_id)
        )
        if outcome == "succeeded" and payment.status != P.SUCCEEDED:
            resident = payment.resident
            if resident is not None:
                # Trust money: the resident's row is held as a release holds it (NO KEY, as
                # there), so money arriving while the resident is released waits for the
                # release, sees it, and goes back to the card, rather than land in a trust
                # account already paid out.
                resident = Resident.objects.select_for_update(no_key=True).get(pk=resident.pk)
                payment.resident = resident
            _credit(payment)
            payment.status = P.SUCCEEDED
            payment.completed_at = clock.now()
            payment.failure_reason = ""
            payment.provider_charge = provider_charge or payment.provider_charge
            payment.save()
            payment_succeeded(payment)
            if resident is not None and not resident.in_custody:
                _return_to_card(
                    payment, resident, reason=words.RELEASED.stored(name=resident.first_name)
                )
        elif outcome == "declined" and payment.status == P.PENDING:
            payment.status = P.DECLINED
            payment.completed_at = clock.now()
            payment.failure_reason = failure_reason[:200] or "The payment did not go through."
            payment.save()
    return payment


def _return_to_card(payment: Payment, resident: Resident, *, reason: str) -> None:
    """Trust money that arrived after its resident left goes back to the card (no fee)."""
    key = f"payment:{payment.pk}:returned"
    payout = Payout.objects.create(
        payment=payment,
        amount_cents=payment.amount_cents,
        reason=reason,
        refund_key=key,
        created_at=clock.now(),
    )
    payment.refunded_cents = payment.amount_cents
    payment.save(update_fields=["refunded_cents"])
    ledger.post(
        key=key,
        kind=Transaction.Kind.PAYOUT,
        postings=[
            (charges.trust(resident), -payment.amount_cents),
            (ledger.account_for(kind=K.REFUNDS_PAYABLE), payment.amount_cents),
        ],
        memo=words.REFUND_TO_YOUR_CARD.stored(reason=reason),
        contact=payment.contact,
        facility=payment.facility,
        payment=payment,
    )
    refund_started(payment.contact, payment.facility, [payout])
    jobs.enqueue("send_payout", payout_id=payout.pk, facility_id=payment.facility_id)


def _credit(payment: Payment) -> None:
    facility = payment.facility
    clearing = ledger.account_for(kind=K.PAYMENT_CLEARING)
    if payment.resident is not None:
        to, kind = charges.trust(payment.resident), Transaction.Kind.TRUST_DEPOSIT
    else:
        to, kind = charges.wallet(payment.contact, facility), Transaction.Kind.DEPOSIT
    postings = [(clearing, -payment.total_cents), (to, payment.amount_cents)]
    if payment.fee_cents:
        postings.append((charges.revenue(facility), payment.fee_cents))
    ledger.post(
        key=f"payment:{payment.pk}:credit",
        kind=kind,
        postings=postings,
        memo=words.RECEIPT.stored(number=payment.receipt_number),
        contact=payment.contact,
        facility=facility,
        payment=payment,
    )
    audit.record(
        actor=payment.contact.user,
        action="payment.succeeded",
        obj=payment,
        facility_id=facility.pk,
        data={"amount": payment.amount_cents, "fee": payment.fee_cents},
    )


def handle_webhook(*, provider: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Check and apply one provider webhook. Returns "applied", "duplicate", "ignored" (an
    event that changes nothing), or "unknown": an outcome for a payment not (yet) on record,
    which is not recorded, so the provider's retry is applied once the payment is.
    A bad signature is refused before anything is read or written."""
    event = providers.get(provider).parse_webhook(body, headers)
    payment = None
    if event.provider_ref:  # never match the payments still waiting for a reference
        payment = Payment.objects.filter(provider=provider, provider_ref=event.provider_ref).first()
    if payment is None and event.payment_id is not None:
        # Our own id, carried back by the provider: a crash before the provider's reference
        # was saved must not strand money the card company took.
        payment = Payment.objects.filter(
            pk=event.payment_id, provider=provider, provider_ref=""
        ).first()
        if payment is not None:
            Payment.objects.filter(pk=payment.pk).update(provider_ref=event.provider_ref)
    if payment is None and event.outcome:
        return "unknown"
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider=provider,
                    event_id=event.event_id,
                    type=event.type,
                    payment=payment,
                    received_at=clock.now(),
                )
        except IntegrityError:
            return "duplicate"
        if payment is None or not event.outcome:
            return "ignored"
        _finish(
            payment.pk,
            outcome=event.outcome,
            provider_charge=event.provider_charge,
            failure_reason=event.failure_reason,
        )
    return "applied"


def refund_wallet(
    *, contact: Contact, facility: Facility, reason: str, key: str
) -> tuple[list[Payout], bool]:
    """Send everything in the contact's wallet at ``facility`` back to the cards it came
    from, newest payment first, with no fee (unused stamps first come back to the wallet at
    what they cost). The wallet is emptied now, into refunds payable; a job pays each card
    after commit.

    Returns the payouts and whether this request asked first (False: ``key`` asked before,
    and the payouts are that request's; nothing more moved). The same key for another
    wallet is 409 idempotency_key_reused."""
    payouts: list[Payout] = []
    with transaction.atomic():
        wallet = charges.wallet(contact, facility)
        # The wallet is held before the key is looked up, so of twin requests one refunds
        # and the others answer what it did.
        Account.objects.select_for_update().filter(pk=wallet.pk).values("pk").first()
        asked = (
            Transaction.objects.filter(idempotency_key=key).first()
            or EmptyRefund.objects.filter(key=key).first()
        )
        if asked is not None:  # asked before: the same answer, or 409 for another wallet
            if asked.contact_id != contact.pk or asked.facility_id != facility.pk:
                raise Conflict(
                    "idempotency_key_reused",
                    _("This refund key was already used for another wallet; nothing moved."),
                )
            return list(Payout.objects.filter(refund_key=key).order_by("id")), False
        stamps.return_unused(contact=contact, facility=facility, key=f"{key}:stamps")
        balance = Account.objects.select_for_update().get(pk=wallet.pk).balance
        if balance == 0:
            # Nothing to give back, and the key remembers it: asked again after a deposit,
            # it answers "nothing" again rather than refunding money it was not asked for.
            try:
                with transaction.atomic():
                    EmptyRefund.objects.create(
                        key=key, contact=contact, facility=facility, created_at=clock.now()
                    )
            except IntegrityError:  # the same key, at the same moment, for another wallet
                raise Conflict(
                    "idempotency_key_reused",
                    _("This refund key was already used for another wallet; nothing moved."),
                ) from None
            return payouts, True
        left = balance
        deposits = Payment.objects.select_for_update().filter(
            contact=contact, facility=facility, resident=None, status=P.SUCCEEDED
        )
        for payment in deposits.order_by("-completed_at", "-id"):
            part = min(left, payment.amount_cents - payment.refunded_cents)
            if part <= 0:
                continue
            payment.refunded_cents += part
            payment.save(update_fields=["refunded_cents"])
            payouts.append(
                Payout.objects.create(
                    payment=payment,
                    amount_cents=part,
                    reason=reason[:200],
                    refund_key=key,
                    created_at=clock.now(),
                )
            )
            left -= part
            if left == 0:
                break
        if left:
            raise Conflict("refund_unmatched", _("Part of this wallet has no card to go back to."))
        ledger.post(
            key=key,
            kind=Transaction.Kind.PAYOUT,
            postings=[(wallet, -balance), (ledger.account_for(kind=K.REFUNDS_PAYABLE), balance)],
            memo=reason,
            contact=contact,
            facility=facility,
        )
        refund_started(contact, facility, payouts)
        for payout in payouts:
            jobs.enqueue("send_payout", payout_id=payout.pk, facility_id=facility.pk)
    return payouts, True


def send_payout(*, payout_id: int) -> None:
    """Pay one refund to its card (a job). The provider call carries the payout's id as
    its idempotency key, so a retried job refunds once."""
    payout = Payout.objects.select_related("payment").get(pk=payout_id)
    if payout.status == Payout.Status.SENT:
        return
    ref = providers.get(payout.payment.provider).refund(payout)
    with transaction.atomic():
        payout = Payout.objects.select_for_update().select_related("payment").get(pk=payout_id)
        if payout.status == Payout.Status.SENT:
            return
        ledger.post(
            key=f"payout:{payout.pk}:sent",
            kind=Transaction.Kind.PAYOUT_SENT,
            postings=[
                (ledger.account_for(kind=K.REFUNDS_PAYABLE), -payout.amount_cents),
                (ledger.account_for(kind=K.PAYMENT_CLEARING), payout.amount_cents),
            ],
            memo=words.REFUND_TO_CARD_FOR_RECEIPT.stored(number=payout.payment.receipt_number),
            payment=payout.payment,
        )
        payout.status = Payout.Status.SENT
        payout.provider_ref = ref
        payout.sent_at = clock.now()
        payout.save()


def sandbox_settle(*, payment_ref: str, outcome: str = "succeeded") -> None:
    """The sandbox card company's answer, delivered as a signed webhook."""
    from homeward.ledger.providers import sandbox

    body, headers = sandbox.webhook(
        event_id=f"evt_{payment_ref}", type=f"payment.{outcome}", payment_ref=payment_ref
    )
    if handle_webhook(provider="sandbox", body=body, headers=headers) == "unknown":
        raise RuntimeError(f"payment {payment_ref} is not on record yet; the job will retry")
