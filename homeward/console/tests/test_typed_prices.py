"""Prices an admin types are read as every amount is: "0,40" is refused next to its field
(it once set a $40.00 stamp) and nothing is saved; grouped thousands are read to the cent;
a pack price with a decimal comma is refused, and commas between packs still separate them."""

from __future__ import annotations

import re

import pytest

from homeward.console.tests.test_prices import ADD, FORM, saved_state
from homeward.ledger.models import PriceSchedule
from homeward.personas import client_for


def error_of(page: str, field: str) -> str:
    """The errors shown between a field's label and its input."""
    match = re.search(
        rf'<label for="id_{field}">.*?</label>(.*?)<(?:input|textarea)[^>]*name="{field}"',
        page,
        re.S,
    )
    assert match, f"the page has the {field} field"
    return match.group(1)


@pytest.mark.parametrize(
    ("field", "typed", "says"),
    [
        ("stamp_price", "0,40", "write 0.40, not 0,40"),
        ("deposit_fee_flat", "1,50", "write 1.50, not 1,50"),
        ("deposit_fee_cap", "5,00", "write 5.00, not 5,00"),
        ("account_fee", "10,0000", "Commas may only group thousands"),
        ("message_cap", "1,00", "write 1.00, not 1,00"),
        ("stamp_packs", "10 for 3,50", "write 3.50, not 3,50"),
        ("stamp_packs", "10 for 3.50, 25 for 8,00", "write 8.00, not 8,00"),
    ],
)
def test_a_decimal_comma_in_a_price_is_refused_next_to_it_and_nothing_is_saved(
    world, field, typed, says
):
    before = saved_state()
    response = client_for(world.facility_admin).post(ADD, {**FORM, field: typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved." in page
    assert says in error_of(page, field)
    assert saved_state() == before


def test_per_message_price_with_a_decimal_comma_is_refused(world):
    before = saved_state()
    form = {**FORM, "model": "per_message", "per_message_price": "0,25"}
    response = client_for(world.facility_admin).post(ADD, form)
    assert response.status_code == 400
    assert "write 0.25, not 0,25" in error_of(response.content.decode(), "per_message_price")
    assert saved_state() == before


def test_grouped_thousands_and_points_are_saved_to_the_cent(world):
    form = {
        **FORM,
        "stamp_price": "$0.40",
        "account_fee": "1,000",
        "deposit_fee_cap": " 12.5 ",
        "stamp_packs": "10 for 3.50, 25 for $8",
    }
    response = client_for(world.facility_admin).post(ADD, form)
    assert response.status_code == 302
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    assert schedule.stamp_cents == 40
    assert schedule.account_fee_cents == 100_000
    assert schedule.deposit_fee_cap_cents == 1250
    assert schedule.stamp_packs == [{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}]
