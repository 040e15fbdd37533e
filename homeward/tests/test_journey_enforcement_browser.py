"""Enforcement in a real browser: an appeal overturns a block, and a suspension is seen and
lifted.

Rosa's message is blocked by one reviewer; she appeals from her conversation; a different
reviewer overturns it on the console; the message is delivered and her record is clean.
Three more blocks suspend her automatically: her conversation says until when and offers
no send box; a facility admin lifts it early from her console page and she can write
again. Every step is in the audit log.
"""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.enforcement.models import Restriction, Violation
from homeward.messaging.models import Message
from homeward.people.models import StaffMembership
from homeward.personas import blocked_by_reviewer
from homeward.tests.test_journey_browser import browser, run_worker, shows  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = StaffMembership.Role


@pytest.fixture
def pages(browser):  # noqa: F811
    """Rosa's phone and the staff console."""
    contexts = [browser.new_context() for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(15_000)
    yield pages
    for context in contexts:
        context.close()


def staff_sign_in(page, url: str, user) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{url}/console/signin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(t.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/verify/**")
    page.get_by_label("Code").fill(t.totp_code(user))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{url}/console/")


def test_an_appeal_overturns_a_block_and_a_suspension_is_seen_and_lifted(pages, live_server):
    facility = t.make_facility("greenhaven", name="Greenhaven Correctional", state="NY")
    maria = t.make_resident(facility, "NY1001", first_name="Maria", last_name="Lopez")
    rosa = t.make_contact("rosa@example.org", name="Rosa Lopez")
    connection = t.connect(rosa, maria)
    rev1 = t.make_staff("rev1", role=Role.REVIEWER, facility=facility)
    rev2 = t.make_staff("rev2", role=Role.REVIEWER, facility=facility)
    admin = t.make_staff("admin1", role=Role.FACILITY_ADMIN, facility=facility)
    for user in (rev1, rev2, admin):
        t.enrol_staff(user)
        t.accept_staff_notice(user)
    url = live_server.url
    phone, console = pages

    # 1. Rosa writes; reviewer 1 blocks it on the console.
    phone.goto(f"{url}/signin/")
    phone.get_by_label("Email").fill("rosa@example.org")
    phone.get_by_label("Password").fill(t.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign in").click()
    phone.goto(f"{url}/conversations/{connection.pk}/")
    phone.get_by_label("Your message").fill("Abuela's recipe: dried chiles and a gram of salt")
    phone.get_by_role("button", name="Send").click()
    shows(phone, "Submitted")
    sent = Message.objects.get()
    run_worker()
    staff_sign_in(console, url, rev1)
    console.goto(f"{url}/console/queue/")
    console.get_by_role("button", name="Take the next message").click()
    console.locator("select[name=reason_code]").select_option("drugs")
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="Block", exact=True).click()
    console.get_by_text(f"Blocked message {sent.pk}").wait_for()  # decided in place
    sent.refresh_from_db()
    assert sent.status == "blocked" and Violation.objects.get().counts

    # 2. Rosa appeals from her conversation.
    phone.goto(f"{url}/conversations/{connection.pk}/")
    phone.get_by_text("Appeal this decision").click()
    phone.get_by_label("Why should the facility look again?").fill("It is a cooking recipe.")
    phone.get_by_role("button", name="Send the appeal").click()
    shows(phone, "Your appeal was sent.")

    # 3. Reviewer 2 (not the one who blocked it) overturns it; it is delivered.
    staff_sign_in(console, url, rev2)
    console.goto(f"{url}/console/appeals/")
    console.get_by_role("link", name="Open appeal").first.click()
    shows(console, "It is a cooking recipe.")
    console.get_by_label("Overturn").check()
    console.get_by_label("Reason (the person is told)").fill("A recipe, not drugs")
    console.get_by_role("button", name="Decide").click()
    shows(console, "Decided.")
    run_worker()
    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert not Violation.objects.get(message=sent).counts  # her record is clean
    phone.goto(f"{url}/conversations/{connection.pk}/")
    assert "The facility overturned the block" in phone.content()

    # 4. Three confirmed blocks suspend her automatically; she sees until when.
    for n in range(3):
        blocked_by_reviewer(
            rev1, sender=rosa, connection_id=connection.pk, body=f"The stuff, {n}", reason="drugs"
        )
    suspension = Restriction.objects.get()
    assert suspension.automatic and suspension.contact == rosa
    phone.goto(f"{url}/conversations/{connection.pk}/")
    stopped = phone.content()
    assert "Your messaging at Greenhaven Correctional is suspended until" in stopped
    assert phone.get_by_label("Your message").count() == 0

    # 5. The facility admin lifts it early from her console page; she can write again.
    staff_sign_in(console, url, admin)
    console.goto(f"{url}/console/contacts/{rosa.pk}/")
    restriction = console.locator(f"#restriction-{suspension.pk}")
    restriction.get_by_label("Lift it now").check()
    restriction.get_by_label("Reason (the person is told)").fill("Talked it through with her")
    restriction.get_by_role("button", name="Save").click()
    shows(console, "is no longer suspended")
    phone.goto(f"{url}/conversations/{connection.pk}/")
    assert phone.get_by_label("Your message").count() == 1

    # Every step is in the audit log.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "message.blocked",
        "violation.recorded",
        "appeal.filed",
        "appeal.overturned",
        "violation.voided",
        "restriction.imposed",
        "restriction.lifted",
    } <= actions
