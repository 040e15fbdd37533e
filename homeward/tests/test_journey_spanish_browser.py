"""A family member on a 320 px phone whose browser speaks Spanish: signs up, confirms the
address from a Spanish email, writes, reads the reply and takes the archive in all three
formats. Then a released resident takes theirs with the code the release gave.

Every page on the way is in Spanish (its words are looked up in the catalogue, so the test
follows the translation rather than repeat it) and none reaches past the phone's edge.
"""

from __future__ import annotations

import json
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.utils import translation

from homeward import builders as t
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people import emails
from homeward.people.models import Contact, StaffMembership
from homeward.personas import emails_to, link_in
from homeward.roster import services as roster
from homeward.tests.test_journey_browser import browser, run_worker  # noqa: F401  (fixture)
from homeward.tests.test_pages_browser import SIDEWAYS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}
EMAIL = "ana.lopez@example.org"
PASSWORD = "una-frase-larga-de-familia"
WRITTEN = "Hola María, te extrañamos mucho. Nos vemos el domingo."
REPLY = "Gracias, Ana. Abrazos a todos."


def es(english: str, **values: object) -> str:
    with translation.override("es"):
        said = translation.gettext(english)
    assert said != english, f"no Spanish for {english!r}"
    return said % values if values else said


@pytest.fixture
def phone(browser):  # noqa: F811
    contexts = []

    def new_phone():
        context = browser.new_context(viewport=PHONE, locale="es-MX", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_phone
    for context in contexts:
        context.close()


def in_spanish_and_fits(page) -> None:
    assert page.evaluate("() => document.documentElement.lang") == "es", page.url
    assert es("Skip to content") in page.content()
    sideways, where = page.evaluate(SIDEWAYS)
    assert sideways <= 0, (page.url, where, sideways)


def download(page, link_css: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.locator(link_css).click()
    target = folder / started.value.suggested_filename
    started.value.save_as(target)
    return target


def test_a_spanish_speaking_family_on_a_small_phone(phone, live_server, smtp, tmp_path):
    url = live_server.url
    facility = t.make_facility(
        "travis",
        name="Travis County Jail",
        prices={"model": "per_message", "per_message_cents": 25},
    )
    maria = t.make_resident(facility, "TC4001", first_name="María", last_name="Gómez")
    admin = t.make_staff(
        "travis-admin", role=StaffMembership.Role.FACILITY_ADMIN, facility=facility
    )
    page = phone()

    # 1. She signs up in Spanish, and the email confirming her address is in Spanish.
    page.goto(f"{url}/signup/")
    in_spanish_and_fits(page)
    page.get_by_label(es("Your name")).fill("Ana López")
    page.get_by_label(es("Email")).fill(EMAIL)
    page.get_by_label(es("Password")).fill(PASSWORD)
    page.locator("#id_accept_notice").check()
    with page.expect_navigation():
        page.get_by_role("button", name=es("Create account")).click()
    in_spanish_and_fits(page)
    run_worker()
    [mail] = emails_to(smtp, EMAIL)
    spanish, _ = emails.render("verify_email", ours={"days": 3}, theirs={}, language="es")
    english, _ = emails.render("verify_email", ours={"days": 3}, theirs={}, language="en")
    assert str(make_header(decode_header(mail["Subject"]))) == spanish != english
    page.goto(f"{url}{link_in(mail, '/verify/')}")
    in_spanish_and_fits(page)
    with page.expect_navigation():
        page.get_by_role("button", name=es("Confirm my email")).click()
    ana = Contact.objects.get(user__email=EMAIL)
    assert ana.email_verified_at is not None and ana.user.language == "es"

    # 2. Connected and paid in (their own journeys are tested elsewhere), she writes.
    connection = t.connect(ana, maria)
    t.pay_in(ana, facility, 500)
    page.goto(f"{url}/conversations/{connection.pk}/")
    in_spanish_and_fits(page)
    page.get_by_label(es("Your message")).fill(WRITTEN)
    with page.expect_navigation():
        page.get_by_role("button", name=es("Send"), exact=True).click()
    in_spanish_and_fits(page)
    run_worker()
    sent = Message.objects.get(connection=connection)
    if sent.status != Message.Status.DELIVERED:
        messaging.approve(message_id=sent.pk, actor=admin)
        run_worker()

    # 3. María replies; Ana reads it.
    t.fund_trust(maria, 500)
    reply = messaging.send_message(sender=maria, connection_id=connection.pk, body=REPLY).message
    run_worker()
    if Message.objects.get(pk=reply.pk).status != Message.Status.DELIVERED:
        messaging.approve(message_id=reply.pk, actor=admin)
        run_worker()
    page.goto(f"{url}/conversations/{connection.pk}/")
    in_spanish_and_fits(page)
    assert REPLY in page.content() and WRITTEN in page.content()

    # 4. She takes her archive in all three formats.
    page.goto(f"{url}/account/archive/")
    in_spanish_and_fits(page)
    record = json.loads(download(page, "a[href$='archive.json']", tmp_path).read_text())
    assert {WRITTEN, REPLY} <= {m["text"] for m in record["messages"]}
    assert download(page, "a[href$='archive.pdf']", tmp_path).read_bytes().startswith(b"%PDF")
    mbox = download(page, "a[href$='archive.mbox']", tmp_path).read_text()
    assert mbox.startswith("From ") and mbox.count("\nFrom ") >= 1

    # 5. María is released; with the code the release gave her she takes her own archive.
    code = roster.release_resident(staff=admin, resident_id=maria.pk).archive.code
    run_worker()
    released = phone()
    released.goto(f"{url}/released/")
    in_spanish_and_fits(released)
    released.get_by_label(es("Facility code")).fill("travis")
    released.get_by_label(es("Your resident number")).fill("TC4001")
    released.get_by_label(es("Archive code")).fill(code)
    with released.expect_navigation():
        released.get_by_role("button", name=es("Open my archive")).click()
    in_spanish_and_fits(released)
    theirs = json.loads(download(released, "a[href$='archive.json']", tmp_path).read_text())
    assert {WRITTEN, REPLY} <= {m["text"] for m in theirs["messages"]}
    pdf = download(released, "a[href$='archive.pdf']", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
