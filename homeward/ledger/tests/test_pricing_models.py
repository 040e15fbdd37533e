"""Pricing models are objects with one interface, one per ``PriceSchedule.Model`` value:
each quotes, charges and refunds a message through the same services, checks its own
fields, and says its own words; nothing outside ``ledger/pricing/`` branches on the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homeward import builders as t
from homeward.ledger import charges, pricing, schedules
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, PriceSchedule, Transaction
from homeward.messaging import services as messaging
from homeward.review import intake

K = Account.Kind
ROOT = Path(__file__).resolve().parents[2]  # the homeward package
# A comparison with the model's value, in Python or in a template.
BRANCH = re.compile(
    r"""\.model\s*(==|!=|\bin\b|\bnot\s+in\b)"""
    r"""|Model\.[A-Z_]+\s*(==|!=)|(==|!=)\s*(PriceSchedule\.)?Model\."""
)

# What each model charges Ana for "Hello Maria" (11 characters), written to Maria.
PRICES = {
    "free": {"model": "free", "per_message_cents": 10},
    "per_message": {"model": "per_message", "per_message_cents": 25},
    "stamps": {"model": "stamps", "stamp_cents": 40, "chars_per_stamp": 2000},
    "per_minute": {"model": "per_minute", "per_minute_cents": 5},
}
WALLET_PAYS = {"free": 0, "per_message": 25, "stamps": 40, "per_minute": 0}
# What a refund gives back: per minute, a message cost nothing, so nothing is refunded.
REFUNDS = {"free": 1, "per_message": 1, "stamps": 1, "per_minute": 0}


def test_every_model_choice_has_exactly_one_pricing_model():
    assert sorted(pricing.MODELS) == sorted(PriceSchedule.Model.values)
    for value, model in pricing.MODELS.items():
        assert model.value == value
        assert model.label == PriceSchedule.Model(value).label
        template = ROOT / "console" / "templates" / "console" / "pricing" / f"{value}.html"
        assert template.exists(), f"the console's price table has no row for {value}"


def test_nothing_outside_the_pricing_package_branches_on_the_model():
    found = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html") or not path.is_file():
            continue
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("ledger/pricing/") or "/migrations/" in relative:
            continue
        if "/tests/" in relative:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if BRANCH.search(line) and "_meta.model" not in line:
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == [], "ask pricing.model_of(schedule) instead:\n" + "\n".join(found)


@pytest.mark.parametrize("name", sorted(PRICES))
def test_each_model_quotes_charges_and_refunds_through_the_same_services(world, name):
    schedule = t.set_prices(world.facility_1, **PRICES[name])
    model = pricing.model_of(schedule)
    quote = model.quote_message(schedule, characters=11)
    assert quote.total == WALLET_PAYS[name]
    wallet = charges.wallet(world.contact_a, world.facility_1)
    clearing = ledger.account_for(kind=K.PAYMENT_CLEARING)
    ledger.post(key=f"dep-{name}", kind="deposit", postings=[(clearing, -100), (wallet, 100)])
    connection = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hello Maria"
    ).message
    assert Account.objects.get(pk=wallet.pk).balance == 100 - WALLET_PAYS[name]
    # Free: the agency's cost of the message is recorded, from its funding account.
    agency = charges.agency_funding(world.facility_1)
    assert Account.objects.get(pk=agency.pk).balance == (-10 if name == "free" else 0)
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=world.reviewer_1, category="threats")
    assert Account.objects.get(pk=wallet.pk).balance == 100
    assert Account.objects.get(pk=agency.pk).balance == 0
    assert (
        Transaction.objects.filter(kind="message_refund", message=message).count()
        == (REFUNDS[name])
    )
    assert ledger.problems() == []


def test_each_model_says_its_own_words(world):
    free = t.set_prices(world.facility_1, model="free")
    stamps = t.set_prices(world.facility_1, model="stamps", stamp_cents=40, chars_per_stamp=500)
    per = t.set_prices(world.facility_1, model="per_message", per_message_cents=25)
    assert pricing.price_facts(free)[0] == (
        "Messages",
        "Messaging is free at this facility (paid by the agency).",
    )
    assert "stamps of $0.40" in pricing.price_facts(stamps)[0][1]
    assert pricing.price_facts(per)[0] == ("Messages", "$0.25 per message, whatever its length.")
    assert pricing.model_of(free).free_words(free, to_resident=True) == "Free: paid by the agency."
    assert pricing.model_of(stamps).free_words(stamps, to_resident=True) == ""
    assert "500 characters" in pricing.model_of(stamps).draft_hint(stamps)
    assert pricing.model_of(per).draft_hint(per) == ""
    assert pricing.model_of(free).payer_label(free) == "The agency"
    assert pricing.model_of(stamps).unit_price(stamps) == ("stamp", 40)
    assert pricing.model_of(free).unit_price(free) is None


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"model": "stamps", "stamp_cents": 0}, "stamp_cents", "Stamps need a price"),
        ({"model": "per_message"}, "per_message_cents", "Per-message pricing needs"),
        (
            {"model": "free", "stamp_packs": [{"stamps": 10, "cents": 300}]},
            "stamp_packs",
            "only where messages are priced in stamps",
        ),
    ],
)
def test_each_model_checks_its_own_fields(world, fields, field, words):
    before = PriceSchedule.objects.count()
    with pytest.raises(schedules.InvalidSchedule) as error:
        schedules.add_schedule(staff=world.facility_admin, facility=world.facility_1, **fields)
    assert words in error.value.errors[field]
    assert PriceSchedule.objects.count() == before


def test_free_messaging_is_always_paid_by_the_agency(world):
    schedule = schedules.add_schedule(
        staff=world.facility_admin, facility=world.facility_1, model="free", payer="sender"
    )
    assert schedule.payer == "agency"
