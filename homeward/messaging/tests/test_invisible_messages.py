"""A message of only invisible characters or whitespace is empty: refused before any charge.

Before, a body of zero-width spaces passed the emptiness check (it strips only whitespace),
was accepted and charged a stamp, and arrived as a blank message (issue 8, defect 10).
"""

from __future__ import annotations

import re
import uuid

import pytest

from homeward import builders as t
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import api_for, client_for, error_of, kiosk_client_for

INVISIBLE = {
    "zero-width spaces": "\u200b\u200b\u200b",
    "joiners and marks": "\u200c\u200d\u2060\ufeff\u200e\u200f\u202e\u180e",
    "tag characters": "\U000e0041\U000e0062\U000e007f",
    "whitespace of every kind": " \t\n\u00a0\u1680\u2003\u2007\u202f\u205f\u3000\u2028\u2029\u0085",
    "combining marks alone": "\u0301\u0308\u20dd\u034f\ufe0f",
    "blank-looking letters": "\u3164\u115f\u1160\uffa0\u2800",
    "all of them at once": "\u200b \u0301\n\u3000\ufeff\u2060\u200d\u3164",
}

ids = list(INVISIBLE)
bodies = list(INVISIBLE.values())

# Real text with a zero-width joiner inside: the family emoji is four emoji joined by ZWJs.
FAMILY = "We miss you 👨\u200d👩\u200d👧"


def _wallet(world) -> int:
    return ledger.balance_of(
        kind=Account.Kind.CONTACT_WALLET, contact=world.contact_a, facility=world.facility_1
    )


def _trust(world) -> int:
    return ledger.balance_of(kind=Account.Kind.TRUST, resident=world.resident)


@pytest.fixture
def paid(stamps):
    """Greenhaven charges 40 cents a stamp; Ana's wallet and Maria's trust account hold $5."""
    t.pay_in(stamps.contact_a, stamps.facility_1, 500)
    t.pay_in(stamps.contact_a, stamps.facility_1, 500, connection=stamps.connection)
    assert _wallet(stamps) == 500 and _trust(stamps) == 500
    return stamps


def _nothing_happened(world, transactions_before: int) -> None:
    assert not Message.objects.exists()
    assert Transaction.objects.count() == transactions_before
    assert _wallet(world) == 500 and _trust(world) == 500


@pytest.mark.parametrize("body", bodies, ids=ids)
def test_the_service_refuses_invisible_text(paid, body):
    with pytest.raises(messaging.DomainError) as refused:
        messaging.validate_body(body, limit=6000)
    assert refused.value.code == "message_empty"


@pytest.mark.parametrize("body", bodies, ids=ids)
def test_web_compose_refuses_invisible_text_and_charges_nothing(paid, body):
    before = Transaction.objects.count()
    client = client_for(paid.contact_a.user)
    url = f"/conversations/{paid.connection.pk}/"
    token = re.search(r'name="client_token" value="([^"]+)"', client.get(url).content.decode())
    data = {"body": body, "client_token": token.group(1) if token else uuid.uuid4().hex}
    response = client.post(f"{url}send/", data)
    assert response.status_code == 400
    assert "Write something before sending." in response.content.decode()
    _nothing_happened(paid, before)


@pytest.mark.parametrize("body", bodies, ids=ids)
def test_a_kiosk_reply_of_invisible_text_is_refused_and_charges_nothing(paid, body):
    before = Transaction.objects.count()
    client = kiosk_client_for(paid.resident)
    data = {"body": body, "client_token": uuid.uuid4().hex}
    response = client.post(f"/kiosk/conversations/{paid.connection.pk}/reply/", data)
    assert response.status_code == 400
    assert "Write something before sending." in response.content.decode()
    _nothing_happened(paid, before)


@pytest.mark.parametrize("body", bodies, ids=ids)
def test_the_api_refuses_invisible_text_and_charges_nothing(paid, body):
    before = Transaction.objects.count()
    api = api_for(paid.contact_a)
    response = api.post(f"/conversations/{paid.connection.pk}/messages", {"body": body})
    assert response.status_code == 400
    assert error_of(response)["code"] == "message_empty"
    _nothing_happened(paid, before)


def test_real_text_with_joined_emoji_is_sent_and_charged_once(paid):
    api = api_for(paid.contact_a)
    response = api.post(f"/conversations/{paid.connection.pk}/messages", {"body": FAMILY})
    assert response.status_code == 201, response.content
    assert Message.objects.get().body == FAMILY  # the joiners are kept, for screening too
    assert _wallet(paid) == 460


@pytest.mark.parametrize("body", ["👨\u200d👩\u200d👧", "e\u0301", "\u200b hi \u200b", "ㅤ😀"])
def test_a_little_ink_among_invisible_characters_is_enough(paid, body):
    assert messaging.validate_body(body, limit=6000)
