"""The price of a message, shown next to Send before anything is charged: every line, the
total, who pays, the wallet before and after, and the live price as the person types."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.ledger import services as ledger
from homeward.ledger.models import PriceSchedule, Transaction
from homeward.messaging.models import Message
from homeward.personas import client_for

CARD = "4242 4242 4242 4242"


def add_money(world, cents: int) -> None:
    """Ana adds money to her wallet at Greenhaven with the sandbox's good test card."""
    t.pay_in(world.contact_a, world.facility_1, cents)


def wallet(world) -> int:
    return ledger.balance_of(
        kind="contact_wallet", contact=world.contact_a, facility=world.facility_1
    )


def page_of(world) -> str:
    client = client_for(world.contact_a.user)
    return client.get(f"/conversations/{world.connection.pk}/").content.decode()


def live_price(world, client: Client | None = None, **query: str):
    client = client or client_for(world.contact_a.user)
    return client.get(f"/conversations/{world.connection.pk}/price/", query)


def send(world, body: str, **extra: str):
    data = {"body": body, "client_token": uuid.uuid4().hex, **extra}
    client = client_for(world.contact_a.user)
    return client.post(f"/conversations/{world.connection.pk}/send/", data)


def test_the_price_lines_total_and_payer_are_shown_before_sending(stamps):
    add_money(stamps, 500)
    page = page_of(stamps)
    assert "Price of this message" in page
    assert "1 stamp for the text" in page and "$0.40" in page
    assert "Total" in page
    assert "Paid from your wallet." in page
    assert "Your wallet at Greenhaven Correctional: $5.00." in page
    assert "After sending: $4.60." in page
    assert "One stamp ($0.40) covers up to 2,000 characters" in page
    assert 'href="/wallet/greenhaven/deposit/"' in page


def test_sending_charges_what_the_box_said(stamps):
    add_money(stamps, 500)
    assert "After sending: $4.60." in page_of(stamps)
    response = send(stamps, "Hola Maria")
    assert response.status_code == 302
    assert Message.objects.count() == 1
    assert wallet(stamps) == 460


def test_an_empty_wallet_is_told_plainly_and_offered_a_way_to_add_money(stamps):
    page = page_of(stamps)
    assert "Your wallet does not have enough for this message." in page
    assert "It holds $0.00 and this message costs $0.40" in page
    assert "add at least $0.40 to send it" in page
    assert 'href="/wallet/greenhaven/deposit/"' in page


def test_without_enough_money_nothing_is_sent_and_the_text_is_kept(stamps):
    add_money(stamps, 100)
    text = "Querida Maria, " + "x" * 4000  # 3 stamps: $1.20
    response = send(stamps, text)
    assert response.status_code == 402
    page = response.content.decode()
    assert "There is not enough money in your wallet for this message ($1.20)" in page
    assert "Nothing was sent or charged." in page
    assert text in page  # back in the box, ready to send once there is money
    assert "3 stamps for the text" in page  # priced for the text as submitted
    assert "add at least $0.20 to send it" in page
    assert not Message.objects.exists()
    assert not Transaction.objects.filter(kind="message_charge").exists()
    assert wallet(stamps) == 100


def test_the_live_price_follows_the_length_of_the_text(stamps):
    add_money(stamps, 500)
    short = live_price(stamps, characters="12").content.decode()
    assert "1 stamp for the text" in short and "After sending: $4.60." in short
    long = live_price(stamps, characters="2001").content.decode()
    assert "2 stamps for the text" in long and "$0.80" in long
    assert "After sending: $4.20." in long
    by_text = live_price(stamps, body="y" * 4001).content.decode()
    assert "3 stamps for the text" in by_text and "After sending: $3.80." in by_text


def test_the_live_price_is_a_fragment_not_a_page_and_is_never_cached(stamps):
    response = live_price(stamps, characters="5")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "Price of this message" in page
    assert "no-store" in response["Cache-Control"]


def test_the_live_price_shrugs_off_nonsense_counts(stamps):
    for nonsense in ("abc", "-40", "", "1e9"):
        page = live_price(stamps, characters=nonsense).content.decode()
        assert "1 stamp for the text" in page, nonsense
    huge = live_price(stamps, characters="99999999999").content.decode()
    assert "500 stamps for the text" in huge  # capped at a million characters


def test_the_live_price_never_echoes_the_text(stamps):
    text = '<script>alert("x")</script><b>bold</b>'
    page = live_price(stamps, body=text).content.decode()
    assert "<script>" not in page and "<b>bold" not in page and "alert(" not in page
    assert "1 stamp for the text" in page


def test_text_kept_after_a_refusal_is_escaped(stamps):
    text = '<script>alert("x")</script> hola'
    response = send(stamps, text)
    assert response.status_code == 402
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; hola" in page


def test_a_free_facility_says_the_agency_pays(world):
    world.connection = world.contact_a.connections.get()
    page = page_of(world)
    assert "Free: paid by the agency." in page
    assert "Your wallet" not in page and "Prepay a reply" not in page
    assert "Free: paid by the agency." in live_price(world, characters="9000").content.decode()
    assert send(world, "Hola").status_code == 302
    assert wallet(world) == 0


