"""Paying into a wallet through the API: quotes, sandbox cards, receipts and the statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from homeward import builders as t
from homeward.core import clock
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Transaction
from homeward.ledger.providers import sandbox
from homeward.personas import error_of

WALLET = Account.Kind.CONTACT_WALLET


@pytest.fixture
def fees(world):
    """Greenhaven charges $1.00 plus 2.5% on a deposit, at most $3.00."""
    return t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        deposit_fee_flat_cents=100,
        deposit_fee_bp=250,
        deposit_fee_cap_cents=300,
    )


def deposit(api, cents=2000, card=sandbox.SUCCEEDS, key="key-1", code="greenhaven", **extra):
    data = {"amount_cents": cents, "card": card, "idempotency_key": key, **extra}
    return api.post(f"/wallets/{code}/deposits", data)


def wallet_of(world, contact=None) -> int:
    contact = contact or world.contact_a
    return ledger.balance_of(kind=WALLET, contact=contact, facility=world.facility_1)


def nothing_moved() -> bool:
    return not Payment.objects.exists() and not Transaction.objects.exists()


def test_the_deposit_quote_itemises_every_fee_and_saves_nothing(world, api_a, fees):
    response = api_a.post("/wallets/greenhaven/deposit-quote", {"amount_cents": 2000})
    assert response.status_code == 200
    assert response.json() == {
        "lines": [
            {"label": "Deposit to your wallet at Greenhaven Correctional", "cents": 2000},
            {"label": "Deposit fee", "cents": 150},
        ],
        "amount_cents": 2000,
        "fee_cents": 150,
        "total_cents": 2150,
    }
    assert nothing_moved()


def test_a_good_card_pays_at_once_with_the_quoted_fee(world, api_a, fees):
    response = deposit(api_a, expected_total_cents=2150)
    assert response.status_code == 201
    paid = response.json()
    assert paid["status"] == "succeeded"
    assert (paid["amount_cents"], paid["fee_cents"], paid["total_cents"]) == (2000, 150, 2150)
    assert paid["receipt_number"] == f"HW-{paid['id']:08d}"
    assert paid["redirect_url"] is None and paid["card_last4"] == "4242"
    assert wallet_of(world) == 2000

    receipt = api_a.get(f"/payments/{paid['id']}")
    assert receipt.status_code == 200
    assert receipt.json() == paid  # one shape: the receipt is what the payment answered
    assert api_a.get("/wallets").json() == [
        {
            "facility": {"code": "greenhaven", "name": "Greenhaven Correctional"},
            "balance_cents": 2000,
            "stamps": 0,
            "stamp_packs": [],
        }
    ]


def test_a_declined_card_is_402_and_credits_nothing(world, api_a, fees):
    response = deposit(api_a, card=sandbox.DECLINES)
    assert response.status_code == 402
    error = error_of(response)
    assert error["code"] == "card_declined" and "Nothing was charged" in error["message"]
    assert wallet_of(world) == 0
    assert not Transaction.objects.exists()
    # The declined payment is kept as the record, and the same key answers the same way.
    record = api_a.get(f"/payments/{error['payment_id']}").json()
    assert record["status"] == "declined" and record["failure_reason"]
    again = deposit(api_a, card=sandbox.DECLINES)
    assert again.status_code == 402 and error_of(again)["payment_id"] == error["payment_id"]
    assert Payment.objects.count() == 1
    assert deposit(api_a, key="key-2").status_code == 201  # a new key is a new payment
    assert wallet_of(world) == 2000


def test_a_late_card_is_pending_until_the_card_company_confirms(world, api_a, run_jobs):
    response = deposit(api_a, card=sandbox.SUCCEEDS_LATE)
    assert response.status_code == 201
    payment_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    run_jobs()  # the card company has not answered yet
    assert api_a.get(f"/payments/{payment_id}").json()["status"] == "pending"
    assert wallet_of(world) == 0

    later = clock.now() + dt.timedelta(seconds=settings.SANDBOX_LATE_SECONDS + 1)
    with clock.frozen_at(later):
        run_jobs()
    receipt = api_a.get(f"/payments/{payment_id}").json()
    assert receipt["status"] == "succeeded" and receipt["completed_at"] is not None
    assert wallet_of(world) == 2000


def test_the_same_key_pays_once(world, api_a, fees):
    first = deposit(api_a)
    again = deposit(api_a)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Payment.objects.count() == 1
    assert wallet_of(world) == 2000

    other_amount = deposit(api_a, cents=3000)
    assert other_amount.status_code == 409
    assert error_of(other_amount)["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_one_contacts_key_never_reaches_anothers_payment(world, api_a, api_b):
    t.connect(world.contact_b, world.resident)
    mine = deposit(api_a).json()
    theirs = deposit(api_b)  # the same key string, from another contact
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine["id"]
    assert (wallet_of(world), wallet_of(world, world.contact_b)) == (2000, 2000)


@pytest.mark.parametrize(
    ("cents", "status", "code"),
    [
        (0, 400, "bad_amount"),
        (-500, 400, "bad_amount"),
        (99, 400, "bad_amount"),
        (50_001, 400, "bad_amount"),
        (12.5, 422, "invalid_input"),
        ("1000", 422, "invalid_input"),
        (True, 422, "invalid_input"),
        (None, 422, "invalid_input"),
    ],
)
def test_bad_amounts_are_refused_and_create_nothing(world, api_a, fees, cents, status, code):
    for response in (
        api_a.post("/wallets/greenhaven/deposit-quote", {"amount_cents": cents}),
        deposit(api_a, cents=cents),
    ):
        assert response.status_code == status, response.content
        assert error_of(response)["code"] == code
    assert nothing_moved()


def test_other_bad_input_is_refused_and_credits_nothing(world, api_a, fees):
    no_key = deposit(api_a, key="")
    assert (no_key.status_code, error_of(no_key)["code"]) == (422, "invalid_input")
    assert "idempotency_key" in error_of(no_key)["message"]
    blank_key = deposit(api_a, key="   ")
    assert (blank_key.status_code, error_of(blank_key)["code"]) == (400, "key_required")
    changed = deposit(api_a, expected_total_cents=2000)
    assert (changed.status_code, error_of(changed)["code"]) == (409, "total_changed")
    assert nothing_moved()
    unknown_card = deposit(api_a, card="4111 1111 1111 1111")
    assert (unknown_card.status_code, error_of(unknown_card)["code"]) == (400, "card_not_accepted")
    assert wallet_of(world) == 0 and not Transaction.objects.exists()


def test_wallets_only_where_the_contact_has_a_connection(world, api_a):
    for path in ("/wallets/travis-jail/deposit-quote", "/wallets/no-such-place/deposit-quote"):
        response = api_a.post(path, {"amount_cents": 1000})
        assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
    response = deposit(api_a, code="travis-jail")
    assert response.status_code == 404
    assert nothing_moved()

    # A connection, in any status, is enough; wallets are listed by facility name.
    t.connect(world.contact_a, world.resident_2)
    assert deposit(api_a, code="travis-jail").status_code == 201
    listed = [(w["facility"]["code"], w["balance_cents"]) for w in api_a.get("/wallets").json()]
    assert listed == [("greenhaven", 0), ("travis-jail", 2000)]


def test_another_contacts_receipt_is_404_and_unchanged(world, api_a, api_b):
    paid = deposit(api_a).json()
    response = api_b.get(f"/payments/{paid['id']}")
    assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
    assert response.content == api_b.get("/payments/999999").content
    assert Payment.objects.get(pk=paid["id"]).status == "succeeded"


def test_a_receipt_shows_money_to_a_trust_account_and_refunds(world, api_a, connection_a, run_jobs):
    trust = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=1500,
        key="trust-1",
        card=sandbox.SUCCEEDS,
        connection_id=connection_a.pk,
    ).payment
    receipt = api_a.get(f"/payments/{trust.pk}").json()
    assert receipt["resident"] == {"number": "NY1001", "display_name": "Maria L."}

    paid = deposit(api_a).json()
    payments.refund_wallet(
        contact=world.contact_a, facility=world.facility_1, reason="Asked for", key="refund-1"
    )[0]
    receipt = api_a.get(f"/payments/{paid['id']}").json()
    assert receipt["resident"] is None and receipt["refunded_cents"] == 2000
    assert [(p["amount_cents"], p["status"]) for p in receipt["payouts"]] == [(2000, "pending")]
    run_jobs()
    receipt = api_a.get(f"/payments/{paid['id']}").json()
    assert [(p["status"], p["sent_at"] is not None) for p in receipt["payouts"]] == [("sent", True)]


def test_the_statement_lists_deposits_and_messages(world, api_a, connection_a, fees):
    paid = deposit(api_a).json()
    api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": "Hello Maria"})
    lines = api_a.get("/me/statement").json()["lines"]
    assert [
        (line["card_cents"], line["wallet_cents"], line["wallet_after_cents"], line["payment_id"])
        for line in lines
    ] == [(2150, 2000, 2000, paid["id"]), (None, -40, 1960, None)]
    assert lines[0]["facility"] == {"code": "greenhaven", "name": "Greenhaven Correctional"}
    assert paid["receipt_number"] in lines[0]["description"]
    assert lines[1]["description"] == "Message to Maria"
    # The old address, kept for a release: the same lines, the facility by name, marked.
    old = api_a.get("/statement")
    assert old["Deprecation"].startswith("@")
    assert old["Link"] == '</api/v1/me/statement>; rel="successor-version"'
    assert [line["facility"] for line in old.json()] == ["Greenhaven Correctional"] * 2
    assert [line["wallet_after_cents"] for line in old.json()] == [2000, 1960]


def test_the_statement_comes_in_pages_that_walk_back_to_the_first_line(
    world, api_a, connection_a, fees
):
    """Pages of ``limit`` lines, oldest first in each, the newest without a cursor; their
    ``older`` cursors lead back through every line once, each with the balance after it
    (the whole list of the deprecated address says the same)."""
    deposit(api_a)
    for n in range(7):
        sent = api_a.post(f"/conversations/{connection_a.pk}/messages", {"body": f"Note {n}"})
        assert sent.status_code == 201
    newest = api_a.get("/me/statement", {"limit": 3}).json()
    assert [line["description"] for line in newest["lines"]] == ["Message to Maria"] * 3
    assert [line["wallet_after_cents"] for line in newest["lines"]] == [1800, 1760, 1720]
    pages, cursor = [newest["lines"]], newest["older"]
    while cursor:
        page = api_a.get("/me/statement", {"limit": 3, "before": cursor}).json()
        pages.append(page["lines"])
        cursor = page["older"]
    assert [len(page) for page in pages] == [3, 3, 2]
    walked = [line for page in reversed(pages) for line in page]
    whole = api_a.get("/statement").json()
    assert (
        [line["wallet_after_cents"] for line in walked]
        == [line["wallet_after_cents"] for line in whole]
        == [2000 - 40 * n for n in range(8)]
    )
    assert api_a.get("/me/statement").json()["older"] is None  # 8 lines: one page of 100
    for bad in ({"before": "not a cursor"}, {"limit": 0}, {"limit": 501}):
        assert api_a.get("/me/statement", bad).status_code == 422
