"""What a message costs through the API, and paying for it: quotes, the charge, 402."""

from __future__ import annotations

from homeward import builders as t
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Payment, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging.models import Message
from homeward.personas import error_of

WALLET = Account.Kind.CONTACT_WALLET


def pay_in(api, cents: int, key: str = "k1", code: str = "greenhaven"):
    data = {"amount_cents": cents, "card": sandbox.SUCCEEDS, "idempotency_key": key}
    response = api.post(f"/wallets/{code}/deposits", data)
    assert response.status_code == 201, response.content
    return response.json()


def wallet_of(world, contact=None) -> int:
    contact = contact or world.contact_a
    return ledger.balance_of(kind=WALLET, contact=contact, facility=world.facility_1)


def quote(api, connection, body: str, **extra):
    return api.post(f"/conversations/{connection.pk}/quote", {"body": body, **extra})


def send(api, connection, body: str, **extra):
    return api.post(f"/conversations/{connection.pk}/messages", {"body": body, **extra})


def test_the_quote_is_what_sending_then_charges(world, api_a, connection_a, stamps):
    pay_in(api_a, 500)
    body = "x" * 2001  # two stamps
    quoted = quote(api_a, connection_a, body)
    assert quoted.status_code == 200
    assert quoted.json() == {
        "lines": [{"label": "2 stamps for the text", "cents": 80}],
        "total_cents": 80,
        "payer": "contact",
        "payer_words": "Paid from the contact's wallet",
        "to_pay_cents": 80,
        "balance_cents": 500,
        "balance_after_cents": 420,
        "affordable": True,
        "stamps": 0,  # money pays: no stamps bought ahead
    }
    assert not Message.objects.exists()  # quoting sends nothing and charges nothing
    assert wallet_of(world) == 500

    assert send(api_a, connection_a, body).status_code == 201
    assert wallet_of(world) == 420
    assert api_a.get("/wallets").json()[0]["balance_cents"] == 420


def test_the_quotes_old_address_answers_the_same_and_says_it_is_deprecated(
    world, api_a, connection_a, stamps
):
    new = quote(api_a, connection_a, "Hello")
    old = api_a.post(f"/connections/{connection_a.pk}/quote", {"body": "Hello"})
    assert old.status_code == 200 and old.json() == new.json()
    assert "Deprecation" not in new
    assert old["Deprecation"].startswith("@")
    successor = f"/api/v1/conversations/{connection_a.pk}/quote"
    assert old["Link"] == f'<{successor}>; rel="successor-version"'


def test_the_quote_counts_characters_as_sending_does(world, api_a, connection_a, stamps):
    # Surrounding space and carriage returns are dropped before counting, as on sending.
    body = " " * 50 + "é" * 2000 + "\r\n" * 10
    assert quote(api_a, connection_a, body).json()["total_cents"] == 40


def test_a_free_facility_quotes_nothing_to_pay(world, api_a, connection_a):
    quoted = quote(api_a, connection_a, "Hello").json()
    assert quoted["payer"] == "agency"
    assert quoted["to_pay_cents"] == 0
    assert quoted["balance_cents"] is None and quoted["balance_after_cents"] is None
    assert quoted["affordable"] is True


def test_a_prepaid_reply_is_quoted_and_charged(world, api_a, connection_a):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, payer="sender_prepays_reply")
    pay_in(api_a, 100)
    quoted = quote(api_a, connection_a, "Write back soon", prepaid_reply=True).json()
    assert quoted["lines"] == [
        {"label": "1 stamp for the text", "cents": 40},
        {"label": "Prepaid reply", "cents": 40},
    ]
    assert quoted["balance_after_cents"] == 20
    sent = send(api_a, connection_a, "Write back soon", prepaid_reply=True)
    assert sent.status_code == 201
    assert wallet_of(world) == 20


def test_a_prepaid_reply_where_none_is_offered_is_400_and_nothing_sent(
    world, api_a, connection_a, stamps
):
    pay_in(api_a, 100)
    for response in (
        quote(api_a, connection_a, "Hi", prepaid_reply=True),
        send(api_a, connection_a, "Hi", prepaid_reply=True),
    ):
        assert response.status_code == 400
        assert error_of(response)["code"] == "prepaid_reply_not_offered"
    assert not Message.objects.exists()
    assert wallet_of(world) == 100


