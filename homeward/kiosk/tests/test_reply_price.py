"""The kiosk reply box shows what a reply costs and who pays before the resident sends it;
without the money nothing is sent and the reply stays in the box."""

from __future__ import annotations

import uuid

from homeward import builders as t
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.personas import kiosk_client_for

CARD = "4242 4242 4242 4242"


def fund_trust(world, cents: int) -> None:
    """Ana sends money to Maria's trust account with the sandbox's good test card."""
    t.pay_in(world.contact_a, world.facility_1, cents, connection=world.connection)


def fund_wallet(world, cents: int) -> None:
    payment = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=cents,
        key=uuid.uuid4().hex,
        card=CARD,
    ).payment
    assert payment.status == "succeeded"


def trust(world) -> int:
    return ledger.balance_of(kind="trust", resident=world.resident)


def page(world, client=None) -> str:
    client = client or kiosk_client_for(world.resident)
    return client.get(f"/kiosk/conversations/{world.connection.pk}/").content.decode()


def reply(world, body: str, client=None):
    client = client or kiosk_client_for(world.resident)
    data = {"body": body, "client_token": uuid.uuid4().hex}
    return client.post(f"/kiosk/conversations/{world.connection.pk}/reply/", data)


def test_a_free_facility_says_the_agency_pays(world):
    world.connection = world.contact_a.connections.get()
    text = page(world)
    assert "Free: paid by the agency." in text
    assert "Your trust account" not in text


def test_the_reply_price_and_trust_balance_show_before_sending(stamps):
    fund_trust(stamps, 500)
    text = page(stamps)
    assert "Price of this reply" in text
    assert "1 stamp for the text" in text and "$0.40" in text
    assert "Paid from your trust account." in text
    assert "Your trust account: $5.00. After this reply: $4.60." in text
    assert "One stamp covers up to 2,000 characters." in text


def test_the_reply_is_charged_what_the_box_said(stamps):
    fund_trust(stamps, 500)
    response = reply(stamps, "Gracias Ana")
    assert response.status_code == 302
    assert Message.objects.filter(direction=Message.Direction.TO_CONTACT).count() == 1
    assert trust(stamps) == 460


def test_an_empty_trust_account_is_told_before_sending(stamps):
    text = page(stamps)
    assert "Your trust account does not have enough for this reply." in text
    assert "It holds $0.00 and this reply costs $0.40." in text


def test_without_the_money_nothing_is_sent_and_the_reply_is_kept(stamps):
    fund_trust(stamps, 100)
    text = "Querida Ana, " + "x" * 4000  # 3 stamps: $1.20
    response = reply(stamps, text)
    assert response.status_code == 402
    body = response.content.decode()
    assert "There is not enough money in your trust account for this message ($1.20)" in body
    assert "Nothing was sent or charged." in body
    assert text in body  # still in the reply box
    assert "3 stamps for the text" in body  # priced for the reply as written
    assert not Message.objects.exists()
    assert not Transaction.objects.filter(kind="message_charge").exists()
    assert trust(stamps) == 100


def test_collect_replies_are_paid_by_the_contact(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25, payer="recipient")
    world.connection = world.contact_a.connections.get()
    text = page(world)
    assert "Paid by Ana Lopez (collect). You pay nothing for this reply." in text
    assert "$0.25" in text and "Your trust account" not in text
    # Ana's wallet is empty: the reply is refused, and Maria is told plainly.
    response = reply(world, "Gracias")
    assert response.status_code == 402
    assert "not enough money in the other side&#x27;s wallet" in response.content.decode()
    assert not Message.objects.exists()
    fund_wallet(world, 100)
    assert reply(world, "Gracias").status_code == 302
    balance = ledger.balance_of(
        kind="contact_wallet", contact=world.contact_a, facility=world.facility_1
    )
    assert balance == 75


def test_a_prepaid_reply_is_shown_and_used_first(world):
    t.set_prices(
        world.facility_1, model="stamps", stamp_cents=40, reply_stamps=1,
        payer="sender_prepays_reply",
    )  # fmt: skip
    world.connection = world.contact_a.connections.get()
    fund_wallet(world, 500)
    messaging.send_message(
        sender=world.contact_a,
        connection_id=world.connection.pk,
        body="Write back, it is paid",
        prepaid_reply=True,
    )
    text = page(world)
    assert "Ana Lopez already paid $0.40 of it in advance (a prepaid reply). You pay $0.00." in text
    assert "Your trust account: $0.00. After this reply: $0.00." in text
    assert reply(world, "Thank you for the stamp").status_code == 302
    assert trust(world) == 0
    held = ledger.balance_of(kind="reply_credit", contact=world.contact_a, resident=world.resident)
    assert held == 0


def test_the_contact_name_in_the_price_box_is_escaped(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25, payer="recipient")
    sneaky = t.make_contact("c@example.org", name="<b>Bo</b>")
    connection = t.connect(sneaky, world.resident)
    world.connection = connection
    text = page(world)
    assert "<b>Bo</b>" not in text
    assert "Paid by &lt;b&gt;Bo&lt;/b&gt; (collect)." in text


def test_another_residents_conversation_shows_no_price_and_sends_nothing(stamps):
    fund_trust(stamps, 500)
    other = kiosk_client_for(stamps.resident_2)
    url = f"/kiosk/conversations/{stamps.connection.pk}/"
    assert other.get(url).status_code == 404
    assert other.post(f"{url}reply/", {"body": "Hi"}).status_code == 404
    assert not Message.objects.exists() and trust(stamps) == 500
