"""Repeats answer the same way everywhere: the same key with the same request answers 200
with what the first answer said (201 only for the request that did it); the same key with
anything else is 409 idempotency_key_reused and changes nothing."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging.models import Message
from homeward.personas import api_for, error_of

K = Account.Kind
OTHER_CARD = "5555 5555 5555 4444"


@pytest.fixture(autouse=True)
def _ledger_stays_sound(db):
    yield
    assert ledger.problems() == []


@pytest.fixture
def paying(world):
    """Greenhaven at 25 cents a message (stamp packs on sale), Ana with $20 there."""
    t.set_prices(
        world.facility_1,
        model="per_message",
        per_message_cents=25,
        stamp_packs=[{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}],
    )
    t.pay_in(world.contact_a, world.facility_1, 2000)
    return world


def money_state() -> tuple:
    return (
        list(Message.objects.values_list("id", "body", "status").order_by("id")),
        list(Payment.objects.values_list("id", "status", "amount_cents").order_by("id")),
        list(Payout.objects.values_list("id", "amount_cents").order_by("id")),
        list(Account.objects.values_list("id", "balance").order_by("id")),
        Transaction.objects.count(),
    )


def refused_as_reused(response, before: tuple) -> None:
    assert response.status_code == 409, response.content
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert money_state() == before


# --- messages ------------------------------------------------------------------------------


def send(api, connection, body="See you Sunday", token="tok-1", **extra):
    data = {"body": body, "client_token": token, **extra}
    return api.post(f"/conversations/{connection.pk}/messages", data)


def test_a_resent_message_answers_200_with_the_first_answer(paying, api_a, connection_a):
    first = send(api_a, connection_a)
    again = send(api_a, connection_a)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Message.objects.count() == 1
    assert Transaction.objects.filter(kind="message_charge").count() == 1


def test_a_message_token_with_other_text_is_409_and_sends_nothing(paying, api_a, connection_a):
    assert send(api_a, connection_a).status_code == 201
    before = money_state()
    refused_as_reused(send(api_a, connection_a, body="Something else entirely"), before)


def test_a_message_token_on_another_connection_is_409(paying, api_a, connection_a):
    other = t.connect(paying.contact_a, t.make_resident(paying.facility_1, first_name="Luz"))
    assert send(api_a, connection_a).status_code == 201
    before = money_state()
    refused_as_reused(send(api_a, other), before)


def test_a_message_token_with_a_prepaid_reply_added_is_409(world, api_a, connection_a):
    t.set_prices(
        world.facility_1, model="per_message", per_message_cents=25, payer="sender_prepays_reply"
    )
    t.pay_in(world.contact_a, world.facility_1, 2000)
    assert send(api_a, connection_a).status_code == 201
    before = money_state()
    refused_as_reused(send(api_a, connection_a, prepaid_reply=True), before)


def test_the_same_token_from_two_contacts_is_two_messages(paying, api_a, connection_a):
    """A token is the sender's own: another person's identical token is no repeat."""
    ben = paying.contact_b
    ben_link = t.connect(ben, paying.resident)
    t.pay_in(ben, paying.facility_1, 500)
    assert send(api_a, connection_a).status_code == 201
    assert send(api_for(ben), ben_link).status_code == 201
    assert Message.objects.count() == 2


# --- deposits ------------------------------------------------------------------------------


def deposit(api, cents=1000, card=sandbox.SUCCEEDS, key="d-1"):
    data = {"amount_cents": cents, "card": card, "idempotency_key": key}
    return api.post("/wallets/greenhaven/deposits", data)


def trust(api, connection, cents=1000, card=sandbox.SUCCEEDS, key="d-1"):
    data = {"amount_cents": cents, "card": card, "idempotency_key": key}
    return api.post(f"/connections/{connection.pk}/trust-deposits", data)


def test_a_repeated_deposit_answers_200_with_the_first_answer(paying, api_a):
    first, again = deposit(api_a), deposit(api_a)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Payment.objects.filter(key__startswith="api:").count() == 1


@pytest.mark.parametrize(
    "change", [{"cents": 1500}, {"card": OTHER_CARD}], ids=["another amount", "another card"]
)
def test_a_deposit_key_for_another_payment_is_409(paying, api_a, change):
    assert deposit(api_a).status_code == 201
    before = money_state()
    refused_as_reused(deposit(api_a, **change), before)


def test_a_repeated_trust_deposit_answers_200_and_another_is_409(paying, api_a, connection_a):
    first, again = trust(api_a, connection_a), trust(api_a, connection_a)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    before = money_state()
    refused_as_reused(trust(api_a, connection_a, cents=2500), before)
    # The same key into the wallet instead of the trust account is another payment too.
    refused_as_reused(deposit(api_a), before)


# --- stamp packs and refunds ---------------------------------------------------------------


def buy(api, pack=0, key="p-1"):
    return api.post("/wallets/greenhaven/stamp-packs", {"pack": pack, "idempotency_key": key})


def test_a_repeated_pack_answers_200_and_another_pack_is_409(paying, api_a):
    t.set_prices(
        paying.facility_1,
        stamp_cents=40,
        stamp_packs=[{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}],
    )
    first, again = buy(api_a), buy(api_a)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    before = money_state()
    refused_as_reused(buy(api_a, pack=1), before)


def test_a_refund_key_used_for_another_wallet_is_409(paying, api_a):
    other = t.make_facility("otherside", prices={"model": "per_message", "per_message_cents": 25})
    t.connect(paying.contact_a, t.make_resident(other))
    t.pay_in(paying.contact_a, other, 700)
    first = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-1"})
    again = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["refunded_cents"] == 2000
    before = money_state()
    refused_as_reused(api_a.post("/wallets/otherside/refund", {"idempotency_key": "r-1"}), before)


def test_a_refund_key_that_found_nothing_never_refunds_a_later_deposit(world, api_a):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25)
    t.pay_in(world.contact_a, world.facility_1, 1000)
    emptied = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-0"})
    assert emptied.status_code == 201 and emptied.json()["refunded_cents"] == 1000
    first = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-empty"})
    assert first.status_code == 200 and first.json()["refunded_cents"] == 0
    t.pay_in(world.contact_a, world.facility_1, 1500)
    before = money_state()
    # A client retrying its old request much later: the same answer, and the new money stays.
    again = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-empty"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert money_state() == before
    # The key is this wallet's: another wallet's refund under it is refused.
    other = t.make_facility("otherside", prices={"model": "per_message", "per_message_cents": 25})
    t.connect(world.contact_a, t.make_resident(other))
    t.pay_in(world.contact_a, other, 700)
    before = money_state()
    refused_as_reused(
        api_a.post("/wallets/otherside/refund", {"idempotency_key": "r-empty"}), before
    )


# --- one name for the key ------------------------------------------------------------------


def send_keyed(api, connection, body="See you Sunday", **keys):
    return api.post(f"/conversations/{connection.pk}/messages", {"body": body, **keys})


def test_a_message_takes_idempotency_key_like_every_create(paying, api_a, connection_a):
    first = send_keyed(api_a, connection_a, idempotency_key="k-1")
    again = send_keyed(api_a, connection_a, idempotency_key="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    before = money_state()
    refused_as_reused(send_keyed(api_a, connection_a, body="Other", idempotency_key="k-1"), before)


def test_the_old_name_client_token_is_the_same_key(paying, api_a, connection_a):
    first = send_keyed(api_a, connection_a, client_token="k-2")
    again = send_keyed(api_a, connection_a, idempotency_key="k-2")
    same_twice = send_keyed(api_a, connection_a, idempotency_key="k-2", client_token="k-2")
    assert (first.status_code, again.status_code, same_twice.status_code) == (201, 200, 200)
    assert Message.objects.count() == 1


def test_both_names_with_different_keys_are_422_and_send_nothing(paying, api_a, connection_a):
    before = money_state()
    response = send_keyed(api_a, connection_a, idempotency_key="a", client_token="b")
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
    assert money_state() == before


def test_a_repeat_after_the_account_fee_was_paid_answers_the_first_payment(world, api_a):
    """The quote's account fee falls away once the first deposit is in; resending that
    deposit with the total it was shown is the same payment (200), not a changed total."""
    t.set_prices(world.facility_1, account_fee_cents=300)
    total = api_a.post("/wallets/greenhaven/deposit-quote", {"amount_cents": 1000}).json()
    assert total["total_cents"] == 1300
    data = {
        "amount_cents": 1000,
        "card": sandbox.SUCCEEDS,
        "idempotency_key": "first",
        "expected_total_cents": 1300,
    }
    first = api_a.post("/wallets/greenhaven/deposits", data)
    again = api_a.post("/wallets/greenhaven/deposits", data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