def test_collect_messages_say_the_resident_pays(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25, payer="recipient")
    world.connection = world.contact_a.connections.get()
    page = page_of(world)
    assert "Paid from Maria&#x27;s trust account. You pay nothing for this message." in page
    assert "$0.25" in page and "Your wallet" not in page


def test_a_legal_cap_shows_as_its_own_line(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=50, message_cap_cents=30)
    world.connection = world.contact_a.connections.get()
    page = page_of(world)
    assert "Legal cap on the price of a message" in page and "-$0.20" in page
    assert "$0.30" in page


def test_an_announced_price_does_not_price_todays_message(stamps):
    t.set_prices(
        stamps.facility_1,
        model="stamps",
        stamp_cents=99,
        effective_from=clock.now() + dt.timedelta(days=10),
    )
    page = page_of(stamps)
    assert "1 stamp for the text" in page and "$0.40" in page and "$0.99" not in page


def test_no_prices_in_force_says_so(world):
    PriceSchedule.objects.filter(facility=world.facility_1).delete()
    world.connection = world.contact_a.connections.get()
    page = page_of(world)
    assert "Prices for Greenhaven Correctional have not been published yet" in page
    assert "have not been published yet" in live_price(world).content.decode()


@pytest.fixture
def prepaid(world):
    """Greenhaven lets the writer prepay the resident's reply (one stamp)."""
    t.set_prices(
        world.facility_1, model="stamps", stamp_cents=40, reply_stamps=1,
        payer="sender_prepays_reply",
    )  # fmt: skip
    world.connection = world.contact_a.connections.get()
    return world


def test_the_prepaid_reply_box_is_offered_only_where_the_facility_offers_it(prepaid, world):
    page = page_of(prepaid)
    assert 'type="checkbox" name="prepaid_reply" value="1"' in page
    assert "Prepay a reply" in page
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40)  # sender pays, no prepay
    assert 'name="prepaid_reply"' not in page_of(world)


def test_prepaying_the_reply_adds_it_to_the_price_and_the_charge(prepaid):
    add_money(prepaid, 500)
    ticked = live_price(prepaid, characters="10", prepaid_reply="1").content.decode()
    assert "Prepaid reply" in ticked and "$0.80" in ticked
    assert "After sending: $4.20." in ticked
    unticked = live_price(prepaid, characters="10").content.decode()
    assert "Prepaid reply" not in unticked and "After sending: $4.60." in unticked

    assert send(prepaid, "Write back soon", prepaid_reply="1").status_code == 302
    assert wallet(prepaid) == 420
    held = ledger.balance_of(
        kind="reply_credit", contact=prepaid.contact_a, resident=prepaid.resident
    )
    assert held == 40  # set aside for Maria's reply


def test_a_refused_prepaid_send_keeps_the_box_ticked(prepaid):
    add_money(prepaid, 100)
    text = "z" * 2500  # 2 stamps + the reply: $1.20
    response = send(prepaid, text, prepaid_reply="1")
    assert response.status_code == 402
    page = response.content.decode()
    assert 'name="prepaid_reply" value="1" aria-describedby="prepaid-hint" checked' in page
    assert "Prepaid reply" in page and text in page
    assert not Message.objects.exists() and wallet(prepaid) == 100


def test_asking_to_prepay_where_it_is_not_offered_sends_nothing(stamps):
    add_money(stamps, 500)
    response = send(stamps, "Hola Maria", prepaid_reply="1")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This facility does not offer prepaid replies." in page
    assert "Hola Maria" in page
    assert not Message.objects.exists() and wallet(stamps) == 500


# Who may ask for the live price: only the contact of that connection.


def test_another_contact_gets_404_for_the_live_price(stamps):
    add_money(stamps, 500)
    response = live_price(stamps, client_for(stamps.contact_b.user), characters="5")
    assert response.status_code == 404
    assert b"$5.00" not in response.content


def test_staff_get_404_for_the_live_price(stamps):
    for staff in (stamps.reviewer_1, stamps.investigator, stamps.facility_admin):
        assert live_price(stamps, client_for(staff), characters="5").status_code == 404


def test_anonymous_is_sent_to_sign_in_for_the_live_price(stamps):
    response = live_price(stamps, Client(), characters="5")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/?next=")


def test_the_live_price_changes_nothing(stamps):
    add_money(stamps, 500)
    before = Transaction.objects.count()
    client = client_for(stamps.contact_a.user)
    assert live_price(stamps, client, body="Hola").status_code == 200
    assert client.post(f"/conversations/{stamps.connection.pk}/price/").status_code == 405
    assert Transaction.objects.count() == before
    assert not Message.objects.exists() and wallet(stamps) == 500


def test_the_page_wires_the_live_price_without_inline_script(stamps):
    page = page_of(stamps)
    assert f'data-price-url="/conversations/{stamps.connection.pk}/price/"' in page
    assert "<script>" not in page  # the CSP forbids inline scripts; app.js does the work
