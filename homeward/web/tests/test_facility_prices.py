"""The public facility page shows the prices in force, every fee, and prices announced for
a later date, before anyone signs up or pays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing import words as price_words


def facility_page(code: str = "greenhaven") -> str:
    response = Client().get(f"/facilities/{code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_free_facility_says_the_agency_pays(world):
    page = facility_page()
    assert "Prices and fees" in page
    assert "Messaging is free at this facility (paid by the agency)." in page
    assert "No fee to add money." in page
    assert "Account fee" in page


def test_stamps_show_every_price_and_fee(world):
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        chars_per_stamp=2000,
        photo_stamps=2,
        reply_stamps=1,
        payer="sender_prepays_reply",
        message_cap_cents=150,
        deposit_fee_flat_cents=100,
        deposit_fee_bp=250,
        deposit_fee_cap_cents=300,
        account_fee_cents=200,
    )
    page = facility_page()
    assert "Messaging is free" not in page
    assert "Paid in stamps of $0.40. One stamp covers up to 2,000 characters of text" in page
    assert "Each photo" not in page  # photos do not exist yet (tests/test_promises.py)
    assert "pay for the resident&#x27;s reply in advance: 1 stamp ($0.40)." in page
    assert "A reply you did not pay for in advance is paid from the resident" in page
    assert "By law, no message costs more than $1.50." in page
    assert (
        "$1.00 plus 2.5% of the amount, at most $3.00, each time you add money. "
        "The fee is shown before you pay." in page
    )
    assert "<dt>Account fee</dt><dd>$2.00, once, with your first deposit here.</dd>" in page


def test_per_message_collect_prices(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25, payer="recipient")
    page = facility_page()
    assert "$0.25 per message, whatever its length." in page
    assert "The person who receives a message pays for it" in page
    assert "Each photo" not in page and "in advance" not in page
    assert "By law" not in page  # no legal cap here


def test_the_sender_pays_and_agency_pays_wording(world):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=35)
    assert "residents pay for their replies from their trust account" in facility_page()
    t.set_prices(world.facility_1, model="stamps", stamp_cents=35, payer="agency")
    assert "The agency pays for every message, both ways." in facility_page()


def test_an_announced_schedule_shows_with_its_date(world):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)
    zone = ZoneInfo(world.facility_1.timezone)
    day = (clock.now() + dt.timedelta(days=30)).astimezone(zone).date()
    starts = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
    t.set_prices(world.facility_1, model="stamps", stamp_cents=50, effective_from=starts)
    page = facility_page()
    assert f'New prices from <time datetime="{starts.isoformat()}">' in page
    assert f"{day:%B} {day.day}, {day.year}</time>" in page
    now_part, announced_part = page.split("New prices from")
    assert "Paid in stamps of $0.40." in now_part and "$0.50" not in now_part
    assert "Paid in stamps of $0.50." in announced_part


def test_an_announced_change_at_a_time_of_day_says_the_time(world):
    zone = ZoneInfo(world.facility_1.timezone)
    day = (clock.now() + dt.timedelta(days=3)).astimezone(zone).date()
    starts = dt.datetime.combine(day, dt.time(14, 30), tzinfo=zone)
    t.set_prices(world.facility_1, model="per_message", per_message_cents=20, effective_from=starts)
    assert f"{day:%B} {day.day}, {day.year}, 2:30 PM local time</time>" in facility_page()


def test_only_the_next_announced_schedule_is_shown(world):
    soon = clock.now() + dt.timedelta(days=10)
    t.set_prices(world.facility_1, model="per_message", per_message_cents=20, effective_from=soon)
    later = clock.now() + dt.timedelta(days=90)
    t.set_prices(world.facility_1, model="per_message", per_message_cents=90, effective_from=later)
    page = facility_page()
    assert page.count("New prices from") == 1
    assert "$0.20 per message" in page and "$0.90" not in page


def test_old_schedules_are_not_shown(world):
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=99,
        effective_from=clock.now() - dt.timedelta(days=400),
    )
    page = facility_page()  # the free schedule from a year ago took over
    assert "$0.99" not in page and "New prices" not in page
    assert "Messaging is free at this facility" in page


def test_no_prices_yet_says_so(world):
    PriceSchedule.objects.filter(facility=world.facility_1).delete()
    page = facility_page()
    assert "Prices have not been published yet." in page
    assert "Messaging is free" not in page


def test_no_prices_yet_but_announced(world):
    PriceSchedule.objects.filter(facility=world.facility_1).delete()
    starts = clock.now() + dt.timedelta(days=5)
    t.set_prices(world.facility_1, model="per_message", per_message_cents=30, effective_from=starts)
    page = facility_page()
    assert "Prices have not been published yet." in page
    assert "New prices from" in page and "$0.30 per message" in page


def test_each_facility_shows_its_own_prices(world):
    t.set_prices(world.facility_2, model="per_message", per_message_cents=45)
    assert "$0.45" not in facility_page("greenhaven")
    assert "$0.45 per message" in facility_page("travis-jail")


def test_deposit_fee_words_cover_each_shape(world):
    def fee(**fields) -> str:
        return price_words.deposit_fee_words(PriceSchedule(**fields))

    assert fee() == "No fee to add money."
    assert fee(deposit_fee_flat_cents=150).startswith("$1.50, each time you add money.")
    assert fee(deposit_fee_bp=300).startswith("3% of the amount, each time")
    assert fee(deposit_fee_bp=125, deposit_fee_cap_cents=200).startswith(
        "1.25% of the amount, at most $2.00, each time"
    )
    assert fee(deposit_fee_flat_cents=100, deposit_fee_cap_cents=0) == "No fee to add money."
