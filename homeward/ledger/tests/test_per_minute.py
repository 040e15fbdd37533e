"""Per-minute kiosk pricing (as TRULINCS charges): the resident pays from the trust account
for each started minute at the kiosk, messages are free both ways, and an admin sets the
rate in the console's price editor, checked like every other price."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.ledger import charges, pricing
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, PriceSchedule, Transaction
from homeward.ledger.pricing.per_minute import minutes_started
from homeward.messaging import services as messaging
from homeward.personas import client_for

K = Account.Kind
ADD = "/console/prices/greenhaven/add/"
LIST = "/console/prices/greenhaven/"


@pytest.fixture
def per_minute(world):
    world.schedule = t.set_prices(world.facility_1, model="per_minute", per_minute_cents=5)
    return world


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (1, 1), (59, 1), (60, 1), (61, 2)])
def test_each_started_minute_counts(seconds, minutes):
    assert minutes_started(seconds) == minutes


def test_a_session_is_charged_by_the_minute_from_the_trust_account(per_minute):
    trust = t.fund_trust(per_minute.resident, 100)
    model = pricing.model_of(per_minute.schedule)
    charge = model.charge_kiosk_session(
        per_minute.schedule,
        resident=per_minute.resident,
        facility=per_minute.facility_1,
        seconds=121,
        key="session-1",
        ended_at=per_minute.schedule.created_at,
    )
    assert (charge.units, charge.charged, charge.shortfall) == (3, 15, 0)
    assert Account.objects.get(pk=trust.pk).balance == 85
    revenue = charges.revenue(per_minute.facility_1)
    assert Account.objects.get(pk=revenue.pk).balance == 15
    posted = Transaction.objects.get(kind="kiosk_time")
    assert posted.memo == "Kiosk time: 3 minutes at Greenhaven Correctional"
    assert ledger.problems() == []


def test_a_short_trust_account_is_charged_what_it_holds_and_never_goes_below_zero(per_minute):
    trust = t.fund_trust(per_minute.resident, 7)
    model = pricing.model_of(per_minute.schedule)
    charge = model.charge_kiosk_session(
        per_minute.schedule,
        resident=per_minute.resident,
        facility=per_minute.facility_1,
        seconds=170,  # 3 minutes: $0.15
        key="session-short",
        ended_at=per_minute.schedule.created_at,
    )
    assert (charge.units, charge.charged, charge.shortfall) == (3, 7, 8)
    assert Account.objects.get(pk=trust.pk).balance == 0
    summary = model.kiosk_session_summary(per_minute.schedule, charge)
    assert "did not cover $0.08" in summary
    # An empty account: nothing is posted at all, the whole cost is the shortfall.
    again = model.charge_kiosk_session(
        per_minute.schedule,
        resident=per_minute.resident,
        facility=per_minute.facility_1,
        seconds=60,
        key="session-empty",
        ended_at=per_minute.schedule.created_at,
    )
    assert (again.charged, again.shortfall) == (0, 5)
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1
    assert ledger.problems() == []


def test_messages_are_free_both_ways_and_nothing_is_posted(per_minute):
    wallet = charges.wallet(per_minute.contact_a, per_minute.facility_1)
    connection = per_minute.contact_a.connections.get()
    quote = pricing.quote_message(per_minute.schedule, characters=5000)
    assert quote.total == 0
    shown = charges.preview(
        connection=connection, to_resident=True, characters=10, at=per_minute.schedule.created_at
    )
    assert shown.price.to_pay == 0 and shown.balance is None
    messaging.send_message(sender=per_minute.contact_a, connection_id=connection.pk, body="Hi")
    assert Account.objects.get(pk=wallet.pk).balance == 0
    assert not Transaction.objects.filter(kind="message_charge").exists()
    with pytest.raises(DomainError) as error:  # no prepaid replies: nothing to prepay
        charges.price_message(
            connection=connection,
            to_resident=True,
            characters=10,
            at=per_minute.schedule.created_at,
            prepaid_reply=True,
        )
    assert error.value.code == "prepaid_reply_not_offered"


def test_the_facility_page_says_residents_pay_for_kiosk_time(per_minute, client):
    response = client.get("/facilities/greenhaven/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Free to send and to receive" in text
    assert "$0.05 a minute at the kiosk" in text


def test_an_admin_sets_a_per_minute_schedule_in_the_console(world):
    admin = client_for(world.facility_admin)
    form = admin.get(ADD).content.decode()
    assert "Price of one minute at the kiosk" in form
    assert 'value="per_minute"' in form
    response = admin.post(
        ADD, {"model": "per_minute", "payer": "sender", "per_minute_price": "0.05"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = PriceSchedule.objects.latest("id")
    assert (schedule.model, schedule.per_minute_cents) == ("per_minute", 5)
    table = admin.get(LIST).content.decode()
    assert "$0.05 a minute at the kiosk" in table
    assert "The resident, for kiosk time, from the trust account" in table


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("0", "Per-minute pricing needs a price above zero"),
        ("", "Per-minute pricing needs a price above zero"),
        ("-0.05", "cannot be negative"),
        ("abc", ""),
    ],
)
def test_a_per_minute_schedule_without_a_good_rate_is_refused(world, typed, said):
    admin = client_for(world.facility_admin)
    before = PriceSchedule.objects.count()
    response = admin.post(
        ADD, {"model": "per_minute", "payer": "sender", "per_minute_price": typed}
    )
    assert response.status_code == 400
    assert said in response.content.decode()
    assert PriceSchedule.objects.count() == before


def test_a_reviewer_cannot_add_a_per_minute_schedule(world):
    reviewer = client_for(world.reviewer_1)
    before = PriceSchedule.objects.count()
    response = reviewer.post(
        ADD, {"model": "per_minute", "payer": "sender", "per_minute_price": "0.05"}
    )
    assert response.status_code == 403
    assert PriceSchedule.objects.count() == before
