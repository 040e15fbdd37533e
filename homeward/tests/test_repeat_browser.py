"""A form sent twice in a real browser does its work once.

After Send, going Back shows the compose form again with the text still in it (the browser
restores what was typed); pressing Send again must not send, or charge, a second time: the
contact is shown the message already sent.
"""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import services as ledger
from homeward.ledger.models import Payment, Transaction
from homeward.messaging.models import Message
from homeward.personas import browser_cookies, kiosk_client_for
from homeward.tests.test_journey_browser import browser, shows  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/signin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(t.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def travis_with_ana():
    """Travis County Jail at 25 cents a message; Ana is connected to Maria there."""
    facility = t.make_facility(
        "travis",
        name="Travis County Jail",
        prices={"model": "per_message", "per_message_cents": 25},
    )
    resident = t.make_resident(facility, first_name="Maria")
    ana = t.make_contact("ana@example.org", name="Ana Lopez")
    return facility, resident, ana, t.connect(ana, resident)


def send_then_back_then_send(page, box: str, text: str) -> None:
    """Write and Send; go Back to the form (the browser restores the text); Send again."""
    page.get_by_label(box).fill(text)
    with page.expect_navigation():  # the page the Send leads to, loaded (not the form's)
        page.get_by_role("button", name="Send").click()
    assert Message.objects.count() == 1
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_label(box).input_value() == text
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()


def test_back_then_send_sends_and_charges_once(page, live_server):
    facility, _, ana, link = travis_with_ana()
    t.pay_in(ana, facility, 500)
    url = live_server.url
    sign_in(page, url, "ana@example.org")

    page.goto(f"{url}/conversations/{link.pk}/")
    send_then_back_then_send(page, "Your message", "See you on Sunday, Maria.")

    assert Message.objects.count() == 1
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    sent = Message.objects.get()
    shows(page, "already sent")
    assert page.locator(f"#message-{sent.pk}").is_visible()
    page.goto(f"{url}/wallet/statement/")
    assert page.locator("table").inner_text().count("Message to Maria") == 1


def test_back_then_send_at_the_kiosk_replies_once(page, live_server):
    """The kiosk's reply form: Back after a reply, then Send, sends and charges once."""
    facility, resident, ana, link = travis_with_ana()
    t.pay_in(ana, facility, 500, connection=link)  # Maria's trust account pays her replies
    kiosk = kiosk_client_for(resident)  # a registered kiosk, Maria signed in
    page.context.add_cookies(browser_cookies(kiosk, live_server.url))
    url = live_server.url

    page.goto(f"{url}/kiosk/conversations/{link.pk}/")
    send_then_back_then_send(page, "Your reply", "Thank you, Ana.")

    assert Message.objects.count() == 1
    assert Transaction.objects.filter(kind="message_charge").count() == 1
    shows(page, "already sent")


def test_back_then_pay_again_pays_once(page, live_server):
    """Paying into the wallet: Back from the receipt, then Pay again, charges the card once."""
    facility, _, ana, _ = travis_with_ana()
    url = live_server.url
    sign_in(page, url, "ana@example.org")

    page.goto(f"{url}/wallet/travis/deposit/")
    page.get_by_label("Amount in dollars").fill("10")
    page.get_by_role("button", name="See the total").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $10.00").click()
    page.wait_for_url("**/receipts/**")

    page.go_back()  # the card step again, as it was shown
    page.wait_for_load_state()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $10.00").click()
    page.wait_for_url("**/receipts/**")
    assert "HW-" in page.content()
    assert Payment.objects.count() == 1
    assert ledger.balance_of(kind="contact_wallet", contact=ana, facility=facility) == 1000
