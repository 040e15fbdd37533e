"""Notifications and the account lifecycle in a real browser, with every email read from a
real SMTP server.

A new contact signs up and confirms the address from the email; asks to connect, and the
resident sees at the kiosk that a request came in; hears by email that the connection was
approved and that a reply is waiting. A resident at another facility invites an address,
and the emailed link accepts the invitation. The contact resets a forgotten password, turns
one event off, unsubscribes from another by the link in an email, pays into the wallet and
closes the account, and the wallet goes back to the card.
"""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.services import register_device
from homeward.ledger.models import Payout
from homeward.messaging import services as messaging
from homeward.notifications.models import Preference
from homeward.people.models import Contact, StaffMembership
from homeward.personas import body_of, emails_to, link_in
from homeward.tests.test_journey_browser import browser, run_worker, shows  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EMAIL = "ana@example.org"
PASSWORD = "a-long-family-passphrase"
NEW_PASSWORD = "another-long-passphrase-9"


@pytest.fixture
def pages(browser):  # noqa: F811
    """The contact's phone and the kiosk."""
    contexts = [browser.new_context() for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(15_000)
    yield pages
    for context in contexts:
        context.close()


def only_email(smtp, subject: str):  # type: ignore[no-untyped-def]
    found = [m for m in emails_to(smtp, EMAIL) if m["Subject"] == subject]
    assert len(found) == 1, [m["Subject"] for m in emails_to(smtp, EMAIL)]
    return found[0]


def test_families_hear_what_happens_and_own_their_accounts(pages, live_server, smtp):
    facility = t.make_facility(
        "greenhaven",
        name="Greenhaven Correctional",
        state="NY",
        policy={"connection_policy": "contact_requests", "staff_approval": True},
        prices={"model": "per_message", "per_message_cents": 50},
    )
    resident = t.make_resident(facility, "NY1001", first_name="Maria", last_name="Lopez")
    t.fund_trust(resident, 1000)  # her replies cost 50 cents too
    admin = t.make_staff("admin1", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility)
    invites = t.make_facility(
        "riverside", name="Riverside Center", policy={"connection_policy": "resident_invites"}
    )
    kim = t.make_resident(invites, "RI1", first_name="Kim", last_name="Park")
    url = live_server.url
    contact, kiosk = pages

    # 1. Ana signs up; the verification email arrives and its link confirms the address.
    contact.goto(f"{url}/signup/")
    contact.get_by_label("Your name").fill("Ana Lopez")
    contact.get_by_label("Email").fill(EMAIL)
    contact.get_by_label("Password", exact=True).fill(PASSWORD)
    contact.get_by_role("checkbox").check()
    contact.get_by_role("button", name="Create account").click()
    contact.wait_for_url("**/connections/")
    run_worker()
    verify = link_in(only_email(smtp, "Confirm your email for Homeward"), "/verify/")
    contact.goto(f"{url}{verify}")
    with contact.expect_navigation():
        contact.get_by_role("button", name="Confirm my email").click()
    ana = Contact.objects.get(user__email=EMAIL)
    assert ana.email_verified_at is not None

    # 2. She asks to connect; at the kiosk Maria sees that a request came in.
    contact.goto(f"{url}/facilities/greenhaven/find/?number=NY1001")
    contact.get_by_role("button", name="Ask to connect").click()
    contact.wait_for_url("**/connections/")
    _, token = register_device(staff=admin, facility=facility, name="A Block, tablet 1")
    kiosk.context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": url}])
    kiosk.goto(f"{url}/kiosk/signin/")
    kiosk.get_by_label("Resident number").fill("NY1001")
    kiosk.get_by_label("PIN").fill(t.PIN)
    kiosk.get_by_role("button", name="Sign in").click()
    notices = kiosk.locator("#notices-title").locator("..").inner_text()
    assert "Ana Lopez" in notices and "asked to write to you" in notices
    kiosk.goto(f"{url}/kiosk/requests/")
    with kiosk.expect_navigation():
        kiosk.get_by_role("button", name="Accept").click()

    # 3. Staff approve: "connection approved" arrives. Maria replies: "reply waiting".
    connection = Connection.objects.get(contact=ana)
    connections.staff_decide(staff=admin, connection_id=connection.pk, approve=True)
    run_worker()
    approved = only_email(smtp, "Your Homeward connection was approved")
    assert '"Maria Lopez"' in body_of(approved)
    reply = messaging.send_message(
        sender=resident, connection_id=connection.pk, body="Te quiero mucho, Ana."
    ).message
    run_worker()
    messaging.approve(message_id=reply.pk, actor=admin)
    run_worker()
    waiting = only_email(smtp, "A reply is waiting for you on Homeward")
    assert "Te quiero" not in body_of(waiting)  # never the message's words

    # 4. Kim, at another facility, invites her address; the emailed link accepts it.
    connections.invite_contact(resident=kim, email=EMAIL)
    run_worker()
    invitation = link_in(only_email(smtp, "An invitation to write on Homeward"), "/invitations/")
    contact.goto(f"{url}{invitation}")
    contact.get_by_role("button", name="Accept the invitation").click()
    contact.wait_for_url("**/connections/")
    assert Connection.objects.get(resident=kim).status == Connection.Status.ACTIVE

    # 5. She forgets her password: the reset link sets a new one, and she signs in with it.
    with contact.expect_navigation():
        contact.get_by_role("button", name="Sign out").click()
    contact.goto(f"{url}/signin/")
    contact.get_by_role("link", name="Forgot your password?").click()
    contact.get_by_label("Email").fill(EMAIL)
    contact.get_by_role("button", name="Send me a link").click()
    shows(contact, "If a Homeward account uses")
    run_worker()
    reset = link_in(only_email(smtp, "Reset your Homeward password"), "/password/reset/")
    contact.goto(f"{url}{reset}")
    contact.get_by_label("New password").fill(NEW_PASSWORD)
    contact.get_by_role("button", name="Save my new password").click()
    contact.wait_for_url("**/signin/")
    contact.get_by_label("Email").fill(EMAIL)
    contact.get_by_label("Password").fill(NEW_PASSWORD)
    contact.get_by_role("button", name="Sign in").click()
    contact.wait_for_url("**/connections/")

    # 6. She turns one event off on the page, and unsubscribes from another by its link.
    contact.goto(f"{url}/notifications/")
    contact.get_by_label("A connection was ended").uncheck()
    with contact.expect_navigation():
        contact.get_by_role("button", name="Save").click()
    unsubscribe = link_in(waiting, "/unsubscribe/")
    contact.goto(f"{url}{unsubscribe}")
    with contact.expect_navigation():
        contact.get_by_role("button", name="Stop these emails").click()
    off = set(Preference.objects.filter(contact=ana, enabled=False).values_list("event", flat=True))
    assert off == {"connection_ended", "reply_waiting"}

    # 7. She pays $20 into her wallet, then closes the account: the $20 goes back.
    contact.goto(f"{url}/wallet/greenhaven/deposit/")
    contact.get_by_label("Amount in dollars").fill("20")
    with contact.expect_navigation():
        contact.get_by_role("button", name="See the total").click()
    contact.get_by_label("Card number").fill("4242 4242 4242 4242")
    contact.get_by_role("button", name="Pay $20.00").click()
    contact.wait_for_url("**/receipts/**")
    contact.goto(f"{url}/account/")
    contact.get_by_role("link", name="Close my account").click()
    shows(contact, "$20.00")
    contact.get_by_label("Your password").fill(NEW_PASSWORD)
    contact.get_by_label("I understand that closing is for good").check()
    contact.get_by_role("button", name="Close my account").click()
    contact.wait_for_url(f"{url}/")
    shows(contact, "Your account is closed")
    run_worker()
    [payout] = Payout.objects.all()
    assert payout.amount_cents == 2000 and payout.status == Payout.Status.SENT
    only_email(smtp, "Your Homeward account is closed")
    assert Connection.objects.filter(contact=ana, status=Connection.Status.ACTIVE).count() == 0
