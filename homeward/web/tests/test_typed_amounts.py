"""Amounts a contact types on the money pages are read as US dollars are written: "1,50"
is refused with a message next to the field (it was once read as $150.00), and nothing is
created or charged; grouped thousands are read to the cent."""

from __future__ import annotations

import re

import pytest

from homeward.ledger.models import Payment
from homeward.personas import client_for
from homeward.web.tests.wallet_steps import DEPOSIT, GOOD, money_state, pay


def trust_url(world) -> str:
    return f"/connections/{world.contact_a.connections.get().pk}/money/"


def field_errors(page: str) -> str:
    """The error list rendered right under the amount field."""
    match = re.search(r'<ul class="errorlist" id="id_amount_error">(.*?)</ul>', page, re.S)
    assert match, "the amount field carries its own error"
    return match.group(1)


@pytest.mark.parametrize("where", ["wallet", "trust"])
@pytest.mark.parametrize("step", ["quote", "pay"])
@pytest.mark.parametrize(("typed", "written"), [("1,50", "1.50"), ("20,00", "20.00")])
def test_a_decimal_comma_is_refused_next_to_the_field_and_nothing_is_charged(
    world, where, step, typed, written
):
    client = client_for(world.contact_a.user)
    url = DEPOSIT if where == "wallet" else trust_url(world)
    before = money_state()
    response = client.post(
        url, {"step": step, "amount": typed, "total": "150", "token": "a" * 32, "card": GOOD}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"write {written}, not {typed}" in field_errors(page)
    assert 'name="card"' not in page  # back at step 1
    assert money_state() == before
    assert not Payment.objects.exists()


@pytest.mark.parametrize("where", ["wallet", "trust"])
def test_a_point_before_the_cents_pays_that_amount(world, where):
    client = client_for(world.contact_a.user)
    url = DEPOSIT if where == "wallet" else trust_url(world)
    response = pay(client, url, " $1.50 ")
    assert response.status_code == 302
    assert Payment.objects.get().amount_cents == 150


def test_grouped_thousands_are_read_as_dollars_and_held_to_the_limit(world):
    """ "1,000.50" is $1,000.50 (over the $500 a payment may be), not a format error."""
    client = client_for(world.contact_a.user)
    before = money_state()
    response = client.post(DEPOSIT, {"step": "quote", "amount": "1,000.50"})
    assert response.status_code == 400
    assert "between $1.00 and $500.00" in response.content.decode()
    assert money_state() == before


@pytest.mark.parametrize("typed", ["10,0000", "1,00", "１", "1e3", "-1", "1.234"])
def test_other_mistyped_amounts_are_refused_and_charge_nothing(world, typed):
    client = client_for(world.contact_a.user)
    before = money_state()
    response = client.post(DEPOSIT, {"step": "quote", "amount": typed})
    assert response.status_code == 400
    assert field_errors(response.content.decode()).strip()
    assert money_state() == before
