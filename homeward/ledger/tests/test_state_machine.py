"""Any order of deposits, stamp packs, sends, replies, screening, review, refunds to the card
and a release, under any price schedule: after every step the money adds up.

The machine keeps its own book of what should have happened, priced from the schedule by
its own arithmetic (not by calling the pricing code), and compares it with the ledger after
every step. Each example runs in a savepoint that is rolled back, with the clock frozen so
that late card payments settle only when the machine says so."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.enforcement.models import EnforcementPolicy
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.ledger import charges, payments, stamps
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident
from homeward.review import services as review
from homeward.review.models import ReviewTask
from homeward.roster.services import release_resident

RUNS = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    database=None,  # nothing written to the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PHONE = "call me at 555-013-9921 "  # the facility's phone detector blocks this
CARDS = {"now": sandbox.SUCCEEDS, "declined": sandbox.DECLINES, "late": sandbox.SUCCEEDS_LATE}
PENDING = ("submitted", "in_review")
WALLET, TRUST, CREDIT, STAMPS, HELD = (
    "contact_wallet",
    "trust",
    "reply_credit",
    "stamps",
    "stamps_held",
)
REVENUE, AGENCY, CLEARING, PAYABLE, ISSUED = (
    ("platform_revenue",),
    ("agency_funding",),
    ("payment_clearing",),
    ("refunds_payable",),
    ("stamp_issue",),
)
PAYING = (WALLET, TRUST, AGENCY[0], HELD)  # the accounts a message is paid from

SCHEDULES = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["stamps", "stamps", "per_message", "free"]),
        # Prepaid replies have the most ways to go wrong: half the examples use them.
        "payer": st.sampled_from(["sender", "recipient", "agency"] + ["sender_prepays_reply"] * 3),
        "stamp_cents": st.sampled_from([25, 40, 100]),
        "chars_per_stamp": st.sampled_from([50, 2000]),
        "reply_stamps": st.sampled_from([1, 2]),
        "per_message_cents": st.sampled_from([0, 12, 30]),
        "message_cap_cents": st.none() | st.sampled_from([60, 150]),
        "deposit_fee_flat_cents": st.sampled_from([0, 95]),
        "deposit_fee_bp": st.sampled_from([0, 250]),
        "deposit_fee_cap_cents": st.none() | st.just(120),
        "account_fee_cents": st.sampled_from([0, 150]),
        "packs": st.booleans(),
    }
)


def key_of(account: Account) -> tuple:
    """The machine's name for a ledger account (there is one facility)."""
    if account.kind in (WALLET, STAMPS, HELD):
        return (account.kind, account.contact_id)
    if account.kind == TRUST:
        return (TRUST, account.resident_id)
    if account.kind == CREDIT:
        return (CREDIT, account.contact_id, account.resident_id)
    return (account.kind,)


def balances() -> Counter:
    found: Counter = Counter()
    for account in Account.objects.all():
        found[key_of(account)] += account.balance
    return found


@dataclass
class People:
    """Maria (who will be released) writes with Ana and Cara; Ana also writes to Sam, so
    only Cara is left with no one to write to at the facility after the release."""

    world: object
    links: list[Connection]

    @classmethod
    def build(cls, world) -> People:
        sam = t.make_resident(world.facility_1, "NY1002", first_name="Sam")
        cara = t.make_contact("cara@example.org", name="Cara Diaz")
        links = [
            world.contact_a.connections.get(resident=world.resident),
            t.connect(cara, world.resident),
            t.connect(world.contact_a, sam),
        ]
        return cls(world, links)


