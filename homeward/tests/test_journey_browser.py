"""The whole journey of a message in a real browser, for all three audiences.

A contact signs up, finds a resident and asks to connect; the resident accepts at a
registered kiosk; staff approve the connection; the contact writes; screening and review
pass it; the resident reads and replies; the reply is reviewed; the contact reads it, and
every step shows in the timeline. Background jobs run as the worker would run them.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import global_settings
from django.db import connection
from django_otp.oath import totp

from homeward import builders as t
from homeward.jobs import services as jobs
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.services import register_device
from homeward.messaging.models import Message
from homeward.operations.tests.launch import make_serve
from homeward.people.models import Resident, StaffMembership

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("HOMEWARD_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required for the browser journeys ({CHROMIUM})")
        pytest.skip("Chromium is not installed (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test itself still talks
    # to the database synchronously, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def shows(page, text: str, *, ignore_case: bool = False) -> None:
    """Wait until ``page`` shows ``text``: after a click that loads another page, reading
    its content at once can catch it mid-navigation (empty) on a loaded machine."""
    from playwright.sync_api import expect

    expect(page.locator("body")).to_contain_text(text, ignore_case=ignore_case)


def run_worker() -> None:
    jobs.run_pending("browser-test")


@dataclass
class Site:
    url: str
    run_jobs: Callable[[], None]


@pytest.fixture(params=["test-server", "make-serve"])
def site(request, settings, tmp_path):
    """Where the journey happens: the test's own server, with jobs run in the test as the
    worker would; or, on PostgreSQL, `make serve` itself (gunicorn and two workers), with
    the test waiting for those workers."""
    if request.param == "test-server":
        yield Site(request.getfixturevalue("live_server").url, run_worker)
        return
    if connection.vendor != "postgresql":
        pytest.skip("the launcher shares the test database on PostgreSQL only")
    # The launched server checks passwords with the real hashers, so the test's builders
    # must hash with them too.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    with make_serve(tmp_path, WORKERS="2", REVIEW_UNDO_SECONDS="0") as launched:
        yield Site(launched.url, launched.wait_for_jobs)


def app_code(key: str) -> str:
    """What an authenticator app shows now for a key typed into it by hand."""
    return f"{totp(base64.b32decode(key.replace(' ', ''))):06d}"


@pytest.fixture
def pages(browser):
    """Three browsers: the contact's phone, the kiosk, the staff console. On a failure each
    leaves a screenshot in test-results/. Each waits up to 30 seconds for what it expects:
    a launched server's workers are new processes that load the screening library on their
    first message, slowly on a loaded machine."""
    contexts = [browser.new_context() for _ in range(3)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(30_000)
    yield pages
    os.makedirs("test-results", exist_ok=True)
    for name, page in zip(("contact", "kiosk", "staff"), pages, strict=True):
        page.screenshot(path=f"test-results/journey-{name}.png", full_page=True)
    for context in contexts:
        context.close()


def console_sign_in(page, url: str, username: str, app) -> None:
    """Sign a staff member in whose authenticator app (``app``) was set up before: the
    password, a code from the app, the monitoring notice; then the console's overview."""
    page.goto(f"{url}/console/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(t.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/verify/**")
    page.get_by_label("Code").fill(app_code(base64.b32encode(app.bin_key).decode()))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="I understand and accept").click()
    page.wait_for_url(f"{url}/console/")


