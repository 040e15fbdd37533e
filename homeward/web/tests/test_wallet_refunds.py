"""Money to a trust account, refunds to the card, and the statement."""

from __future__ import annotations

import datetime as dt
import re

from homeward import builders as t
from homeward.core import clock
from homeward.ledger import services as ledger
from homeward.ledger.models import Payment, Payout
from homeward.personas import client_for
from homeward.web.tests.wallet_steps import (
    DEPOSIT,
    hidden,
    money_state,
    pay,
    pay_directly,
    quote,
    wallet_balance,
)


def test_money_to_a_trust_account(world):
    t.set_prices(world.facility_1, deposit_fee_flat_cents=100)
    client = client_for(world.contact_a.user)
    url = f"/connections/{world.contact_a.connections.get().pk}/money/"
    assert client.get(url).status_code == 200
    page = quote(client, url, "25").content.decode()
    assert "Money to Maria&#x27;s trust account</th><td>$25.00" in page
    assert "Deposit fee</th><td>$1.00" in page and "$26.00" in page

    response = pay(client, url, "25")
    payment = Payment.objects.get()
    assert response["Location"] == f"/receipts/{payment.pk}/"
    assert ledger.balance_of(kind="trust", resident=world.resident) == 2500
    assert wallet_balance(world.contact_a, world.facility_1) == 0
    page = client.get(response["Location"]).content.decode()
    assert "Money to Maria's trust account at Greenhaven Correctional" in page
    page = client.get("/wallet/statement/").content.decode()
    assert "Money to Maria&#x27;s trust account, receipt" in page


def test_no_trust_money_over_an_ended_connection(world):
    connection = world.contact_a.connections.get()
    connection.status = "ended"
    connection.save()
    client = client_for(world.contact_a.user)
    url = f"/connections/{connection.pk}/money/"
    response = client.get(url)
    assert response.status_code == 409
    assert "still in custody" in response.content.decode()
    before = money_state()
    assert pay_directly(client, url).status_code == 409
    assert money_state() == before
    assert f'href="{url}"' not in client.get("/wallet/").content.decode()


def test_refund_empties_the_wallet_back_to_the_card(world, run_jobs):
    client = client_for(world.contact_a.user)
    pay(client, DEPOSIT, "20")
    pay(client, DEPOSIT, "5")
    token = hidden(client.get("/wallet/").content.decode(), "token")
    response = client.post("/wallet/greenhaven/refund/", {"token": token}, follow=True)
    page = response.content.decode()
    assert "$25.00 is on its way back to your card. Refunds carry no fee." in page
    assert wallet_balance(world.contact_a, world.facility_1) == 0
    assert sorted(Payout.objects.values_list("amount_cents", "status")) == [
        (500, "pending"),
        (2000, "pending"),
    ]
    assert "is on its way back to your card ending 4242" in page
    assert Payout.objects.get(amount_cents=500).reason == "Refund requested by you"

    # The same button again: nothing more moves.
    client.post("/wallet/greenhaven/refund/", {"token": token})
    assert Payout.objects.count() == 2

    run_jobs()
    assert set(Payout.objects.values_list("status", flat=True)) == {"sent"}
    payment = Payment.objects.get(amount_cents=2000)
    page = client.get(f"/receipts/{payment.pk}/").content.decode()
    assert "Refunds to your card from this payment" in page and "Sent to the card" in page
    page = client.get("/wallet/statement/").content.decode()
    assert "Refund to your card: Refund requested by you" in page and "-$25.00" in page


def test_refund_of_an_empty_wallet_moves_nothing(world):
    client = client_for(world.contact_a.user)
    pay(client, DEPOSIT, "20")
    token = hidden(client.get("/wallet/").content.decode(), "token")
    client.post("/wallet/greenhaven/refund/", {"token": token})
    before = money_state()
    response = client.post("/wallet/greenhaven/refund/", {"token": "c" * 32}, follow=True)
    assert "is empty: nothing to refund" in response.content.decode()
    assert money_state() == before


def test_no_refund_where_the_contact_has_no_wallet(world):
    before = money_state()
    client = client_for(world.contact_a.user)
    assert client.post("/wallet/greenhaven/refund/", {"token": "c" * 32}).status_code == 404
    assert money_state() == before  # no wallet was opened to answer


def test_statement_is_newest_first(world):
    client = client_for(world.contact_a.user)
    pay(client, DEPOSIT, "20")
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=5)):
        pay(client, DEPOSIT, "7")
    first, second = Payment.objects.order_by("pk")
    page = client.get("/wallet/statement/").content.decode()
    assert page.index(second.receipt_number) < page.index(first.receipt_number)
    assert "$27.00" in page  # the balance after the newest line


def test_a_long_statement_comes_in_pages_with_the_balance_after_each_line(world, monkeypatch):
    """A hundred lines a page (here two), newest first; "Earlier lines" follows the last
    line seen, and the older page's balances are the balances after its lines."""
    from homeward.ledger import statements

    monkeypatch.setattr(statements, "PAGE_LINES", 2)
    client = client_for(world.contact_a.user)
    for minutes, amount in ((0, "20"), (5, "7"), (10, "3")):
        with clock.frozen_at(clock.now() + dt.timedelta(minutes=minutes)):
            pay(client, DEPOSIT, amount)
    first, second, third = Payment.objects.order_by("pk")
    newest = client.get("/wallet/statement/").content.decode()
    assert third.receipt_number in newest and second.receipt_number in newest
    assert first.receipt_number not in newest
    assert "$30.00" in newest and "$27.00" in newest
    earlier = re.search(r'href="\?before=([0-9.]+)"', newest)
    assert earlier and "Earlier lines" in newest
    older = client.get(f"/wallet/statement/?before={earlier.group(1)}").content.decode()
    assert first.receipt_number in older and second.receipt_number not in older
    assert "$20.00" in older and "The newest lines" in older and "Earlier lines" not in older
    # The whole of it is still one download.
    csv_text = b"".join(client.get("/wallet/statement.csv").streaming_content).decode()
    assert all(p.receipt_number in csv_text for p in (first, second, third))
    # A position that is no position shows the newest lines, as the newest page.
    bad = client.get("/wallet/statement/?before=x").content.decode()
    assert third.receipt_number in bad and "The newest lines" not in bad


def test_names_are_escaped(world):
    world.resident.first_name = "<b>Maria</b>"
    world.resident.save()
    client = client_for(world.contact_a.user)
    url = f"/connections/{world.contact_a.connections.get().pk}/money/"
    for page in (client.get("/wallet/"), quote(client, url, "5"), client.get(url)):
        text = page.content.decode()
        assert "<b>Maria</b>" not in text and "&lt;b&gt;Maria&lt;/b&gt;" in text