@dataclass
class Sent:
    """One accepted message, as the machine expects it to be charged and refunded."""

    link: Connection
    to_resident: bool
    phone: bool
    money: list[tuple[tuple, int]]  # the charge in cents; empty when no money moved
    stamps: list[tuple[tuple, int]]  # the charge in stamps; empty when paid with money
    state: str = "submitted"
    keys: set[str] = field(default_factory=set)  # the ledger keys it should have
    given_back: bool = False
    nothing_left: bool = False  # given back, but its used prepaid reply was all it cost

    @property
    def charged(self) -> bool:
        return bool(self.money or self.stamps)


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self, people: People) -> None:
        super().__init__()
        self.p, self.w = people, people.world
        self.stack = ExitStack()
        self.stack.enter_context(transaction.atomic())  # rolled back in teardown
        self.now = timezone.now()
        self.stack.enter_context(clock.frozen_at(self.now))
        self.start = balances()
        self.flows: defaultdict[tuple, Counter] = defaultdict(Counter)
        self.sent: dict[int, Sent] = {}
        self.tokens: dict[str, int] = {}
        self.payments: dict[int, str] = {}  # pk -> its status
        self.wallet_payments: dict[int, int] = {}  # pk -> the contact, for deposits to a wallet
        self.late: dict[int, dt.datetime] = {}  # pk -> when its late success is due
        self.released = False
        self.refund_on_block = True
        self.count = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.stack.close()

    # --- the machine's own book -----------------------------------------------------------

    def move(self, why: str, postings: list[tuple[tuple, int]]) -> None:
        assert sum(amount for _, amount in postings) == 0, postings  # the book balances too
        for key, amount in postings:
            self.flows[key][why] += amount

    def held(self, key: tuple) -> int:
        return sum(self.flows[key].values())

    def next_key(self, what: str) -> str:
        self.count += 1
        return f"machine-{what}-{self.count}"

    def price(self, link: Connection, *, chars: int, prepaid: bool, to_resident: bool):
        """(who pays, the charge in cents, the charge in stamps) by the schedule."""
        s = self.schedule
        if s["model"] == "free":
            total = s["per_message_cents"]
            return None, [(AGENCY, -total), (REVENUE, total)] if total else [], []
        if s["model"] == "per_message":
            text, reply = s["per_message_cents"], s["per_message_cents"] * prepaid
        else:
            text_stamps = -(-chars // s["chars_per_stamp"])
            text = text_stamps * s["stamp_cents"]
            reply = s["reply_stamps"] * s["stamp_cents"] * prepaid
        capped = s["message_cap_cents"] is not None and text + reply > s["message_cap_cents"]
        total = s["message_cap_cents"] if capped else text + reply
        reply = min(reply, total)  # never more set aside for the reply than was paid
        if not total:
            return None, [], []
        if s["payer"] == "agency":
            return None, [(AGENCY, -total), (REVENUE, total)], []
        wallet, trust = (WALLET, link.contact_id), (TRUST, link.resident_id)
        credit = (CREDIT, link.contact_id, link.resident_id)
        if s["payer"] == "recipient":
            payer = trust if to_resident else wallet
            return payer, [(payer, -total), (REVENUE, total)], []
        if not to_resident:  # a reply: the prepaid replies pay first, then the trust account
            used = min(self.held(credit), total) if s["payer"] == "sender_prepays_reply" else 0
            reply_money = [(credit, -used), (trust, used - total), (REVENUE, total)]
            return trust, self.nonzero(reply_money), []
        needed = text_stamps + s["reply_stamps"] * prepaid if s["model"] == "stamps" else 0
        mine = self.held((STAMPS, link.contact_id))
        if needed and mine >= needed and not capped:  # stamps bought ahead pay first
            held = self.held((HELD, link.contact_id))
            value = held if needed >= mine else held * needed // mine
            share = min(value, reply)
            money = [((HELD, link.contact_id), -value), (REVENUE, value - share), (credit, share)]
            return (
                None,
                self.nonzero(money),
                [((STAMPS, link.contact_id), -needed), (ISSUED, needed)],
            )
        return (
            wallet,
            self.nonzero([(wallet, -total), (REVENUE, total - reply), (credit, reply)]),
            [],
        )

    @staticmethod
    def nonzero(postings: list[tuple[tuple, int]]) -> list[tuple[tuple, int]]:
        return [(key, amount) for key, amount in postings if amount]

    def refund(self, pk: int) -> None:
        """Give back the charge, to where it came from; a prepaid reply already used stays
        spent (its money and its stamps)."""
        sent, kept, back = self.sent[pk], 0, []
        sent.given_back = True
        for key, amount in sent.money:
            if key[0] == CREDIT and amount > 0:
                kept = amount - min(amount, self.held(key))
                amount -= kept
            back.append((key, -amount))
        back = self.nonzero([(k, a - kept if k[0] in PAYING else a) for k, a in back])
        if back:
            self.move("refunds", back)
            sent.keys.add(f"message:{pk}:refund")
        used = self.schedule["reply_stamps"] if kept else 0
        back = self.nonzero([(k, -n - used if n < 0 else -n + used) for k, n in sent.stamps])
        if back:
            self.move("refunds", back)
            sent.keys.add(f"message:{pk}:refund:stamps")
        sent.nothing_left = not any(":refund" in key for key in sent.keys)

    def deposit_fee(self, amount: int, contact: int | None) -> int:
        s = self.schedule
        fee = s["deposit_fee_flat_cents"] + amount * s["deposit_fee_bp"] // 10_000
        if s["deposit_fee_cap_cents"] is not None:
            fee = min(fee, s["deposit_fee_cap_cents"])
        open_ = [pk for pk, c in self.wallet_payments.items() if c == contact]
        if contact and not any(self.payments[pk] in ("succeeded", "pending") for pk in open_):
            fee += s["account_fee_cents"]  # once, with the first deposit to a wallet here
        return fee

    def credit_payment(self, pk: int) -> None:
        payment = Payment.objects.get(pk=pk)
        to = (TRUST, payment.resident_id) if payment.resident_id else (WALLET, payment.contact_id)
        postings = [(CLEARING, -payment.total_cents), (to, payment.amount_cents)]
        self.move("deposits", self.nonzero(postings + [(REVENUE, payment.fee_cents)]))
        self.payments[pk] = "succeeded"
        if payment.resident_id == self.w.resident.pk and self.released:  # back to the card
            self.move("payouts", [(to, -payment.amount_cents), (PAYABLE, payment.amount_cents)])

    def wallet_back(self, contact: int) -> None:
        """Unused stamps come back at what they cost, then the wallet goes to the cards."""
        count, held = self.held((STAMPS, contact)), self.held((HELD, contact))
        self.move("stamps returned", self.nonzero([((STAMPS, contact), -count), (ISSUED, count)]))
        self.move(
            "stamps returned", self.nonzero([((HELD, contact), -held), ((WALLET, contact), held)])
        )
        left = self.held((WALLET, contact))
        self.move("payouts", self.nonzero([((WALLET, contact), -left), (PAYABLE, left)]))

    def run_jobs(self) -> None:
        """Run what is due, as the worker would, and book what it should have done."""
        jobs.run_pending("machine")
        for pk in sorted(self.sent):
            sent = self.sent[pk]
            if sent.state == "submitted":
                sent.state = "blocked" if sent.phone else "in_review"
                if sent.phone and self.refund_on_block:
                    self.refund(pk)
            elif sent.state == "approved":
                sent.state = "delivered"
        for pk, due in sorted(self.late.items()):
            if due <= self.now:
                del self.late[pk]
                self.credit_payment(pk)
        payable = self.held(PAYABLE)  # every payout due is paid to its card
        self.move("payouts sent", self.nonzero([(PAYABLE, -payable), (CLEARING, payable)]))

    def expect(self, code: str | None, call) -> object:
        try:
            result = call()
        except DomainError as error:
            assert error.code == code, (error.code, error.message)
            return None
        assert code is None, f"expected {code}, got {result!r}"
        return result

    # --- setting the scene ----------------------------------------------------------------

    @initialize(
        schedule=SCHEDULES,
        refund_on_block=st.booleans(),
        wallets=st.sampled_from([0, 300, 1000]),
        trusts=st.sampled_from([0, 300, 1000]),
    )
    def prices_and_money(self, schedule: dict, refund_on_block: bool, wallets: int, trusts: int):
        """The schedule, then most examples start with money, so that sends get through to
        screening and review."""
        s = dict(schedule)
        # One pack near the single price, one far under it: then a prepaid reply can be all
        # that a message's stamps paid for (as can a legal cap at or below the reply).
        price = s["stamp_cents"]
        packs = [{"stamps": 3, "cents": 3 * price - 5}, {"stamps": 2, "cents": 20}]
        self.packs = packs if s.pop("packs") and s["model"] == "stamps" else []
        self.schedule, self.refund_on_block = s, refund_on_block
        policy = self.w.facility_1.policy
        policy.refund_on_block = refund_on_block
        policy.detector_actions = {"phone": "block"}
        policy.save()
        # Blocks never suspend anyone here: the model follows the money of sending, blocking
        # and refunding, and a suspension's returns and refunds have their own tests
        # (enforcement/tests/test_restrictions.py). Some runs blocked enough to suspend.
        EnforcementPolicy.objects.create(
            facility=self.w.facility_1,
            effective_from=self.now - dt.timedelta(days=1),
            created_at=self.now - dt.timedelta(days=1),
            violations_to_suspend=0,
            suspend_at_once=[],
            revoke_at_once=[],
        )
        t.set_prices(
            self.w.facility_1,
            effective_from=self.now - dt.timedelta(days=1),
            stamp_packs=self.packs,
            **s,
        )
        for link, to_trust, amount in ((0, False, wallets), (1, False, wallets), (0, True, trusts)):
            if amount:
                self.deposit(link, to_trust, amount, "now")

    # --- money in -------------------------------------------------------------------------

    @rule(
        link=st.integers(0, 2),
        to_trust=st.booleans(),
        amount=st.sampled_from([100, 150, 275, 1000]),
        card=st.sampled_from(sorted(CARDS)),
    )
    def deposit(self, link: int, to_trust: bool, amount: int, card: str) -> None:
        connection = self.p.links[link]
        closed = to_trust and self.released and connection.resident_id == self.w.resident.pk
        fee = self.deposit_fee(amount, None if to_trust else connection.contact_id)
        payment = self.expect(
            "connection_not_active" if closed else None,
            lambda: (
                payments.start(
                    contact=connection.contact,
                    facility=self.w.facility_1,
                    amount=amount,
                    key=self.next_key("deposit"),
                    card=CARDS[card],
                    connection_id=connection.pk if to_trust else None,
                ).payment
            ),
        )
        if payment is None:
            return
        assert payment.fee_cents == fee, (payment.fee_cents, fee)
        self.payments[payment.pk] = {"now": "succeeded", "late": "pending"}.get(card, "declined")
        if not to_trust:
            self.wallet_payments[payment.pk] = connection.contact_id
        if card == "now":
            self.credit_payment(payment.pk)
        elif card == "late":
            late = dt.timedelta(seconds=django_settings.SANDBOX_LATE_SECONDS)
            self.late[payment.pk] = self.now + late

    def webhook(self, event_id: str, type_: str, pk: int) -> str:
        body, headers = sandbox.webhook(event_id=event_id, type=type_, payment_ref=f"sbx_{pk}")
        return payments.handle_webhook(provider="sandbox", body=body, headers=headers)

    @precondition(lambda self: self.late)
    @rule(decline_first=st.booleans())
    def card_company_answers_late(self, decline_first: bool) -> None:
        """A decline may come before the success: the money that arrived still counts. The
        card company may then send the same event again, or a new success: nothing moves."""
        settled = sorted(self.late)
        if decline_first:
            for pk in settled:
                assert self.webhook(f"decline-{pk}", "payment.declined", pk) == "applied"
                self.payments[pk] = "declined"
        self.now += dt.timedelta(seconds=django_settings.SANDBOX_LATE_SECONDS + 1)
        self.stack.enter_context(clock.frozen_at(self.now))
        self.run_jobs()
        for pk in settled:
            assert self.webhook(f"evt_sbx_{pk}", "payment.succeeded", pk) == "duplicate"
            assert self.webhook(f"again-{pk}", "payment.succeeded", pk) == "applied"

    @rule(contact=st.sampled_from([0, 1]), pack=st.sampled_from([0, 1]))
    def contact_buys_a_stamp_pack(self, contact: int, pack: int) -> None:
        who = self.p.links[contact].contact_id
        wallet = (WALLET, who)
        code = None if self.packs else "no_such_pack"
        if self.packs and self.held(wallet) < self.packs[pack]["cents"]:
            code = "insufficient_funds"
        bought = self.expect(
            code,
            lambda: stamps.purchase_pack(
                contact=self.p.links[contact].contact,
                facility=self.w.facility_1,
                pack=pack,
                key=self.next_key("pack"),
            )[0],
        )
        if bought is not None:
            self.move("stamp packs", [(wallet, -bought.cents), ((HELD, who), bought.cents)])
            self.move("stamp packs", [(ISSUED, -bought.stamps), ((STAMPS, who), bought.stamps)])

    # --- messages -------------------------------------------------------------------------

    def send(self, link: int, *, to_resident: bool, chars: int, phone: bool, prepaid: bool):
        connection = self.p.links[link]
        body = (PHONE if phone else "") + "x" * chars
        offered = self.schedule["model"] != "free"
        offered = offered and self.schedule["payer"] == "sender_prepays_reply"
        payer, money, stamps_ = None, [], []
        if self.released and connection.resident_id == self.w.resident.pk:
            code = "resident_released"
        elif prepaid and not offered:
            code = "prepaid_reply_not_offered"
        else:
            payer, money, stamps_ = self.price(
                connection, chars=len(body), prepaid=prepaid, to_resident=to_resident
            )
            owed = -dict(money).get(payer, 0) if payer else 0
            code = "insufficient_funds" if payer and self.held(payer) < owed else None
        token = self.next_key("token") if to_resident else ""
        sender = (
            connection.contact if to_resident else Resident.objects.get(pk=connection.resident_id)
        )
        message = self.expect(
            code,
            lambda: (
                messaging.send_message(
                    sender=sender,
                    connection_id=connection.pk,
                    body=body,
                    client_token=token,
                    prepaid_reply=prepaid,
                ).message
            ),
        )
        if message is None:
            return
        self.move("charges", money)
        self.move("charges", stamps_)
        sent = Sent(connection, to_resident, phone, money, stamps_)
        sent.keys = {f"message:{message.pk}:charge"} if money else set()
        sent.keys |= {f"message:{message.pk}:charge:stamps"} if stamps_ else set()
        self.sent[message.pk] = sent
        if token:
            self.tokens[token] = message.pk

    @rule(
        link=st.integers(0, 2),
        chars=st.sampled_from([1, 49, 50, 51, 120, 2100]),
        phone=st.booleans(),
        prepaid=st.booleans(),
        again=st.sampled_from([False, False, False, True]),
    )
    def contact_writes(self, link: int, chars: int, phone: bool, prepaid: bool, again: bool):
        if again and self.tokens:  # the same form submitted twice sends and charges once
            token = sorted(self.tokens)[chars % len(self.tokens)]
            sent = self.sent[self.tokens[token]]
            first = Message.objects.get(pk=self.tokens[token])
            again_with = {
                "sender": sent.link.contact,
                "connection_id": sent.link.pk,
                "client_token": token,
                "prepaid_reply": charges.prepaid_reply_of(first),
            }
            repeat = messaging.send_message(body=first.body, **again_with).message
            assert repeat.pk == first.pk
            # The same form with other text is refused, and moves nothing.
            self.expect(
                "idempotency_key_reused",
                lambda: messaging.send_message(body=first.body + "?", **again_with).message,
            )
            return
        self.send(link, to_resident=True, chars=chars, phone=phone, prepaid=prepaid)

    @rule(
        link=st.sampled_from(["the last letter", 0, 1, 2]),
        chars=st.sampled_from([1, 50, 51, 2100]),
        phone=st.booleans(),
    )
    def resident_replies(self, link: int | str, chars: int, phone: bool) -> None:
        if link == "the last letter":  # most replies answer the letter just received
            letters = [s.link for s in self.sent.values() if s.to_resident]
            link = self.p.links.index(letters[-1]) if letters else 0
        self.send(link, to_resident=False, chars=chars, phone=phone, prepaid=False)

    @rule(which=st.integers(0, 10**6), decision=st.sampled_from(["approve", "block", ""]))
    def worker_runs_and_a_reviewer_decides(self, which: int, decision: str) -> None:
        self.run_jobs()  # screening: each message is blocked (a phone number) or waits
        waiting = sorted(pk for pk, sent in self.sent.items() if sent.state == "in_review")
        if not waiting or not decision:
            return
        pk = waiting[which % len(waiting)]
        task = ReviewTask.objects.get(message_id=pk, status=ReviewTask.Status.OPEN)
        review.claim(staff=self.w.reviewer_1, task_id=task.pk)
        review.decide(
            staff=self.w.reviewer_1,
            task_id=task.pk,
            decision=decision,
            reason_code="violence" if decision == "block" else "",
        )
        if decision == "approve":
            self.sent[pk].state = "approved"
            self.run_jobs()  # delivery
        else:
            self.sent[pk].state = "blocked"
            if self.refund_on_block:
                self.refund(pk)

    # --- money out ------------------------------------------------------------------------

    @precondition(
        lambda self: any(
            self.held((kind, link.contact_id)) for kind in (WALLET, HELD) for link in self.p.links
        )
    )
    @rule(contact=st.sampled_from([0, 1]))
    def contact_asks_for_the_wallet_back(self, contact: int) -> None:
        who = self.p.links[contact].contact
        before = self.held(PAYABLE)
        self.wallet_back(who.pk)
        paid = payments.refund_wallet(
            contact=who, facility=self.w.facility_1, reason="closing", key=self.next_key("refund")
        )[0]
        assert sum(payout.amount_cents for payout in paid) == self.held(PAYABLE) - before

    @precondition(lambda self: not self.released and len(self.sent) >= 3)
    @rule()
    def maria_is_released(self) -> None:
        maria = self.w.resident
        release_resident(staff=self.w.facility_admin, resident_id=maria.pk)
        self.released = True
        for pk in sorted(self.sent):
            if self.sent[pk].link.resident_id == maria.pk and self.sent[pk].state in PENDING:
                self.sent[pk].state = "returned"
                self.refund(pk)
        for link in self.p.links[:2]:
            credit, wallet = (CREDIT, link.contact_id, maria.pk), (WALLET, link.contact_id)
            held = self.held(credit)
            self.move("credit returned", self.nonzero([(credit, -held), (wallet, held)]))
        trust = (TRUST, maria.pk)
        held = self.held(trust)
        self.move("trust paid out", self.nonzero([(trust, -held), (CLEARING, held)]))
        self.wallet_back(self.p.links[1].contact_id)  # Ana still writes to Sam; Cara to no one

    # --- what must always hold ------------------------------------------------------------

    @invariant()
    def the_ledger_is_sound(self) -> None:
        assert ledger.problems() == []
        assert not Account.objects.filter(kind__in=Account.PERSONAL, balance__lt=0).exists()
        by_currency = Account.objects.values("currency").annotate(total=Sum("balance"))
        assert {row["currency"]: row["total"] for row in by_currency if row["total"]} == {}
        failed = list(Job.objects.exclude(last_error="").values_list("kind", "last_error"))
        assert failed == [], failed

    @invariant()
    def every_balance_is_what_happened(self) -> None:
        now = balances()
        for key in set(now) | set(self.flows):
            assert now[key] - self.start[key] == self.held(key), (key, dict(self.flows[key]))
        for contact in {link.contact_id for link in self.p.links}:
            flows = self.flows[(WALLET, contact)]
            # Σ deposits − Σ charges + Σ refunds − Σ payouts, and what stamps and prepaid
            # replies took from it or gave back
            assert now[(WALLET, contact)] - self.start[(WALLET, contact)] == (
                flows["deposits"]
                + flows["charges"]
                + flows["refunds"]
                + flows["payouts"]
                + flows["stamp packs"]
                + flows["stamps returned"]
                + flows["credit returned"]
            ), dict(flows)
        paid_out = self.flows[PAYABLE]["payouts"]
        assert (Payout.objects.aggregate(s=Sum("amount_cents"))["s"] or 0) == paid_out
        assert (Payment.objects.aggregate(s=Sum("refunded_cents"))["s"] or 0) == paid_out
        assert dict(Payment.objects.values_list("pk", "status")) == self.payments

    @invariant()
    def every_message_is_charged_and_refunded_once(self) -> None:
        messages = dict(Message.objects.values_list("pk", "status"))
        assert messages == {pk: sent.state for pk, sent in self.sent.items()}
        keys = defaultdict(set)
        for pk, key in Transaction.objects.filter(message__isnull=False).values_list(
            "message_id", "idempotency_key"
        ):
            keys[pk].add(key)
        for pk, sent in self.sent.items():
            assert keys[pk] == sent.keys, (pk, sent.state, keys[pk], sent.keys)
            charges = {k for k in keys[pk] if ":charge" in k}
            refunds = {k for k in keys[pk] if ":refund" in k}
            assert bool(charges) == sent.charged  # no message without its charge
            given_back = sent.state == "returned" or (
                sent.state == "blocked" and self.refund_on_block
            )
            assert given_back == sent.given_back, (pk, sent.state)
            # given back: once each, for the money and for the stamps it cost
            assert refunds <= {k.replace(":charge", ":refund") for k in charges}
            if given_back and sent.charged:
                assert refunds or sent.nothing_left, (pk, keys[pk])
            else:
                assert not refunds, (pk, keys[pk])


def test_the_money_adds_up_whatever_happens(world):
    people = People.build(world)
    run_state_machine_as_test(lambda: MoneyMachine(people), settings=RUNS)


# --- sequences the machine reaches only now and then, spelled out ---------------------------


def prepaid_world(world, **prices):
    t.set_prices(world.facility_1, payer="sender_prepays_reply", **prices)
    link = world.contact_a.connections.get()
    t.pay_in(world.contact_a, world.facility_1, 200)
    return link


def wallet_of(world) -> int:
    return ledger.balance_of(kind=WALLET, contact=world.contact_a, facility=world.facility_1)


def decide(world, message: Message, decision: str) -> None:
    jobs.run_pending("test")
    task = ReviewTask.objects.get(message=message, status=ReviewTask.Status.OPEN)
    review.claim(staff=world.reviewer_1, task_id=task.pk)
    review.decide(
        staff=world.reviewer_1,
        task_id=task.pk,
        decision=decision,
        reason_code="violence" if decision == "block" else "",
    )
    jobs.run_pending("test")


def test_a_blocked_prepaid_message_gives_back_only_what_its_reply_did_not_use(world):
    link = prepaid_world(world, stamp_cents=40)
    letter = messaging.send_message(
        sender=world.contact_a, connection_id=link.pk, body="Hi", prepaid_reply=True
    ).message
    reply = messaging.send_message(
        sender=world.resident, connection_id=link.pk, body="Thanks"
    ).message
    assert wallet_of(world) == 120  # 40 for the letter, 40 set aside for the reply
    decide(world, letter, "block")
    assert wallet_of(world) == 160  # the letter back; the reply already used its 40
    assert ledger.balance_of(kind=CREDIT, contact=world.contact_a, resident=world.resident) == 0
    # The reply, still waiting, is returned at the release: its 40 goes back to the prepaid
    # replies, then to the wallet, and the wallet to the card (Ana writes to no one else).
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    reply.refresh_from_db()
    assert reply.status == "returned"
    assert wallet_of(world) == 0
    assert sum(Payout.objects.values_list("amount_cents", flat=True)) == 200
    assert ledger.problems() == []


def test_a_release_after_a_capped_prepaid_message_never_refunds_more_than_was_paid(world):
    link = prepaid_world(world, stamp_cents=100, message_cap_cents=50)
    letter = messaging.send_message(
        sender=world.contact_a, connection_id=link.pk, body="Hi", prepaid_reply=True
    ).message
    decide(world, letter, "approve")
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    assert wallet_of(world) == 0
    assert sum(Payout.objects.values_list("amount_cents", flat=True)) <= 200
    assert ledger.problems() == []


@pytest.mark.parametrize("how", ["legal cap", "cheap stamp pack"])
def test_a_message_whose_whole_price_was_its_used_reply_can_be_blocked(world, how):
    if how == "legal cap":  # 50 cents for the letter and its reply, all of it set aside
        link = prepaid_world(world, stamp_cents=100, message_cap_cents=50)
    else:  # two stamps at 30 cents pay for the letter and its 100-cent reply
        link = prepaid_world(world, stamp_cents=100, stamp_packs=[{"stamps": 2, "cents": 60}])
        stamps.purchase_pack(contact=world.contact_a, facility=world.facility_1, pack=0, key="p")[0]
    t.pay_in(world.contact_a, world.facility_1, 100, connection=link)
    letter = messaging.send_message(
        sender=world.contact_a, connection_id=link.pk, body="Hi", prepaid_reply=True
    ).message
    messaging.send_message(sender=world.resident, connection_id=link.pk, body="Thanks")
    before = wallet_of(world)
    decide(world, letter, "block")  # once refused: the empty refund did not balance
    letter.refresh_from_db()
    assert letter.status == "blocked"
    assert wallet_of(world) == before  # nothing left to give back: the reply used it all
    assert ledger.problems() == []
