"""Per-minute kiosk pricing in a real browser: at a facility that charges $0.05 for each
started minute at the kiosk (as the federal TRULINCS terminals do), Maria signs in, sees the
rate, a running timer and her trust account, reads Ana's message and replies (free), signs
out, and her trust account is charged by the minute, once. The clock is moved between the
steps, as the minutes would pass."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.jobs import services as jobs
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.models import KioskSession
from homeward.kiosk.services import register_device
from homeward.ledger import charges
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.tests.test_journey_browser import browser, shows  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    os.makedirs("test-results", exist_ok=True)
    page.screenshot(path="test-results/per-minute-kiosk.png", full_page=True)
    context.close()


def test_a_resident_pays_for_kiosk_time_by_the_minute(page, live_server):
    start = clock.now().replace(microsecond=0)

    def at(seconds: int):
        return clock.frozen_at(start + dt.timedelta(seconds=seconds))

    facility = t.make_facility(
        "fci-danbury", name="FCI Danbury", policy={"review_mode": "automatic"}
    )
    t.set_prices(
        facility,
        model="per_minute",
        per_minute_cents=5,
        effective_from=start - dt.timedelta(days=1),
    )
    maria = t.make_resident(facility, "DB1001", first_name="Maria", last_name="Lopez")
    ana = t.make_contact("ana@example.org", name="Ana Lopez")
    link = t.connect(ana, maria)
    t.pay_in(ana, facility, 100, connection=link)  # $1.00 into Maria's trust account
    trust = charges.trust(maria)
    wallet = charges.wallet(ana, facility)
    messaging.send_message(sender=ana, connection_id=link.pk, body="Hello Maria, call Mom.")
    jobs.run_pending("browser-test")  # screened and delivered (no staff review here)
    assert Message.objects.get().status == Message.Status.DELIVERED
    admin = t.make_staff(
        "danbury-admin", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility
    )
    _, token = register_device(staff=admin, facility=facility, name="Unit B terminal")
    url = live_server.url
    page.context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": url}])

    # Maria signs in: the rate, a timer and her trust account are on every page.
    with at(0):
        page.goto(f"{url}/kiosk/signin/")
        page.get_by_label("Resident number").fill("DB1001")
        page.get_by_label("PIN").fill(t.PIN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/kiosk/")
    bar = page.locator("#kiosk-session")
    assert "$0.05 a minute at the kiosk" in bar.inner_text()
    assert "Your trust account: $1.00" in bar.inner_text()
    timer = bar.locator("[data-session-seconds]")
    first = timer.inner_text()
    assert re.fullmatch(r"\d+:\d\d", first), first
    page.wait_for_function(
        "shown => document.querySelector('[data-session-seconds]').textContent !== shown", arg=first
    )  # the timer runs

    # Fifty seconds later she opens Ana's message and replies; messages cost nothing.
    with at(50):
        page.get_by_role("link", name="Ana Lopez").click()
        page.wait_for_url(f"**/kiosk/conversations/{link.pk}/**")
        assert "Hello Maria, call Mom." in page.content()
        assert "No charge per reply" in page.locator("#reply-price").inner_text()
        assert page.locator("[data-session-seconds]").get_attribute("data-session-seconds") == "50"
        page.get_by_label("Your reply").fill("Thank you, Ana. I will call on Sunday.")
        with page.expect_navigation():
            page.get_by_role("button", name="Send reply").click()
        shows(page, "Your reply is on its way")
        assert "This session so far: 1 minute, $0.05" in page.locator("#kiosk-session").inner_text()
        os.makedirs("test-results", exist_ok=True)
        page.screenshot(path="test-results/per-minute-kiosk-session.png")

    # At 2 minutes 30 seconds she signs out: three started minutes, $0.15, charged once.
    with at(150):
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/kiosk/signin/")
    assert "Kiosk time: 3 minutes, $0.15 from your trust account." in page.content()
    assert Account.objects.get(pk=trust.pk).balance == 85
    assert Account.objects.get(pk=wallet.pk).balance == 0  # Ana paid nothing to write
    assert Message.objects.count() == 2  # Ana's message and Maria's reply
    assert not Transaction.objects.filter(kind="message_charge").exists()
    session = KioskSession.objects.get()
    assert (session.end, session.seconds, session.units, session.charged_cents) == (
        "signed_out",
        150,
        3,
        15,
    )
    # The sweep later finds nothing to charge.
    with at(3600):
        jobs.run_pending("browser-test")
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1
    assert ledger.problems() == []