def test_without_the_money_sending_is_402_and_nothing_is_sent(world, api_a, connection_a, stamps):
    quoted = quote(api_a, connection_a, "Hello Maria").json()
    assert (quoted["balance_cents"], quoted["balance_after_cents"]) == (0, -40)
    assert quoted["affordable"] is False

    response = send(api_a, connection_a, "Hello Maria", client_token="t1")
    assert response.status_code == 402
    error = error_of(response)
    assert error["code"] == "insufficient_funds"
    assert "$0.40" in error["message"] and "Nothing was sent" in error["message"]
    assert not Message.objects.exists()
    assert not Transaction.objects.filter(kind="message_charge").exists()
    assert api_a.get(f"/conversations/{connection_a.pk}/messages").json()["messages"] == []

    # With money in the wallet the same message (and token) goes through once.
    pay_in(api_a, 100)
    assert send(api_a, connection_a, "Hello Maria", client_token="t1").status_code == 201
    assert wallet_of(world) == 60


def test_quote_checks_the_body_as_sending_does(world, api_a, connection_a, stamps):
    world.facility_1.policy.message_length_limit = 10
    world.facility_1.policy.save()
    too_long = quote(api_a, connection_a, "x" * 11)
    assert too_long.status_code == 400
    assert error_of(too_long)["code"] == "message_too_long"
    empty = quote(api_a, connection_a, "  ")
    assert (empty.status_code, error_of(empty)["code"]) == (400, "message_empty")
    missing = api_a.post(f"/conversations/{connection_a.pk}/quote", {})
    assert (missing.status_code, error_of(missing)["code"]) == (422, "invalid_input")


def test_another_contacts_connection_cannot_be_quoted(world, api_b, connection_a, stamps):
    response = quote(api_b, connection_a, "Hello")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert (
        quote(api_b, connection_a, "Hello").content
        == api_b.post("/conversations/999999/quote", {"body": "Hello"}).content
    )  # the same answer as a connection that does not exist


def test_the_send_endpoint_documents_402_and_prepaid_reply(db, anon):
    spec = anon.get("/openapi.json").json()
    send_op = spec["paths"]["/api/v1/conversations/{connection_id}/messages"]["post"]
    assert "402" in send_op["responses"]
    assert "prepaid_reply" in spec["components"]["schemas"]["MessageIn"]["properties"]


def test_openapi_lists_the_money_operations(db, anon):
    paths = anon.get("/openapi.json").json()["paths"]
    expected = {
        "/api/v1/conversations/{connection_id}/quote": "post",
        "/api/v1/wallets": "get",
        "/api/v1/wallets/{facility_code}/deposit-quote": "post",
        "/api/v1/wallets/{facility_code}/deposits": "post",
        "/api/v1/payments/{payment_id}": "get",
        "/api/v1/statement": "get",
    }
    for path, method in expected.items():
        operation = paths[path][method]
        assert operation["security"], path  # every one needs a token
        assert "401" in operation["responses"], path
    assert "402" in paths["/api/v1/wallets/{facility_code}/deposits"]["post"]["responses"]


def test_a_connection_shows_an_empty_wallet_without_opening_one(world, api_a):
    before = Account.objects.count()
    assert api_a.get("/wallets").json() == [
        {
            "facility": {"code": "greenhaven", "name": "Greenhaven Correctional"},
            "balance_cents": 0,
            "stamps": 0,
            "stamp_packs": [],
        }
    ]
    assert Account.objects.count() == before
    assert not Payment.objects.exists()


def test_a_pending_connection_has_no_price_as_sending_has_no_message(world, api_b, stamps):
    asked = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert asked.status_code == 201 and asked.json()["status"] != "active"
    pending = world.contact_b.connections.get()
    quoted = quote(api_b, pending, "Hello")
    assert quoted.status_code == 409
    assert error_of(quoted)["code"] == "connection_not_active"
    sent = send(api_b, pending, "Hello")
    assert (sent.status_code, error_of(sent)["code"]) == (409, "connection_not_active")
    assert not Message.objects.filter(connection=pending).exists()


def test_a_blocked_connection_has_no_price(world, api_a, connection_a, stamps):
    assert api_a.post(f"/connections/{connection_a.pk}/block").status_code == 200
    quoted = quote(api_a, connection_a, "Hello")
    assert (quoted.status_code, error_of(quoted)["code"]) == (403, "connection_blocked")
