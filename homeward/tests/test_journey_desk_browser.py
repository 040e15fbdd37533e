"""The review desk by keyboard alone, in a real browser: a reviewer clears ten messages,
approving a clear one with one key, blocking with B and the reason's number, undoing one
decision with U; each decision puts the next message in place without loading a page, and
nothing of a decision happens before its undo window has passed."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.review.models import ReviewTask
from homeward.tests.test_journey_browser import browser, run_worker  # noqa: F401  (fixture)
from homeward.tests.test_journey_enforcement_browser import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def press(page, key: str) -> None:  # type: ignore[no-untyped-def]
    """Press a key that decides (or undoes), and wait for the next message to be put in
    place: the desk sends the decision in the background, with no page load."""
    before = page.locator("h1").inner_text()
    address = page.url
    page.keyboard.press(key)
    page.wait_for_function(
        "([before, address]) => document.querySelector('h1').innerText !== before"
        " || window.location.href !== address",
        arg=[before, address],
    )


def test_a_reviewer_clears_ten_messages_by_keyboard_alone(desk, live_server, settings):
    settings.REVIEW_UNDO_SECONDS = 30
    facility = t.make_facility("greenhaven", name="Greenhaven Correctional", state="NY")
    maria = t.make_resident(facility, "NY1001", first_name="Maria", last_name="Lopez")
    ana = t.make_contact("ana@example.org", name="Ana Lopez")
    connection = t.connect(ana, maria)
    for n in range(10):
        messaging.send_message(sender=ana, connection_id=connection.pk, body=f"Letter {n}")
    run_worker()
    reviewer = t.make_staff("rev1", role=StaffMembership.Role.REVIEWER, facility=facility)
    t.enrol_staff(reviewer)
    t.accept_staff_notice(reviewer)
    url = live_server.url
    staff_sign_in(desk, url, reviewer)
    desk.goto(f"{url}/console/queue/")

    keys = 0
    with desk.expect_navigation():  # from the queue, the first message opens as a page
        desk.keyboard.press("n")
    keys += 1
    loads = []
    desk.on("load", lambda page: loads.append(page.url))
    for n in range(10):
        assert f"Letter {n}" in desk.locator("#message-body").inner_text()
        if n in (3, 7):  # block: B, then the reason's number (4: drugs, 5: gang activity)
            desk.keyboard.press("b")
            press(desk, "4" if n == 3 else "5")
            keys += 2
        else:
            press(desk, "a")
            keys += 1
        if n == 5:  # changed their mind: U takes it back, and A decides it again
            assert "It takes effect in" in desk.content()
            press(desk, "u")
            assert "Undone: nothing was decided." in desk.content()
            assert "Letter 5" in desk.locator("#message-body").inner_text()
            press(desk, "a")
            keys += 2
    assert keys == 1 + 8 + 2 * 2 + 2  # one key per approval, two per block, two for the undo
    desk.get_by_text("Nothing is waiting for review").wait_for()
    assert loads == []  # every decision was made in place, without loading a page

    # Nothing happened before the undo window passed; then every decision takes effect.
    assert set(Message.objects.values_list("status", flat=True)) == {"in_review"}
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=31)):
        run_worker()
    statuses = dict(Message.objects.values_list("body", "status"))
    assert statuses["Letter 3"] == statuses["Letter 7"] == "blocked"
    approved = sorted(b for b, s in statuses.items() if s in ("approved", "delivered"))
    assert approved == [f"Letter {n}" for n in range(10) if n not in (3, 7)]
    assert Message.objects.get(body="Letter 3").block_category == "drugs"
    assert Message.objects.get(body="Letter 7").block_category == "gang"
    assert not ReviewTask.objects.filter(status=ReviewTask.Status.OPEN).exists()
