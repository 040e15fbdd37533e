"""Stamp packs: bought ahead from the wallet, spent on messages before money, given back
when a message is blocked, and returned at what they cost when the wallet is refunded."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.ledger import charges, payments, stamps
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payout
from homeward.messaging import services as messaging
from homeward.review import intake

K = Account.Kind


@pytest.fixture
def packs(world):
    """Greenhaven: 40 cents a stamp, or 10 stamps for $3.50; replies can be prepaid."""
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        payer="sender_prepays_reply",
        stamp_packs=[{"stamps": 10, "cents": 350}],
    )
    world.connection = world.contact_a.connections.get()
    t.pay_in(world.contact_a, world.facility_1, 1000)
    return world


def wallet(world) -> int:
    return ledger.balance_of(
        kind=K.CONTACT_WALLET, contact=world.contact_a, facility=world.facility_1
    )


def buy(world, key="pack-1"):
    pack, _ = stamps.purchase_pack(
        contact=world.contact_a, facility=world.facility_1, pack=0, key=key
    )
    return pack


def send(world, body="Hello", **kw):
    return messaging.send_message(
        sender=world.contact_a, connection_id=world.connection.pk, body=body, **kw
    ).message


def test_a_pack_comes_out_of_the_wallet_and_the_stamps_pay_for_messages(packs):
    assert buy(packs).words == "10 stamps for $3.50 ($0.350 each)"
    assert wallet(packs) == 650
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 10
    send(packs)
    assert wallet(packs) == 650  # paid with a stamp, not money
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 9
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=packs.facility_1) == 35


def test_buying_twice_with_one_key_buys_once(packs):
    buy(packs)
    buy(packs)
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 10


def test_the_preview_says_stamps_pay(packs):
    from homeward.core import clock

    buy(packs)
    shown = charges.preview(
        connection=packs.connection, to_resident=True, characters=2500, at=clock.now()
    )
    assert shown.price.stamps == 2 and shown.price.to_pay == 0
    assert shown.balance_after == shown.balance == 650


def test_without_enough_stamps_the_wallet_pays(packs):
    t.set_prices(
        packs.facility_1, model="stamps", stamp_cents=40, stamp_packs=[{"stamps": 1, "cents": 30}]
    )
    buy(packs)
    send(packs, body="x" * 2500)  # needs two stamps, has one
    assert wallet(packs) == 1000 - 30 - 80
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 1


def test_a_blocked_message_gives_its_stamps_back(packs):
    buy(packs)
    message = send(packs)
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=packs.reviewer_1, category="threats")
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 10
    assert ledger.balance_of(kind=K.PLATFORM_REVENUE, facility=packs.facility_1) == 0
    assert (
        ledger.balance_of(kind=K.STAMPS_HELD, contact=packs.contact_a, facility=packs.facility_1)
        == 350
    )


def test_a_prepaid_reply_paid_with_stamps_pays_the_reply(packs):
    buy(packs)
    send(packs, prepaid_reply=True)  # two stamps: the message and the reply
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 8
    messaging.send_message(sender=packs.resident, connection_id=packs.connection.pk, body="Hi")
    assert ledger.balance_of(kind=K.TRUST, resident=packs.resident) == 0  # nothing in trust


def test_unused_stamps_go_back_to_the_card_at_what_they_cost(packs, run_jobs):
    buy(packs)
    send(packs)  # one stamp used: 35 cents earned
    payouts = payments.refund_wallet(
        contact=packs.contact_a, facility=packs.facility_1, reason="closing", key="close"
    )[0]
    assert sum(p.amount_cents for p in payouts) == 1000 - 35
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 0
    run_jobs()
    assert set(Payout.objects.values_list("status", flat=True)) == {"sent"}


def test_only_packs_on_sale_can_be_bought(packs):
    with pytest.raises(DomainError) as err:
        stamps.purchase_pack(contact=packs.contact_a, facility=packs.facility_1, pack=3, key="k")[0]
    assert err.value.code == "no_such_pack"
    assert wallet(packs) == 1000


def test_a_pack_needs_the_money_in_the_wallet(packs):
    t.set_prices(
        packs.facility_1,
        model="stamps",
        stamp_cents=40,
        stamp_packs=[{"stamps": 50, "cents": 2000}],
    )
    with pytest.raises(DomainError) as err:
        buy(packs)
    assert err.value.code == "insufficient_funds"
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 0
    assert wallet(packs) == 1000


@pytest.mark.parametrize(
    "packs_given",
    ["10 for 3", [{"stamps": 0, "cents": 100}], [{"stamps": 5}], [{"stamps": 5, "cents": -1}]],
)
def test_bad_packs_are_refused(packs_given):
    with pytest.raises(DomainError) as err:
        stamps.check_packs(packs_given)
    assert err.value.code == "bad_packs"


def test_where_a_legal_cap_makes_money_cheaper_the_wallet_pays_not_stamps(packs):
    t.set_prices(
        packs.facility_1,
        model="stamps",
        stamp_cents=40,
        message_cap_cents=30,
        stamp_packs=[{"stamps": 10, "cents": 350}],
    )
    buy(packs)
    send(packs)
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 10
    assert wallet(packs) == 650 - 30


def test_a_blocked_message_keeps_the_stamp_of_a_reply_already_sent(packs):
    buy(packs)
    message = send(packs, prepaid_reply=True)  # two stamps
    messaging.send_message(sender=packs.resident, connection_id=packs.connection.pk, body="Hi")
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=packs.reviewer_1, category="threats")
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 9  # the reply's stays used
