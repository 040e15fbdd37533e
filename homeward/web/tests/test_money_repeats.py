"""The web's money forms act once per rendered form: paying with the same card step twice
is one payment (the second is shown the receipt, "already made"), the same form's token
with another amount is refused with nothing charged, a pack form sent twice buys once."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import stamps
from homeward.ledger.models import Payment, Payout
from homeward.personas import client_for
from homeward.web.tests.wallet_steps import DEPOSIT, GOOD, hidden, money_state, quote


@pytest.fixture
def ana(world):
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        stamp_packs=[{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}],
    )
    return client_for(world.contact_a.user)


def card_step(client, amount: str) -> dict[str, str]:
    page = quote(client, DEPOSIT, amount).content.decode()
    return {
        "step": "pay",
        "amount": hidden(page, "amount"),
        "total": hidden(page, "total"),
        "token": hidden(page, "token"),
        "card": GOOD,
    }


def test_the_same_card_step_paid_twice_is_one_payment(world, ana):
    form = card_step(ana, "20")
    first = ana.post(DEPOSIT, form)
    again = ana.post(DEPOSIT, form, follow=True)

    payment = Payment.objects.get()
    assert first.status_code == 302 and first["Location"].endswith(f"/{payment.pk}/")
    assert again.redirect_chain[-1][0] == first["Location"]
    assert b"already made" in again.content and payment.receipt_number.encode() in again.content


def test_a_used_card_step_token_with_another_amount_charges_nothing(world, ana):
    form = card_step(ana, "20")
    ana.post(DEPOSIT, form)
    other = card_step(ana, "30")
    before = money_state()

    refused = ana.post(DEPOSIT, {**other, "token": form["token"]})

    assert refused.status_code == 409
    assert b"already used for another payment" in refused.content
    assert money_state() == before
    # The page shown carries a fresh form: paying from it is a new payment.
    fresh = hidden(refused.content.decode(), "token")
    assert fresh != form["token"]
    assert ana.post(DEPOSIT, {**other, "token": fresh}).status_code == 302
    assert Payment.objects.count() == 2


def test_the_same_pack_form_sent_twice_buys_once(world, ana):
    t.pay_in(world.contact_a, world.facility_1, 1000)
    page = ana.get("/wallet/").content.decode()
    form = {"pack": "0", "token": hidden(page, "token")}

    ana.post("/wallet/greenhaven/packs/", form)
    again = ana.post("/wallet/greenhaven/packs/", form, follow=True)

    assert stamps.stamps_of(world.contact_a, world.facility_1) == 10
    assert b"already bought" in again.content


def test_the_same_refund_form_sent_twice_refunds_once(world, ana):
    t.pay_in(world.contact_a, world.facility_1, 1000)
    page = ana.get("/wallet/").content.decode()
    form = {"token": hidden(page, "token")}

    first = ana.post("/wallet/greenhaven/refund/", form, follow=True)
    again = ana.post("/wallet/greenhaven/refund/", form, follow=True)

    assert b"on its way back to your card" in first.content
    assert b"already asked for" in again.content
    assert Payout.objects.count() == 1
    # A new form on an empty wallet says there is nothing to refund.
    fresh = {"token": hidden(again.content.decode(), "token")}
    assert (
        b"nothing to refund" in ana.post("/wallet/greenhaven/refund/", fresh, follow=True).content
    )
