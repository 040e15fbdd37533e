"""Photos, the whole way in a real browser: Rosa adds two photos to a message and sees two
photo stamps in its price; a reviewer sees both in the photo queue with what the check
found, approves one and blocks the other by keyboard; Marcus sees the approved photo on the
kiosk, full screen; Rosa's statement shows the blocked photo's refund.

The check runs its real signals (text read by OCR, the nudity score) as the worker would.
"""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.ledger import charges
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.personas import browser_cookies, client_for, kiosk_client_for
from homeward.photos.models import Photo
from homeward.photos.tests import images
from homeward.tests.test_journey_browser import browser, run_worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRITTEN = "The kids at the lake last Sunday. Love you."


@pytest.fixture
def signals_on(settings) -> None:
    settings.PHOTO_READ_TEXT = True
    settings.PHOTO_NUDITY_SCORE = True


def test_rosa_sends_two_photos_one_is_approved_and_one_refunded(
    browser,  # noqa: F811
    live_server,
    signals_on,
    tmp_path,
):
    url = live_server.url
    facility = t.make_facility(
        "greenhaven",
        name="Greenhaven Correctional",
        policy={"photos_allowed": True, "review_mode": "flagged"},
        prices={"model": "stamps", "stamp_cents": 40, "photo_stamps": 1},
    )
    marcus = t.make_resident(facility, "NY5001", first_name="Marcus", last_name="Reed")
    rosa = t.make_contact("rosa@example.org", name="Rosa Reed")
    connection = t.connect(rosa, marcus)
    t.pay_in(rosa, facility, 500)
    reviewer = t.make_staff("rita", role=StaffMembership.Role.REVIEWER, facility=facility)
    files = []
    for seed, name in ((3, "lake.jpg"), (4, "picnic.jpg")):
        path = tmp_path / name
        path.write_bytes(images.encode(images.scene((1200, 900), seed=seed), "JPEG"))
        files.append(str(path))

    # 1. Rosa writes, adds two photos (her words stay), and sees two photo stamps.
    rosa_page = browser.new_context().new_page()
    rosa_page.set_default_timeout(20_000)
    rosa_page.context.add_cookies(browser_cookies(client_for(rosa.user), url))
    rosa_page.goto(f"{url}/conversations/{connection.pk}/")
    rosa_page.get_by_label("Your message").fill(WRITTEN)
    rosa_page.locator("#photo-file").set_input_files(files)
    with rosa_page.expect_navigation():  # the page the upload leads to, loaded
        rosa_page.get_by_role("button", name="Add photos").click()
    assert rosa_page.get_by_label("Your message").input_value() == WRITTEN
    assert rosa_page.get_by_text("2 photos added").is_visible()
    run_worker()  # the check: decoded, re-encoded, hashed, read and scored
    rosa_page.locator("input[name=photo]:checked").nth(1).wait_for()  # the page asked again
    rosa_page.get_by_text("2 stamps for photos").wait_for()
    assert "$0.80" in rosa_page.locator("#price").inner_text()
    with rosa_page.expect_navigation():
        rosa_page.get_by_role("button", name="Send", exact=True).click()
    message = Message.objects.get(connection=connection)
    first, second = Photo.objects.filter(message=message).order_by("position")
    assert charges.wallet(rosa, facility).balance == 500 - 3 * 40
    run_worker()  # screening: the text is clear; the message waits for its photos
    rosa_page.reload()
    assert rosa_page.get_by_text("Waiting for review").count() == 2

    # 2. The reviewer sees both with what the check found; approves one, blocks one (keys).
    desk = browser.new_context().new_page()
    desk.set_default_timeout(20_000)
    desk.context.add_cookies(browser_cookies(client_for(reviewer), url))
    desk.goto(f"{url}/console/photos/")
    assert desk.locator("img[src*='/thumbnail/']").count() == 2
    assert desk.locator(".photo-card").first.get_by_text("Nudity score").is_visible()
    assert desk.evaluate(
        "() => [...document.querySelectorAll('.photo-card img')].every(i => i.naturalWidth > 0)"
    )
    desk.locator(f"#photo-{first.pk}").focus()
    desk.keyboard.press("Space")
    desk.keyboard.press("a")
    desk.wait_for_load_state()
    desk.get_by_text("1 photo approved.").wait_for()
    desk.locator(f"#photo-{second.pk}").focus()
    desk.keyboard.press("Space")
    desk.keyboard.press("b")
    desk.keyboard.press("2")  # 2. Gang signs or symbols
    desk.get_by_text("1 photo blocked").wait_for()
    assert desk.get_by_text("No photo is waiting for review.").is_visible()
    run_worker()  # both decided: the message is delivered with the approved photo

    # 3. Marcus sees the approved photo on the kiosk, full screen; not the blocked one.
    kiosk = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    kiosk.set_default_timeout(20_000)
    kiosk.context.add_cookies(browser_cookies(kiosk_client_for(marcus), url))
    kiosk.goto(f"{url}/kiosk/conversations/{connection.pk}/")
    assert WRITTEN in kiosk.content()
    assert kiosk.locator(".photo-card img").count() == 1
    with kiosk.expect_navigation():
        kiosk.locator(".photo-card a").click()
    shown = kiosk.locator(".photo-full img")
    assert shown.evaluate("i => i.naturalWidth") == first.width
    box = shown.bounding_box()
    assert box is not None and box["width"] >= 1000  # fills the screen's width
    assert kiosk.locator("a[download]").count() == 0

    # 4. Rosa sees each photo's status, and the refund on her statement.
    rosa_page.reload()
    assert rosa_page.get_by_text("Delivered").first.is_visible()
    assert rosa_page.get_by_text("Not delivered: gang signs or symbols.").is_visible()
    rosa_page.goto(f"{url}/wallet/statement/")
    assert "Refund: the photo was not delivered" in rosa_page.content()
    assert charges.wallet(rosa, facility).balance == 500 - 2 * 40
