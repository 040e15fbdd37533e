"""The contact's wallet pages: paying in with the sandbox's test cards, the itemised quote
before paying, receipts, double submits and bad amounts."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.ledger.models import Payment, Transaction
from homeward.personas import client_for
from homeward.web.tests.wallet_steps import (
    DECLINED,
    DEPOSIT,
    GOOD,
    LATE,
    hidden,
    money_state,
    pay,
    pay_directly,
    quote,
    wallet_balance,
)


def test_wallet_page_lists_the_facility_and_the_people_to_send_money_to(world):
    page = client_for(world.contact_a.user).get("/wallet/").content.decode()
    assert "Greenhaven Correctional" in page and "$0.00" in page
    assert f'href="{DEPOSIT}"' in page
    assert "refunds carry no fee" in page
    connection = world.contact_a.connections.get()
    assert f'href="/connections/{connection.pk}/money/"' in page
    assert "Send money to Maria L.'s trust account" in page
    assert "Refund my balance" not in page  # nothing to refund yet
    assert 'href="/wallet/"' in page  # in the nav


def test_deposit_with_a_good_card_shows_on_receipt_statement_and_csv(world):
    client = client_for(world.contact_a.user)
    response = pay(client, DEPOSIT, "20")
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/receipts/{payment.pk}/"
    assert wallet_balance(world.contact_a, world.facility_1) == 2000

    page = client.get(response["Location"]).content.decode()
    assert payment.receipt_number in page
    assert "Your wallet at Greenhaven Correctional" in page
    assert "$20.00" in page and "ending 4242" in page and "Paid" in page
    assert "Paid. Receipt" in page  # the flash after paying

    page = client.get("/wallet/").content.decode()
    assert "$20.00" in page and "Refund my balance to my card" in page

    page = client.get("/wallet/statement/").content.decode()
    assert f'<a href="/receipts/{payment.pk}/">Deposit, receipt {payment.receipt_number}' in page
    assert 'href="/wallet/statement.csv"' in page

    response = client.get("/wallet/statement.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="homeward-statement.csv"'
    assert response.streaming  # written out as it is read, a chunk of lines at a time
    csv_text = b"".join(response.streaming_content).decode()
    assert f"Deposit, receipt {payment.receipt_number}" in csv_text
    assert ",20.00,20.00,20.00" in csv_text


def test_every_fee_is_shown_before_the_card_is_asked_for(world):
    t.set_prices(world.facility_1, stamp_cents=50, deposit_fee_flat_cents=100, deposit_fee_bp=250)
    client = client_for(world.contact_a.user)
    page = client.get(DEPOSIT).content.decode()
    assert 'name="amount"' in page and 'name="card"' not in page

    page = quote(client, DEPOSIT, "20").content.decode()
    assert "Deposit to your wallet at Greenhaven Correctional</th><td>$20.00" in page
    assert "Deposit fee</th><td>$1.50" in page  # $1.00 + 2.5% of $20
    assert "Total charged to your card</th><td><strong>$21.50" in page
    assert 'name="card"' in page and "4242 4242 4242 4242" in page  # sandbox cards listed
    assert Payment.objects.count() == 0  # a quote creates nothing

    pay(client, DEPOSIT, "20")
    payment = Payment.objects.get()
    assert (payment.amount_cents, payment.fee_cents, payment.total_cents) == (2000, 150, 2150)
    assert wallet_balance(world.contact_a, world.facility_1) == 2000
    page = client.get(f"/receipts/{payment.pk}/").content.decode()
    assert "$1.50" in page and "$21.50" in page


def test_a_facility_without_fees_says_so(world):
    page = quote(client_for(world.contact_a.user), DEPOSIT, "5").content.decode()
    assert "Deposit fee</th><td>none" in page


def test_declined_card_charges_nothing_and_keeps_the_amount(world):
    client = client_for(world.contact_a.user)
    first_token = hidden(quote(client, DEPOSIT, "12.5").content.decode(), "token")
    response = pay(client, DEPOSIT, "12.5", card=DECLINED)
    page = response.content.decode()
    assert response.status_code == 402
    assert "Your card was declined. Nothing was charged." in page
    assert hidden(page, "amount") == "12.50"
    assert "Total charged to your card</th><td><strong>$12.50" in page
    assert wallet_balance(world.contact_a, world.facility_1) == 0
    assert not Transaction.objects.exists()
    assert Payment.objects.get().status == Payment.Status.DECLINED
    # The form is ready for another card: a fresh token, so it is a new payment.
    retry = {
        "step": "pay",
        "amount": hidden(page, "amount"),
        "total": hidden(page, "total"),
        "token": hidden(page, "token"),
        "card": GOOD,
    }
    assert retry["token"] != first_token
    assert client.post(DEPOSIT, retry).status_code == 302
    assert wallet_balance(world.contact_a, world.facility_1) == 1250


def test_a_card_the_sandbox_does_not_know_is_refused(world):
    response = pay(client_for(world.contact_a.user), DEPOSIT, "20", card="1234 5678 9012 3456")
    assert response.status_code == 400
    assert "use a test card" in response.content.decode()
    assert not Transaction.objects.exists()


def test_late_card_is_pending_then_paid_when_the_card_company_answers(world, run_jobs):
    client = client_for(world.contact_a.user)
    response = pay(client, DEPOSIT, "30", card=LATE)
    receipt = response["Location"]
    page = client.get(receipt).content.decode()
    assert "Waiting for the card company" in page and "reload this page" in page
    assert wallet_balance(world.contact_a, world.facility_1) == 0
    assert "is waiting for the card company" in client.get("/wallet/").content.decode()
    run_jobs()  # not due yet
    assert Payment.objects.get().status == Payment.Status.PENDING

    with clock.frozen_at(clock.now() + dt.timedelta(seconds=10)):
        run_jobs()
    page = client.get(receipt).content.decode()
    assert "Waiting for the card company" not in page and "Paid" in page
    assert wallet_balance(world.contact_a, world.facility_1) == 3000


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc", "100000", "0.99", ""])
@pytest.mark.parametrize("step", ["quote", "pay"])
def test_bad_amounts_are_refused_with_a_message_and_nothing_is_created(world, amount, step):
    client = client_for(world.contact_a.user)
    before = money_state()
    response = client.post(
        DEPOSIT, {"step": step, "amount": amount, "total": "0", "token": "a" * 32, "card": GOOD}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errorlist"' in page
    assert any(
        words in page
        for words in (
            "Enter an amount",
            "at most two digits",
            "between $1.00 and $500.00",
            "cannot be negative",
        )
    )
    assert 'name="card"' not in page  # back at step 1, with what they typed
    assert money_state() == before


def test_a_missing_card_number_asks_again_and_creates_nothing(world):
    response = pay(client_for(world.contact_a.user), DEPOSIT, "20", card="")
    assert response.status_code == 400
    assert "Enter the card number." in response.content.decode()
    assert not Payment.objects.exists()


def test_a_fee_that_changed_after_the_quote_is_shown_again_not_charged(world):
    client = client_for(world.contact_a.user)
    page = quote(client, DEPOSIT, "20").content.decode()
    t.set_prices(world.facility_1, deposit_fee_flat_cents=300, effective_from=clock.now())
    response = client.post(
        DEPOSIT,
        {
            "step": "pay",
            "amount": hidden(page, "amount"),
            "total": hidden(page, "total"),
            "token": hidden(page, "token"),
            "card": GOOD,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "The fee changed" in page and "$23.00" in page
    assert not Payment.objects.exists()


def test_submitting_the_same_form_twice_pays_once(world):
    client = client_for(world.contact_a.user)
    page = quote(client, DEPOSIT, "20").content.decode()
    form = {
        "step": "pay",
        "amount": hidden(page, "amount"),
        "total": hidden(page, "total"),
        "token": hidden(page, "token"),
        "card": GOOD,
    }
    first = client.post(DEPOSIT, form)
    second = client.post(DEPOSIT, form)
    assert first["Location"] == second["Location"]
    assert Payment.objects.count() == 1
    assert wallet_balance(world.contact_a, world.facility_1) == 2000


def test_no_deposit_where_the_contact_has_no_connection(world):
    client = client_for(world.contact_a.user)
    before = money_state()
    assert client.get("/wallet/travis-jail/deposit/").status_code == 404
    assert pay_directly(client, "/wallet/travis-jail/deposit/").status_code == 404
    assert client.get("/wallet/nowhere/deposit/").status_code == 404
    assert money_state() == before


def test_a_form_with_its_total_missing_shows_the_quote_again(world):
    client = client_for(world.contact_a.user)
    page = quote(client, DEPOSIT, "20").content.decode()
    form = {"step": "pay", "amount": "20.00", "token": hidden(page, "token"), "card": GOOD}
    response = client.post(DEPOSIT, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Check the total, then pay." in page and hidden(page, "total") == "2000"
    assert not Payment.objects.exists()