def test_the_whole_journey(pages, site):
    facility = t.make_facility(
        "greenhaven",
        name="Greenhaven Correctional",
        state="NY",
        policy={"connection_policy": "contact_requests", "staff_approval": True},
    )
    resident = t.make_resident(facility, "NY1001", first_name="Maria", last_name="Lopez")
    t.make_staff("admin1", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility)
    url = site.url

    contact, kiosk, staff = pages

    # 1. A contact signs up, accepting the monitoring notice.
    contact.goto(f"{url}/signup/")
    contact.get_by_label("Your name").fill("Ana Lopez")
    contact.get_by_label("Email").fill("ana@example.org")
    contact.get_by_label("Password", exact=True).fill("a-long-family-passphrase")
    contact.get_by_role("checkbox").check()
    contact.get_by_role("button", name="Create account").click()
    contact.wait_for_url("**/connections/")

    # 2. Finds the facility and the resident, and asks to connect.
    contact.goto(f"{url}/facilities/?state=NY")
    contact.get_by_role("link", name="Greenhaven Correctional").click()
    contact.get_by_label("Resident number").fill("NY1001")
    contact.get_by_role("button", name="Find").click()
    contact.get_by_role("button", name="Ask to connect").click()
    contact.wait_for_url("**/connections/")
    assert "Maria" in contact.content()

    # 3. A facility admin registers the kiosk; the resident signs in and accepts.
    kiosk.goto(f"{url}/kiosk/device/")
    kiosk.get_by_label("Username").fill("admin1")
    kiosk.get_by_label("Password").fill(t.PASSWORD)
    kiosk.get_by_role("button", name="Sign in").click()
    # First sign-in: set up the second factor (the key typed into an app by hand), keep the
    # recovery codes, accept the monitoring notice; then the page asked for.
    kiosk.wait_for_url("**/console/enrol/**")
    qr = kiosk.locator("img[src^='data:image/svg+xml']")  # the QR code, drawn by the browser
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    key = kiosk.locator("#totp-secret").inner_text()
    kiosk.get_by_label("The 6-digit code the app shows now").fill(app_code(key))
    with kiosk.expect_navigation():
        kiosk.get_by_role("button", name="Confirm").click()
    recovery_codes = kiosk.locator("#recovery-codes li").all_inner_texts()
    assert len(recovery_codes) == 10
    kiosk.get_by_role("link", name="I have saved my codes: continue").click()
    shows(kiosk, "recorded and monitored")
    kiosk.get_by_role("button", name="I understand and accept").click()
    kiosk.get_by_label("Name of this kiosk").fill("A Block, tablet 1")
    kiosk.get_by_role("button", name="Register this device as a kiosk").click()
    kiosk.get_by_label("Resident number").fill("NY1001")
    kiosk.get_by_label("PIN").fill(t.PIN)
    with kiosk.expect_navigation():
        kiosk.get_by_role("button", name="Sign in").click()
    kiosk.goto(f"{url}/kiosk/requests/")
    kiosk.get_by_role("button", name="Accept").click()
    shows(kiosk, "staff", ignore_case=True)  # waiting for staff approval

    # 4. Staff approve the connection.
    staff.goto(f"{url}/console/signin/")
    staff.get_by_label("Username").fill("admin1")
    staff.get_by_label("Password").fill(t.PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    # The app's code was spent a moment ago (each works once); a recovery code stands in.
    staff.wait_for_url("**/console/verify/**")
    staff.get_by_label("Code").fill(recovery_codes[0])
    staff.get_by_role("button", name="Continue").click()
    shows(staff, "You used a recovery code; 9 left")
    staff.goto(f"{url}/console/connections/")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Approve").click()
    assert resident.connections.get().status == "active"

    # 5. The contact writes; the counter counts; the message is submitted.
    contact.goto(f"{url}/conversations/")
    contact.get_by_role("link", name="Maria").first.click()
    body = "Hola Maria, ¿cómo estás? The kids send their love."
    contact.get_by_label("Your message").fill(body)
    assert contact.locator("#counter").inner_text().startswith(f"{len(body)} of")
    # The first time she writes there, the form asks her to accept the agency's notice.
    assert "Monitoring notice of" in contact.content()
    contact.get_by_label("I have read this notice and accept it").check()
    contact.get_by_role("button", name="Send").click()
    shows(contact, "Submitted")
    sent = Message.objects.get(direction="to_resident")

    # 6. Screening passes it to review; a reviewer approves it; it is delivered.
    site.run_jobs()
    staff.goto(f"{url}/console/queue/")
    staff.get_by_role("button", name="Take the next message").click()
    shows(staff, body)
    staff.get_by_role("button", name="Approve").first.click()
    staff.get_by_text(f"Approved message {sent.pk}.").wait_for()  # decided in place
    site.run_jobs()
    sent.refresh_from_db()
    assert sent.status == "delivered"

    # 7. The resident reads it at the kiosk and replies.
    kiosk.goto(f"{url}/kiosk/")
    kiosk.get_by_role("link", name="Ana Lopez").first.click()
    shows(kiosk, body)
    sent.refresh_from_db()
    assert sent.status == "read"
    reply = "Gracias, Ana. Tell them I love them."
    kiosk.get_by_label("Your reply").fill(reply)
    kiosk.get_by_role("button", name="Send reply").click()

    # 8. The reply is screened and reviewed.
    site.run_jobs()
    staff.goto(f"{url}/console/queue/")
    staff.get_by_role("button", name="Take the next message").click()
    shows(staff, reply)
    staff.get_by_role("button", name="Approve").first.click()
    staff.get_by_text("Approved message").wait_for()
    site.run_jobs()

    # 9. The contact reads the reply; every step shows in the timeline.
    contact.goto(f"{url}/conversations/")
    contact.get_by_role("link", name="Maria").first.click()
    shows(contact, reply)
    timeline = contact.locator("ol.timeline").first.inner_text()
    for stage in ("Submitted", "Screened", "In review", "Delivered", "Read"):
        assert stage in timeline, (stage, timeline)
    answer = Message.objects.get(direction="to_contact")
    assert answer.status == "read"

    # 10. A facility admin tests a text against the rules; the result appears while typing.
    staff.goto(f"{url}/console/rules/greenhaven/test/")
    staff.get_by_role("textbox").fill("Call my cousin at 212-555-0199 tonight")
    staff.locator("#test-result").get_by_text("Result: flagged for review").wait_for()
    assert "212-555-0199" in staff.locator("#test-result mark").first.inner_text()


def test_the_money_journey(pages, live_server):
    """At a stamps facility a contact sees the price, pays in with a sandbox card, sees the
    price and balance after while writing, sends, is refunded when staff block the message,
    and finds it all on the statement."""
    facility = t.make_facility(
        "greenhaven",
        name="Greenhaven Correctional",
        state="NY",
        prices={
            "model": "stamps",
            "stamp_cents": 40,
            "chars_per_stamp": 2000,
            "deposit_fee_flat_cents": 100,
            "deposit_fee_bp": 250,
        },
    )
    resident = t.make_resident(facility, "NY1001", first_name="Maria", last_name="Lopez")
    ana = t.make_contact("ana@example.org", name="Ana Lopez")
    t.connect(ana, resident)
    reviewer = t.make_staff("rev1", role=StaffMembership.Role.REVIEWER, facility=facility)
    app = t.enrol_staff(reviewer)  # set up at an earlier sign-in
    url = live_server.url
    contact, _, staff = pages

    # 1. The facility page shows the prices to anyone.
    contact.goto(f"{url}/facilities/greenhaven/")
    assert "$0.40" in contact.content()

    # 2. Ana signs in and pays $10 into her wallet; the fee is shown before she pays.
    contact.goto(f"{url}/signin/")
    contact.get_by_label("Email").fill("ana@example.org")
    contact.get_by_label("Password").fill(t.PASSWORD)
    with contact.expect_navigation():
        contact.get_by_role("button", name="Sign in").click()
    contact.goto(f"{url}/wallet/greenhaven/deposit/")
    contact.get_by_label("Amount in dollars").fill("10")
    with contact.expect_navigation():
        contact.get_by_role("button", name="See the total").click()
    quote = contact.locator("table").inner_text()
    assert "Deposit fee" in quote and "$1.25" in quote and "$11.25" in quote  # $1 + 2.5%
    contact.get_by_label("Card number").fill("4242 4242 4242 4242")
    contact.get_by_role("button", name="Pay $11.25").click()
    contact.wait_for_url("**/receipts/**")
    assert "HW-" in contact.content() and "$11.25" in contact.content()

    # 3. Writing shows the price and the balance after, updated as she types.
    contact.goto(f"{url}/conversations/")
    contact.get_by_role("link", name="Maria").first.click()
    contact.get_by_label("Your message").fill("x" * 2500)
    contact.locator("table.price").get_by_text("$0.80").first.wait_for()  # two stamps
    contact.get_by_label("Your message").fill("Maria, I put money on my account. Call Sunday?")
    contact.get_by_text("After sending: $9.60").wait_for()
    contact.get_by_role("button", name="Send").click()
    shows(contact, "Submitted")
    sent = Message.objects.get(direction="to_resident")

    # 4. A reviewer blocks it; the 40 cents come back to her wallet.
    run_worker()
    console_sign_in(staff, url, "rev1", app)
    staff.goto(f"{url}/console/queue/")
    staff.get_by_role("button", name="Take the next message").click()
    reasons = staff.locator("select[name=reason_code] option")
    staff.locator("select[name=reason_code]").select_option(reasons.nth(1).get_attribute("value"))
    staff.once("dialog", lambda dialog: dialog.accept())  # "Block this message?"
    staff.get_by_role("button", name="Block", exact=True).click()
    staff.get_by_text(f"Blocked message {sent.pk}").wait_for()  # decided in place
    sent.refresh_from_db()
    assert sent.status == "blocked"

    # 5. The statement shows the deposit, the charge and the refund; the wallet is whole.
    contact.goto(f"{url}/wallet/statement/")
    statement = contact.locator("table").inner_text()
    assert "Deposit, receipt HW-" in statement
    assert "Message to Maria" in statement
    assert "Refund: the message was not delivered" in statement
    contact.goto(f"{url}/wallet/")
    assert "$10.00" in contact.locator("#wallet-greenhaven").inner_text()


def test_adding_a_staff_member_journey(pages, live_server):
    """A facility admin adds a reviewer from the Staff page and is shown a link once; the
    reviewer opens it, chooses a password (a mistyped second one is caught first), and
    signs in with it, reaching the step that sets up an authenticator app. When she leaves,
    the admin deactivates her and her password no longer signs in."""
    facility = t.make_facility("greenhaven", name="Greenhaven Correctional", state="NY")
    admin = t.make_staff("admin1", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility)
    app = t.enrol_staff(admin)
    url = live_server.url
    newcomer, _, staff = pages

    # 1. The admin adds Nora Kim as a reviewer at Greenhaven.
    console_sign_in(staff, url, "admin1", app)
    staff.get_by_role("link", name="Staff", exact=True).click()
    staff.get_by_label("Username").fill("nkim")
    staff.get_by_label("First name").fill("Nora")
    staff.get_by_label("Last name").fill("Kim")
    staff.get_by_label("Role").select_option(label="Reviewer")
    staff.get_by_label("Works at").select_option(label="Greenhaven Correctional")
    staff.get_by_role("button", name="Add").click()
    shows(staff, "Nora Kim is added")
    link = staff.locator(".archive-code strong").inner_text()

    # 2. Nora opens the link and chooses a password; a mistyped second one is caught.
    newcomer.goto(link)
    newcomer.get_by_label("New password").fill("quiet harbour lantern 42")
    newcomer.get_by_label("The same password again").fill("quiet harbour lantern 24")
    newcomer.get_by_role("button", name="Set the password").click()
    shows(newcomer, "The two passwords are not the same.")
    newcomer.get_by_label("New password").fill("quiet harbour lantern 42")
    newcomer.get_by_label("The same password again").fill("quiet harbour lantern 42")
    newcomer.get_by_role("button", name="Set the password").click()
    shows(newcomer, "Your password is set. Sign in with it now.")

    # 3. She signs in with it, and is asked to set up an authenticator app.
    newcomer.get_by_label("Username").fill("nkim")
    newcomer.get_by_label("Password").fill("quiet harbour lantern 42")
    newcomer.get_by_role("button", name="Sign in").click()
    newcomer.wait_for_url("**/console/enrol/**")
    # The link was for once.
    newcomer.goto(link)
    shows(newcomer, "This link is not valid")

    # 4. Nora leaves: the admin deactivates her; she cannot sign in again.
    staff.get_by_role("link", name="Back to staff").click()
    staff.get_by_role("button", name="Deactivate nkim").click()
    shows(staff, "nkim is deactivated")
    newcomer.goto(f"{url}/console/signin/")
    newcomer.get_by_label("Username").fill("nkim")
    newcomer.get_by_label("Password").fill("quiet harbour lantern 42")
    newcomer.get_by_role("button", name="Sign in").click()
    shows(newcomer, "That username and password do not match a staff account.")


def test_the_booking_journey(pages, live_server):
    """A facility admin uploads the roster file; a line that cannot be booked books nobody
    and the page names it; fixed, the file books everyone; the admin gives one of them a
    PIN, and she signs in at the kiosk with it. The other is released and booked again."""
    facility = t.make_facility("greenhaven", name="Greenhaven Correctional", state="NY")
    admin = t.make_staff("admin1", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility)
    app = t.enrol_staff(admin)  # set up at an earlier sign-in
    _, token = register_device(staff=admin, facility=facility, name="A Block, tablet 1")
    url = live_server.url
    _, kiosk, staff = pages

    # 1. The admin signs in and opens the Roster page from the menu.
    console_sign_in(staff, url, "admin1", app)
    staff.get_by_role("link", name="Roster").click()
    shows(staff, "Roster at Greenhaven Correctional")

    # 2. A file with a bad line books nobody, and says which line.
    roster = "number,first_name,last_name,housing_unit\nA-1,Rosa,Diaz,B Pod\nA 2,Eva,Sosa,B Pod\n"
    upload = {"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}
    staff.get_by_label("Roster file (CSV)").set_input_files(upload)
    staff.get_by_role("button", name="Upload and book").click()
    shows(staff, "Line 3: The resident number “A 2” is not letters and digits")
    assert not Resident.objects.exists()

    # 3. Fixed, it books both; the admin gives Rosa a PIN from her page.
    upload["buffer"] = roster.replace("A 2", "A-2").encode()
    staff.get_by_label("Roster file (CSV)").set_input_files(upload)
    staff.get_by_role("button", name="Upload and book").click()
    shows(staff, "2 booked, 0 brought up to date")
    staff.get_by_role("link", name="Rosa Diaz").click()
    staff.once("dialog", lambda dialog: dialog.accept())  # "Give Rosa Diaz a new kiosk PIN?"
    staff.get_by_role("button", name="Give a new PIN").click()
    shows(staff, "Kiosk PIN for Rosa Diaz")
    pin = staff.locator(".archive-code strong").inner_text()

    # 4. Rosa signs in at the kiosk with her number and that PIN.
    kiosk.context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": url}])
    kiosk.goto(f"{url}/kiosk/signin/")
    kiosk.get_by_label("Resident number").fill("A-1")
    kiosk.get_by_label("PIN").fill(pin)
    with kiosk.expect_navigation():
        kiosk.get_by_role("button", name="Sign in").click()
    assert kiosk.url == f"{url}/kiosk/"
    assert Resident.objects.get(number="A-1").housing_unit.name == "B Pod"

    # 5. Eva is released, and comes back: the admin books her again with the form, and
    # she is in custody on her second stay, her page offering a new PIN.
    staff.goto(f"{url}/console/residents/{Resident.objects.get(number='A-2').pk}/")
    staff.once("dialog", lambda dialog: dialog.accept())  # "Release Eva Sosa? ..."
    staff.get_by_role("button", name="Release Eva Sosa").click()
    shows(staff, "Archive code")
    assert not Resident.objects.get(number="A-2").in_custody
    staff.goto(f"{url}/console/roster/greenhaven/")
    staff.get_by_label("Resident number").fill("A-2")
    staff.get_by_label("First name").fill("Eva")
    staff.get_by_label("Last name").fill("Sosa")
    staff.get_by_role("button", name="Book", exact=True).click()
    shows(staff, "0 booked, 1 booked again")
    staff.get_by_role("link", name="Eva Sosa").click()
    staff.get_by_role("button", name="Give a new PIN").wait_for()
    eva = Resident.objects.get(number="A-2")
    assert eva.in_custody and eva.stays == 2
