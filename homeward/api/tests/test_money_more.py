"""More money through the API: money to a trust account, a wallet sent back to the cards,
stamp packs bought ahead and spent on messages."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import services as ledger
from homeward.ledger import stamps
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.ledger.providers import sandbox
from homeward.personas import api_for, error_of
from homeward.roster import services as roster

K = Account.Kind


@pytest.fixture(autouse=True)
def _ledger_stays_sound(db):
    yield
    assert ledger.problems() == []


@pytest.fixture
def packs(world):
    """Greenhaven: 40 cents a stamp (up to 2,000 characters), 10 stamps for $3.50 or 25 for
    $8.00; $1.00 on every deposit and a $2.00 account fee with a contact's first."""
    t.set_prices(
        world.facility_1,
        stamp_cents=40,
        chars_per_stamp=2000,
        deposit_fee_flat_cents=100,
        account_fee_cents=200,
        stamp_packs=[{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}],
    )
    return world


def wallet_of(world, contact=None) -> int:
    contact = contact or world.contact_a
    return ledger.balance_of(kind=K.CONTACT_WALLET, contact=contact, facility=world.facility_1)


def trust_of(world) -> int:
    return ledger.balance_of(kind=K.TRUST, resident=world.resident)


def money_state() -> tuple:
    """Everything a refused money request must leave alone."""
    return (
        list(Payment.objects.values_list("id", "status", "refunded_cents").order_by("id")),
        list(Payout.objects.values_list("id", "status").order_by("id")),
        list(Account.objects.values_list("id", "balance").order_by("id")),
        Transaction.objects.count(),
    )


def send_trust(api, connection, cents=2000, card=sandbox.SUCCEEDS, key="t-1", **extra):
    data = {"amount_cents": cents, "card": card, "idempotency_key": key, **extra}
    return api.post(f"/connections/{connection.pk}/trust-deposits", data)


def pay_in(api, cents, key):
    data = {"amount_cents": cents, "card": sandbox.SUCCEEDS, "idempotency_key": key}
    response = api.post("/wallets/greenhaven/deposits", data)
    assert response.status_code == 201, response.content
    return response.json()


def buy(api, pack=0, key="p-1", code="greenhaven"):
    return api.post(f"/wallets/{code}/stamp-packs", {"pack": pack, "idempotency_key": key})


# --- money to a trust account -------------------------------------------------------------


def test_money_to_a_trust_account_is_quoted_then_paid_once(world, packs, api_a, connection_a):
    quoted = api_a.post(
        f"/connections/{connection_a.pk}/trust-deposit-quote", {"amount_cents": 2000}
    )
    assert quoted.status_code == 200
    # No account fee: that comes only with a first deposit into the contact's own wallet.
    assert quoted.json() == {
        "lines": [
            {"label": "Money to Maria's trust account", "cents": 2000},
            {"label": "Deposit fee", "cents": 100},
        ],
        "amount_cents": 2000,
        "fee_cents": 100,
        "total_cents": 2100,
    }
    assert not Payment.objects.exists()

    paid = send_trust(api_a, connection_a, expected_total_cents=2100)
    assert paid.status_code == 201, paid.content
    body = paid.json()
    assert (body["status"], body["total_cents"]) == ("succeeded", 2100)
    assert body["resident"] == {"number": "NY1001", "display_name": "Maria L."}
    assert (trust_of(world), wallet_of(world)) == (2000, 0)
    assert api_a.get(f"/payments/{body['id']}").json()["resident"]["number"] == "NY1001"

    again = send_trust(api_a, connection_a, expected_total_cents=2100)
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    other_amount = send_trust(api_a, connection_a, cents=3000)
    assert (other_amount.status_code, error_of(other_amount)["code"]) == (
        409,
        "idempotency_key_reused",
    )
    assert Payment.objects.count() == 1 and trust_of(world) == 2000


def test_a_declined_card_sends_nothing_to_the_trust_account(world, api_a, connection_a):
    response = send_trust(api_a, connection_a, card=sandbox.DECLINES)
    assert response.status_code == 402
    error = error_of(response)
    assert error["code"] == "card_declined" and "Nothing was charged" in error["message"]
    assert api_a.get(f"/payments/{error['payment_id']}").json()["status"] == "declined"
    assert trust_of(world) == 0 and not Transaction.objects.exists()


