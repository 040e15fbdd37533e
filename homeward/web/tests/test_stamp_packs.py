"""Stamp packs on the contact's pages: on sale on the facility page and the wallet, bought
from the wallet, spent before money when writing, refunded with the wallet."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import stamps
from homeward.ledger.models import Transaction
from homeward.personas import client_for


@pytest.fixture
def packs(world):
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        stamp_packs=[{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}],
    )
    world.connection = world.contact_a.connections.get()
    t.pay_in(world.contact_a, world.facility_1, 1000)
    world.ana = client_for(world.contact_a.user)
    return world


def test_the_facility_page_lists_the_packs(packs):
    page = client_for(packs.contact_b.user).get("/facilities/greenhaven/").content.decode()
    assert "10 stamps for $3.50 ($0.350 each)" in page
    assert "25 stamps for $8.00 ($0.320 each)" in page


def test_a_contact_buys_a_pack_from_the_wallet_and_writes_with_it(packs):
    page = packs.ana.get("/wallet/").content.decode()
    assert "Buy this pack" in page and "25 stamps for $8.00" in page
    response = packs.ana.post("/wallet/greenhaven/packs/", {"pack": "1", "token": "a" * 32})
    assert response.status_code == 302
    packs.ana.post("/wallet/greenhaven/packs/", {"pack": "1", "token": "a" * 32})  # twice
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 25
    page = packs.ana.get("/wallet/").content.decode()
    assert "$2.00" in page and "25 stamps" in page
    compose = packs.ana.get(f"/conversations/{packs.connection.pk}/").content.decode()
    assert "Paid with 1 stamp of the 25 you bought" in compose
    packs.ana.post(f"/conversations/{packs.connection.pk}/send/", {"body": "Hello"})
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 24
    statement = packs.ana.get("/wallet/statement/").content.decode()
    assert "Stamp pack: 25 stamps for $8.00" in statement
    assert "Message to Maria (1 of your stamps)" in statement


def test_a_pack_not_on_sale_is_refused_and_nothing_moves(packs):
    before = Transaction.objects.count()
    response = packs.ana.post("/wallet/greenhaven/packs/", {"pack": "7"}, follow=True)
    assert "does not sell that stamp pack" in response.content.decode()
    response = packs.ana.post("/wallet/greenhaven/packs/", {"pack": "x"}, follow=True)
    assert "Choose one of the packs on sale." in response.content.decode()
    assert Transaction.objects.count() == before


def test_another_contact_cannot_buy_at_a_facility_where_they_have_no_connection(packs):
    stranger = t.make_contact("stranger@example.org")
    before = Transaction.objects.count()
    response = client_for(stranger.user).post("/wallet/greenhaven/packs/", {"pack": "0"})
    assert response.status_code == 404
    assert Transaction.objects.count() == before


def test_refunding_the_wallet_returns_unused_stamps(packs):
    packs.ana.post("/wallet/greenhaven/packs/", {"pack": "0"})
    response = packs.ana.post("/wallet/greenhaven/refund/", {"token": "b" * 32}, follow=True)
    assert "$10.00 is on its way back to your card" in response.content.decode()
    assert stamps.stamps_of(packs.contact_a, packs.facility_1) == 0


def test_a_pack_the_wallet_cannot_pay_for_is_refused_plainly(packs):
    t.connect(packs.contact_b, packs.resident)  # connected, but nothing paid in
    before = Transaction.objects.count()
    response = client_for(packs.contact_b.user).post(
        "/wallet/greenhaven/packs/", {"pack": "0"}, follow=True
    )
    assert "not enough money in your wallet for this pack ($3.50)" in response.content.decode()
    assert Transaction.objects.count() == before
    assert stamps.stamps_of(packs.contact_b, packs.facility_1) == 0
