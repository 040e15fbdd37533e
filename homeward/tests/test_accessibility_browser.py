"""What axe cannot see, in a real browser: errors announced and focused, a focus ring of our
own, and the kiosk's block kept apart from sending and confirmed first.

(axe itself, touch targets and phone widths run over every page in test_pages_browser.)
"""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.connections.models import Connection
from homeward.personas import browser_cookies, device_client, kiosk_client_for
from homeward.tests.test_journey_browser import browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const e = document.activeElement;
  const described = (e.getAttribute('aria-describedby') || '').split(/\\s+/)
    .map(id => document.getElementById(id)).filter(Boolean).map(d => d.innerText).join(' ');
  return {tag: e.tagName.toLowerCase(), id: e.id, role: e.getAttribute('role'),
          text: e.innerText, invalid: e.getAttribute('aria-invalid'), described};
}"""
RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return [style.outlineStyle, style.outlineWidth, style.outlineColor];
}"""


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def at_kiosk(page, live_server, resident) -> None:
    page.context.add_cookies(browser_cookies(kiosk_client_for(resident), live_server.url))


def test_a_field_error_is_focused_and_read_with_its_field(page, live_server) -> None:
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Rosa Diaz")
    page.get_by_label("Email").fill("not an address")
    page.get_by_label("Password").fill(t.PASSWORD)
    page.get_by_label("I understand that every message is read").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == "id_email" and focused["invalid"] == "true"
    assert "valid email" in focused["described"]


def test_a_wrong_staff_password_is_announced_and_focused(page, live_server, world) -> None:
    page.goto(f"{live_server.url}/console/signin/")
    page.get_by_label("Username").fill(world.reviewer_1.username)
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "do not match a staff account" in alert.inner_text()
    focused = page.evaluate(FOCUSED)
    assert focused["role"] == "alert" and "do not match" in focused["text"]


def test_a_wrong_pin_is_announced_and_focused(page, live_server, world) -> None:
    page.context.add_cookies(browser_cookies(device_client(world.facility_1), live_server.url))
    page.goto(f"{live_server.url}/kiosk/signin/")
    page.get_by_label("Resident number").fill(world.resident.number)
    page.get_by_label("PIN").fill("0000")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "PIN" in alert.inner_text()
    focused = page.evaluate(FOCUSED)
    assert focused["role"] == "alert" or focused["invalid"] == "true"
    assert "PIN" in focused["text"] + focused["described"]


OURS = ("solid", "3px", "rgb(179, 71, 0)")


@pytest.mark.parametrize("start", ["/", "/facilities/", "/kiosk/signin/"])
def test_the_skip_link_comes_first_in_sight_with_our_focus_ring(page, live_server, start):
    page.goto(f"{live_server.url}{start}")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate(RING) == list(OURS)
    box = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
    assert box["left"] >= 0 and box["top"] >= 0  # in sight once focused
    page.keyboard.press("Tab")
    assert page.evaluate(RING) == list(OURS)  # the brand link, the next stop


def test_the_console_fields_show_our_focus_ring(page, live_server) -> None:
    page.goto(f"{live_server.url}/console/signin/")
    page.get_by_label("Username").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "password"
    assert page.evaluate(RING) == list(OURS)


def test_blocking_at_the_kiosk_is_apart_from_sending_and_asks_first(
    page, live_server, world
) -> None:
    connection = world.contact_a.connections.get()
    at_kiosk(page, live_server, world.resident)
    page.goto(f"{live_server.url}/kiosk/conversations/{connection.pk}/")
    send = page.get_by_role("button", name="Send reply").bounding_box()
    block = page.get_by_role("button", name="Block this contact").bounding_box()
    assert send and block and block["y"] - (send["y"] + send["height"]) >= 96
    # Dismissing the question blocks nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Block this contact").click()
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Block this contact").click()
    assert Connection.objects.get(pk=connection.pk).status != Connection.Status.ACTIVE