def test_bad_trust_deposits_are_refused_and_move_nothing(world, packs, api_a, connection_a):
    path = f"/connections/{connection_a.pk}/trust-deposit-quote"
    for cents, status, code in [(99, 400, "bad_amount"), ("20", 422, "invalid_input")]:
        for response in (
            api_a.post(path, {"amount_cents": cents}),
            send_trust(api_a, connection_a, cents=cents),
        ):
            assert (response.status_code, error_of(response)["code"]) == (status, code)
    changed = send_trust(api_a, connection_a, expected_total_cents=2000)
    assert (changed.status_code, error_of(changed)["code"]) == (409, "total_changed")
    blank_key = send_trust(api_a, connection_a, key="  ")
    assert (blank_key.status_code, error_of(blank_key)["code"]) == (400, "key_required")
    assert not Payment.objects.exists() and not Transaction.objects.exists()


def test_another_contacts_connection_is_404_and_nothing_moves(world, api_b, connection_a):
    before = money_state()
    for path, data in [
        ("trust-deposit-quote", {"amount_cents": 2000}),
        (
            "trust-deposits",
            {"amount_cents": 2000, "card": sandbox.SUCCEEDS, "idempotency_key": "k"},
        ),
    ]:
        theirs = api_b.post(f"/connections/{connection_a.pk}/{path}", data)
        missing = api_b.post(f"/connections/999999/{path}", data)
        assert (theirs.status_code, error_of(theirs)["code"]) == (404, "not_found")
        assert theirs.content == missing.content  # the same as a connection that is not there
    assert money_state() == before


def test_no_money_over_a_blocked_connection_or_to_a_released_resident(world, api_a, connection_a):
    other = t.make_resident(world.facility_1, "NY1002", first_name="Rosa")
    released = t.connect(world.contact_a, other)
    roster.release_resident(staff=world.facility_admin, resident_id=other.pk)
    assert api_a.post(f"/connections/{connection_a.pk}/block").status_code == 200
    before = money_state()
    for connection in (connection_a, released):
        quoted = api_a.post(
            f"/connections/{connection.pk}/trust-deposit-quote", {"amount_cents": 2000}
        )
        paid = send_trust(api_a, connection)
        for response in (quoted, paid):
            assert response.status_code == 409
            assert error_of(response)["code"] == "connection_not_active"
    assert money_state() == before


# --- sending a wallet back to the cards ---------------------------------------------------


def test_a_refund_sends_the_wallet_and_unused_stamps_back_once(world, packs, api_a, run_jobs):
    first = pay_in(api_a, 2000, "d-1")
    second = pay_in(api_a, 500, "d-2")
    assert buy(api_a, pack=0).status_code == 201  # $3.50 of the $25.00 now in 10 stamps

    refunded = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-1"})
    assert refunded.status_code == 201
    # Newest payment first, stamps back at what they cost, no fee kept.
    assert refunded.json() == {
        "refunded_cents": 2500,
        "payouts": [
            {"receipt_number": second["receipt_number"], "amount_cents": 500, "status": "pending"},
            {"receipt_number": first["receipt_number"], "amount_cents": 2000, "status": "pending"},
        ],
    }
    assert wallet_of(world) == 0 and stamps.stamps_of(world.contact_a, world.facility_1) == 0
    [wallet] = api_a.get("/wallets").json()
    assert (wallet["balance_cents"], wallet["stamps"]) == (0, 0)

    before = money_state()
    again = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": "r-1"})
    assert again.status_code == 200
    assert again.json() == refunded.json()  # the first answer, and nothing moves
    assert money_state() == before
    run_jobs()
    assert api_a.get(f"/payments/{first['id']}").json()["payouts"][0]["status"] == "sent"


def test_an_empty_wallet_refunds_nothing(world, packs, api_a, connection_a):
    pay_in(api_a, 120, "d-1")
    sent = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "x" * 4500})
    assert sent.status_code == 201 and wallet_of(world) == 0  # three stamps: $1.20
    before = money_state()
    for key in ("r-1", "r-2"):
        response = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": key})
        assert response.json() == {"refunded_cents": 0, "payouts": []}
    assert money_state() == before


def test_a_refund_only_where_the_contact_has_a_wallet(world, api_a, api_b):
    t.pay_in(world.contact_a, world.facility_1, 2000)
    contact_c = t.make_contact()
    t.connect(contact_c, world.resident)  # a connection, but never paid in: no wallet yet
    before = money_state()
    for api, code in [
        (api_b, "greenhaven"),  # contact_a's wallet is there, not contact_b's
        (api_b, "no-such-place"),
        (api_a, "travis-jail"),
        (api_for(contact_c), "greenhaven"),
    ]:
        response = api.post(f"/wallets/{code}/refund", {"idempotency_key": "k"})
        assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
    assert money_state() == before
    assert wallet_of(world) == 2000


