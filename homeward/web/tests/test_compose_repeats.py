"""The compose forms (a contact's on the web, a resident's reply at the kiosk) send once per
rendered form: the same form sent again shows the message already sent; the same form with
other text is refused with the text kept and a fresh form; and a page fetched again by its
address (as a browser does on Back) carries the same form token."""

from __future__ import annotations

import re

import pytest

from homeward import builders as t
from homeward.core import form_tokens
from homeward.ledger.models import Transaction
from homeward.messaging.models import Message
from homeward.personas import client_for, kiosk_client_for


@pytest.fixture
def paying(world):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=25)
    t.pay_in(world.contact_a, world.facility_1, 500)
    return world


def token_on(page) -> str:
    found = re.search(rb'name="client_token" value="([0-9a-f]{32})"', page.content)
    assert found, page.content[:2000]
    return found.group(1).decode()


def charges() -> int:
    return Transaction.objects.filter(kind="message_charge").count()


# --- the contact's compose form ------------------------------------------------------------


def test_a_page_fetched_by_its_address_carries_that_address_token(paying):
    client = client_for(paying.contact_a.user)
    link = paying.contact_a.connections.get()
    fresh = client.get(f"/conversations/{link.pk}/")
    token = token_on(fresh)
    assert f'data-address-param="{form_tokens.PARAM}"'.encode() in fresh.content
    again = client.get(f"/conversations/{link.pk}/?{form_tokens.PARAM}={token}")
    assert token_on(again) == token
    # A token we could not have made is not used: the form gets a fresh one.
    odd = client.get(f"/conversations/{link.pk}/?{form_tokens.PARAM}=not-a-token")
    assert token_on(odd) not in ("not-a-token", token)


def test_the_same_form_sent_twice_sends_and_charges_once(paying):
    client = client_for(paying.contact_a.user)
    link = paying.contact_a.connections.get()
    token = token_on(client.get(f"/conversations/{link.pk}/"))
    form = {"body": "See you Sunday", "client_token": token}

    first = client.post(f"/conversations/{link.pk}/send/", form)
    again = client.post(f"/conversations/{link.pk}/send/", form, follow=True)

    sent = Message.objects.get()
    assert first.status_code == 302 and first["Location"].endswith(f"#message-{sent.pk}")
    # The page after a send has a new form (and its token in its address).
    assert f"?{form_tokens.PARAM}=" in first["Location"] and token not in first["Location"]
    assert again.status_code == 200
    assert b"already sent" in again.content and f'id="message-{sent.pk}"'.encode() in again.content
    assert token_on(again) != token
    assert (Message.objects.count(), charges()) == (1, 1)


def test_the_same_form_with_other_text_is_refused_and_the_text_kept(paying):
    client = client_for(paying.contact_a.user)
    link = paying.contact_a.connections.get()
    token = token_on(client.get(f"/conversations/{link.pk}/"))
    client.post(f"/conversations/{link.pk}/send/", {"body": "First", "client_token": token})

    refused = client.post(
        f"/conversations/{link.pk}/send/", {"body": "Second thoughts", "client_token": token}
    )

    assert refused.status_code == 409
    assert b"Second thoughts" in refused.content and b"already sent another" in refused.content
    assert (Message.objects.count(), charges()) == (1, 1)
    # Send again from the page shown: the kept text goes, once.
    new_token = token_on(refused)
    assert new_token != token
    form = {"body": "Second thoughts", "client_token": new_token}
    assert client.post(f"/conversations/{link.pk}/send/", form).status_code == 302
    assert (Message.objects.count(), charges()) == (2, 2)


def test_another_contacts_page_token_sends_nothing_for_them(paying):
    """A token is the sender's own: Ben using Ana's form token sends his own message."""
    ben = paying.contact_b
    ben_link = t.connect(ben, paying.resident)
    t.pay_in(ben, paying.facility_1, 500)
    ana = client_for(paying.contact_a.user)
    ana_link = paying.contact_a.connections.get()
    token = token_on(ana.get(f"/conversations/{ana_link.pk}/"))
    ana.post(f"/conversations/{ana_link.pk}/send/", {"body": "From Ana", "client_token": token})

    ben_client = client_for(ben.user)
    form = {"body": "From Ben", "client_token": token}
    assert ben_client.post(f"/conversations/{ben_link.pk}/send/", form).status_code == 302
    assert sorted(Message.objects.values_list("body", flat=True)) == ["From Ana", "From Ben"]


# --- the resident's reply at the kiosk -----------------------------------------------------


def test_the_same_kiosk_reply_form_sent_twice_sends_once(paying):
    link = paying.contact_a.connections.get()
    t.pay_in(paying.contact_a, paying.facility_1, 500, connection=link)  # replies: trust pays
    kiosk = kiosk_client_for(paying.resident)
    page = kiosk.get(f"/kiosk/conversations/{link.pk}/")
    token = token_on(page)
    assert f'data-address-param="{form_tokens.PARAM}"'.encode() in page.content
    assert token_on(kiosk.get(f"/kiosk/conversations/{link.pk}/?form={token}")) == token
    form = {"body": "Thank you", "client_token": token}

    first = kiosk.post(f"/kiosk/conversations/{link.pk}/reply/", form)
    again = kiosk.post(f"/kiosk/conversations/{link.pk}/reply/", form, follow=True)

    assert first.status_code == 302 and f"?{form_tokens.PARAM}=" in first["Location"]
    assert b"already sent" in again.content
    assert Message.objects.filter(direction="to_contact").count() == 1
    assert charges() == 1

    refused = kiosk.post(
        f"/kiosk/conversations/{link.pk}/reply/", {"body": "Other words", "client_token": token}
    )
    assert refused.status_code == 409
    assert b"Other words" in refused.content and b"already sent another" in refused.content
    assert Message.objects.filter(direction="to_contact").count() == 1
