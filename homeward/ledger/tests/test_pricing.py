"""Prices are itemised before anything is charged, from the schedule in force."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.ledger import pricing
from homeward.ledger.models import PriceSchedule


@pytest.fixture
def facility(db):
    return t.make_facility("priced")


def schedule(facility, **fields) -> PriceSchedule:
    fields.setdefault("effective_from", clock.now() - dt.timedelta(days=1))
    fields.setdefault("model", "stamps")
    return PriceSchedule.objects.create(facility=facility, created_at=clock.now(), **fields)


def test_stamps_count_text_photos_and_a_prepaid_reply(facility):
    prices = schedule(facility, chars_per_stamp=2000, stamp_cents=40)
    quote = pricing.quote_message(prices, characters=2001, photos=1, prepaid_reply=True)
    assert quote.lines == [
        ("2 stamps for the text", 80),
        ("1 stamp for photos", 40),
        ("Prepaid reply", 40),
    ]
    assert quote.total == 160
    assert pricing.quote_message(prices, characters=1).total == 40  # even a short note


def test_per_message_and_free(facility):
    per = schedule(facility, model="per_message", per_message_cents=25)
    assert pricing.quote_message(per, characters=5000).total == 25
    assert pricing.quote_message(per, characters=10, prepaid_reply=True).total == 50
    free = schedule(facility, model="free")
    assert pricing.quote_message(free, characters=10).total == 0


def test_a_legal_cap_shows_as_its_own_line(facility):
    prices = schedule(facility, stamp_cents=50, message_cap_cents=60)
    quote = pricing.quote_message(prices, characters=4500)  # 3 stamps: $1.50
    assert quote.lines[-1] == ("Legal cap on the price of a message", -90)
    assert quote.total == 60


def test_the_schedule_in_force_is_the_latest_that_has_started(facility):
    now = clock.now()
    old = schedule(facility, stamp_cents=40, effective_from=now - dt.timedelta(days=30))
    current = schedule(facility, stamp_cents=35, effective_from=now - dt.timedelta(days=1))
    schedule(facility, stamp_cents=99, effective_from=now + dt.timedelta(days=7))  # not yet
    assert pricing.schedule_in_force(facility.pk, now) == current
    assert pricing.schedule_in_force(facility.pk, now - dt.timedelta(days=10)) == old


def test_no_schedule_is_a_clear_error(facility):
    facility.price_schedules.all().delete()
    with pytest.raises(DomainError) as err:
        pricing.schedule_in_force(facility.pk, clock.now())
    assert err.value.code == "no_price_schedule"


def test_deposit_fee_is_flat_plus_percent_under_its_cap(facility):
    prices = schedule(
        facility, deposit_fee_flat_cents=100, deposit_fee_bp=250, deposit_fee_cap_cents=300
    )
    assert pricing.quote_deposit(prices, 2000).lines == [
        ("Deposit to your wallet", 2000),
        ("Deposit fee", 150),  # $1 + 2.5% of $20
    ]
    assert pricing.deposit_fee(prices, 100_000) == 300  # capped
    assert pricing.quote_deposit(schedule(facility, model="free"), 500).lines == [
        ("Deposit to your wallet", 500)
    ]
    for bad in (0, -100):
        with pytest.raises(DomainError):
            pricing.quote_deposit(prices, bad)