def test_refund_input_is_checked(world, api_a):
    t.pay_in(world.contact_a, world.facility_1, 2000)
    missing = api_a.post("/wallets/greenhaven/refund", {})
    assert (missing.status_code, error_of(missing)["code"]) == (422, "invalid_input")
    blank = api_a.post("/wallets/greenhaven/refund", {"idempotency_key": " "})
    assert (blank.status_code, error_of(blank)["code"]) == (400, "key_required")
    assert wallet_of(world) == 2000 and not Payout.objects.exists()


# --- stamp packs --------------------------------------------------------------------------


def test_packs_on_sale_are_listed_bought_once_and_pay_for_messages(
    world, packs, api_a, connection_a
):
    pay_in(api_a, 1000, "d-1")
    [wallet] = api_a.get("/wallets").json()
    assert wallet["stamps"] == 0
    assert wallet["stamp_packs"] == [
        {"index": 0, "stamps": 10, "cents": 350},
        {"index": 1, "stamps": 25, "cents": 800},
    ]
    bought = buy(api_a, pack=1)
    assert bought.status_code == 201
    assert bought.json() == {"stamps": 25, "cents": 800, "stamps_held": 25}
    assert wallet_of(world) == 200

    again = buy(api_a, pack=1)
    assert (again.status_code, again.json()) == (200, bought.json())
    other_pack = buy(api_a, pack=0)
    assert (other_pack.status_code, error_of(other_pack)["code"]) == (409, "idempotency_key_reused")
    assert wallet_of(world) == 200 and api_a.get("/wallets").json()[0]["stamps"] == 25

    quoted = api_a.post(f"/conversations/{connection_a.pk}/quote", {"body": "x" * 2001}).json()
    assert quoted["stamps"] == 2 and quoted["to_pay_cents"] == 0
    assert quoted["balance_after_cents"] == quoted["balance_cents"] == 200
    assert quoted["payer_words"] == "Paid with 2 of the contact's 25 stamps"
    sent = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "x" * 2001})
    assert sent.status_code == 201
    assert wallet_of(world) == 200 and stamps.stamps_of(world.contact_a, world.facility_1) == 23


def test_without_the_money_a_pack_is_402_and_nothing_is_bought(world, packs, api_a):
    before = money_state()
    response = buy(api_a, pack=0)
    assert response.status_code == 402
    error = error_of(response)
    assert error["code"] == "insufficient_funds" and "Nothing was bought" in error["message"]
    assert money_state() == before
    assert api_a.get("/wallets").json()[0]["stamps"] == 0


@pytest.mark.parametrize(
    ("pack", "status", "code"),
    [(2, 400, "no_such_pack"), (-1, 400, "no_such_pack"), ("0", 422, "invalid_input")],
)
def test_a_pack_not_on_sale_is_refused(world, packs, api_a, pack, status, code):
    pay_in(api_a, 1000, "d-1")
    before = money_state()
    response = buy(api_a, pack=pack)
    assert (response.status_code, error_of(response)["code"]) == (status, code)
    assert money_state() == before


def test_no_packs_where_none_are_sold(world, api_a):
    t.pay_in(world.contact_a, world.facility_1, 1000)  # greenhaven is free: no stamps
    assert api_a.get("/wallets").json()[0]["stamp_packs"] == []
    response = buy(api_a, pack=0)
    assert (response.status_code, error_of(response)["code"]) == (400, "no_such_pack")
    assert wallet_of(world) == 1000


def test_packs_only_where_the_contact_has_a_connection(world, packs, api_a, api_b):
    t.set_prices(world.facility_2, stamp_cents=40, stamp_packs=[{"stamps": 10, "cents": 350}])
    t.pay_in(world.contact_a, world.facility_1, 1000)
    before = money_state()
    for api, code in [(api_a, "travis-jail"), (api_b, "greenhaven"), (api_a, "no-such-place")]:
        response = buy(api, code=code)
        assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
    assert money_state() == before


def test_openapi_lists_the_new_money_operations(db, anon):
    paths = anon.get("/openapi.json").json()["paths"]
    expected = {
        "/api/v1/connections/{connection_id}/trust-deposit-quote": "409",
        "/api/v1/connections/{connection_id}/trust-deposits": "402",
        "/api/v1/wallets/{facility_code}/refund": "404",
        "/api/v1/wallets/{facility_code}/stamp-packs": "402",
    }
    for path, status in expected.items():
        operation = paths[path]["post"]
        assert operation["security"], path  # every one needs a token
        assert {"401", "404", status} <= set(operation["responses"]), path
