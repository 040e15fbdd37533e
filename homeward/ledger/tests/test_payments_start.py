"""One start for every surface: the total the payer was shown is checked where the payment
is priced, and a declined card becomes an error with the declined record's id."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import payments
from homeward.ledger.models import Payment, Transaction

CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"


@pytest.fixture
def fees(world):
    """Greenhaven takes $1.00 on each deposit."""
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, deposit_fee_flat_cents=100)
    return world


def start(world, *, key="form-1", card=CARD_OK, **kw):
    return payments.start(
        contact=world.contact_a, facility=world.facility_1, amount=2000, key=key, card=card, **kw
    )


def test_the_total_shown_is_the_total_charged(fees):
    started = start(fees, expected_total=2100)
    assert started.created and started.payment.total_cents == 2100


def test_a_total_that_changed_since_it_was_shown_is_refused_and_records_nothing(fees):
    with pytest.raises(payments.TotalChanged) as refused:
        start(fees, expected_total=2000)
    assert (refused.value.code, refused.value.status) == ("total_changed", 409)
    assert "$21.00" in refused.value.message and "Nothing was charged" in refused.value.message
    assert not Payment.objects.exists() and not Transaction.objects.exists()


def test_a_repeat_answers_its_payment_whatever_the_total_is_now(fees):
    first = start(fees, expected_total=2100)
    t.set_prices(fees.facility_1, model="stamps", stamp_cents=40, deposit_fee_flat_cents=300)
    again = start(fees, expected_total=2100)
    assert (again.created, again.payment.pk) == (False, first.payment.pk)
    assert Payment.objects.count() == 1


def test_a_declined_card_is_recorded_and_refused_with_its_id(fees):
    started = start(fees, card=CARD_DECLINED)
    assert started.declined
    with pytest.raises(payments.CardDeclined) as refused:
        started.refuse_if_declined()
    error = refused.value
    assert (error.code, error.status) == ("card_declined", 402)
    assert error.details == {"payment_id": started.payment.pk}
    assert error.message.count("Nothing was charged") == 1
    paid = start(fees, key="form-2")
    assert paid.refuse_if_declined() is paid
