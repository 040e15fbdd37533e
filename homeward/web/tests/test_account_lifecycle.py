"""A contact's own account on the web: a forgotten password, a new password, a new email,
and closing the account, with the emails each sends arriving at a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from homeward import builders as t
from homeward.api.models import ApiToken
from homeward.connections.models import Connection
from homeward.core.models import AuditEvent
from homeward.ledger import services as ledger
from homeward.ledger.models import Payout
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Contact, User
from homeward.personas import api_for, body_of, client_for, emails_to, link_in, sign_up
from homeward.web.tests.wallet_steps import DEPOSIT, LATE, pay, wallet_balance

NEW = "a-much-longer-secret-42"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def ask_for_reset(client: Client, email: str):  # type: ignore[no-untyped-def]
    return client.post("/password/forgot/", {"email": email})


# --- a forgotten password ----------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(world, run_jobs, smtp):
    page = ask_for_reset(Client(), "A@Example.org")
    assert page.status_code == 200
    assert "If a Homeward account uses A@Example.org" in page.content.decode()
    run_jobs()
    [sent] = emails_to(smtp, "a@example.org")
    assert sent["Subject"] == "Reset your Homeward password"
    link = link_in(sent, "/password/reset/")
    browser = Client()
    assert "Choose a new password" in browser.get(link).content.decode()
    done = browser.post(link, {"password": NEW})
    assert done.status_code == 302 and done["Location"] == "/signin/"
    assert authenticate(username="a@example.org", password=NEW) is not None
    # Used once, the link is spent: it says so and changes nothing.
    again = Client().post(link, {"password": "yet-another-secret-77"})
    assert again.status_code == 400
    assert "not valid" in again.content.decode()
    assert authenticate(username="a@example.org", password=NEW) is not None
    run_jobs()
    assert [m["Subject"] for m in emails_to(smtp, "a@example.org")][-1] == (
        "Your Homeward password was changed"
    )


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(world, run_jobs, smtp):
    known = ask_for_reset(Client(), "a@example.org").content.decode()
    unknown = ask_for_reset(Client(), "nobody@example.org").content.decode()
    # Each page carries its own CSRF token (the language switch's form): all else is equal.
    known, unknown = (CSRF_TOKEN.sub("", page) for page in (known, unknown))
    assert known.replace("a@example.org", "X") == unknown.replace("nobody@example.org", "X")
    run_jobs()
    assert emails_to(smtp, "nobody@example.org") == []
    # Staff accounts are not reset from the family site.
    ask_for_reset(Client(), world.reviewer_1.email or "rev1@example.org")
    run_jobs()
    assert len(smtp.received) == 1


def test_a_late_or_altered_reset_link_is_refused(world, run_jobs, smtp, settings):
    ask_for_reset(Client(), "a@example.org")
    run_jobs()
    link = link_in(emails_to(smtp, "a@example.org")[0], "/password/reset/")
    altered = link.rstrip("/")[:-2] + "xx/"
    assert Client().post(altered, {"password": NEW}).status_code == 400
    settings.PASSWORD_RESET_TIMEOUT = -1  # the link's time is up
    late = Client().post(link, {"password": NEW})
    assert late.status_code == 400
    assert authenticate(username="a@example.org", password=NEW) is None


def test_a_weak_new_password_is_refused_next_to_the_field(world, run_jobs, smtp):
    ask_for_reset(Client(), "a@example.org")
    run_jobs()
    link = link_in(emails_to(smtp, "a@example.org")[0], "/password/reset/")
    page = Client().post(link, {"password": "12345678"})
    assert page.status_code == 400
    assert 'id="id_password_error"' in page.content.decode()
    assert authenticate(username="a@example.org", password=t.PASSWORD) is not None


# --- a new password ----------------------------------------------------------------------


def test_changing_the_password_signs_out_other_browsers_and_apps(world, run_jobs, smtp):
    here, elsewhere = client_for(world.contact_a.user), client_for(world.contact_a.user)
    app = api_for(world.contact_a)
    assert app.get("/connections").status_code == 200
    done = here.post("/account/password/", {"current": t.PASSWORD, "new": NEW})
    assert done.status_code == 302
    assert here.get("/account/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/account/").status_code == 302  # the other is signed out
    assert app.get("/connections").status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
    run_jobs()
    assert emails_to(smtp, "a@example.org")[0]["Subject"] == "Your Homeward password was changed"


def test_a_wrong_current_password_changes_nothing(world):
    browser = client_for(world.contact_a.user)
    page = browser.post("/account/password/", {"current": "wrong", "new": NEW})
    assert page.status_code == 400
    assert "not your current password" in page.content.decode()
    assert authenticate(username="a@example.org", password=t.PASSWORD) is not None


# --- a new email -------------------------------------------------------------------------


def test_a_new_email_is_confirmed_at_the_new_address_and_the_old_one_is_told(world, run_jobs, smtp):
    browser = client_for(world.contact_a.user)
    asked = browser.post(
        "/account/email/", {"email": "Ana.New@example.org", "password": t.PASSWORD}
    )
    assert asked.status_code == 302
    run_jobs()
    assert User.objects.get(pk=world.contact_a.user_id).email == "a@example.org"  # not yet
    [sent] = emails_to(smtp, "ana.new@example.org")
    link = link_in(sent, "/account/email/")
    assert "Use this email" in Client().get(link).content.decode()  # opening changes nothing
    assert User.objects.get(pk=world.contact_a.user_id).email == "a@example.org"
    assert Client().post(link).status_code == 302
    user = User.objects.get(pk=world.contact_a.user_id)
    assert user.email == user.username == "ana.new@example.org"
    assert authenticate(username="ana.new@example.org", password=t.PASSWORD) is not None
    run_jobs()
    asked, changed = emails_to(smtp, "a@example.org")  # told when asked, and when done
    assert asked["Subject"] == "Someone asked to change the email of your Homeward account"
    assert changed["Subject"] == "Your Homeward email address was changed"
    assert "ana[.]new@example[.]org" in body_of(changed)  # a typed value, never a live link
    assert Client().post(link).status_code == 400  # spent


def test_a_new_password_makes_a_pending_email_change_link_worthless(world, run_jobs, smtp):
    """Someone who learned the password asks to move the account to their address; the
    owner, told at the old address, changes the password, and the link stops working."""
    intruder = client_for(world.contact_a.user)
    intruder.post("/account/email/", {"email": "thief@example.org", "password": t.PASSWORD})
    run_jobs()
    link = link_in(emails_to(smtp, "thief@example.org")[0], "/account/email/")
    owner = client_for(world.contact_a.user)
    owner.post("/account/password/", {"current": t.PASSWORD, "new": NEW})
    assert Client().post(link).status_code == 400
    assert User.objects.get(pk=world.contact_a.user_id).email == "a@example.org"


def test_wrong_passwords_on_the_account_pages_are_counted_like_sign_ins(world):
    """A stolen session cannot guess the password that closing and a new email need."""
    browser = client_for(world.contact_a.user)
    for _ in range(5):
        assert close(browser, password="guess").status_code == 400
    locked = close(browser, password=t.PASSWORD)
    assert locked.status_code == 400
    assert "Too many wrong passwords" in locked.content.decode()
    assert Contact.objects.get(pk=world.contact_a.pk).closed_at is None


def test_an_email_already_in_use_is_refused_and_nothing_is_sent(world, run_jobs, smtp):
    browser = client_for(world.contact_a.user)
    page = browser.post("/account/email/", {"email": "b@example.org", "password": t.PASSWORD})
    assert page.status_code == 400
    assert "Another account uses this email" in page.content.decode()
    wrong = browser.post("/account/email/", {"email": "c@example.org", "password": "nope"})
    assert wrong.status_code == 400
    run_jobs()
    assert smtp.received == []


def test_a_confirmation_for_an_address_taken_meanwhile_changes_nothing(world, run_jobs, smtp):
    browser = client_for(world.contact_a.user)
    browser.post("/account/email/", {"email": "c@example.org", "password": t.PASSWORD})
    run_jobs()
    link = link_in(emails_to(smtp, "c@example.org")[0], "/account/email/")
    t.make_contact("c@example.org")
    assert Client().post(link).status_code == 400
    assert User.objects.get(pk=world.contact_a.user_id).email == "a@example.org"


# --- closing -------------------------------------------------------------------------------


def close(browser: Client, password: str = t.PASSWORD):  # type: ignore[no-untyped-def]
    return browser.post("/account/close/", {"password": password, "confirm": "on"})


def test_closing_refunds_the_wallet_ends_connections_and_refuses_sign_in(world, run_jobs, smtp):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=50)
    browser = client_for(world.contact_a.user)
    pay(browser, DEPOSIT, "20")
    run_jobs()
    assert wallet_balance(world.contact_a, world.facility_1) == 2000
    page = browser.get("/account/close/").content.decode()
    assert "$20.00 at Greenhaven Correctional" in page
    app = api_for(world.contact_a)
    done = close(browser)
    assert done.status_code == 302
    run_jobs()
    assert wallet_balance(world.contact_a, world.facility_1) == 0
    [payout] = Payout.objects.all()
    assert payout.amount_cents == 2000 and payout.status == Payout.Status.SENT
    connection = Connection.objects.get(contact=world.contact_a)
    assert connection.status == Connection.Status.ENDED
    assert browser.get("/account/").status_code == 302  # signed out
    assert (
        Client().post("/signin/", {"email": "a@example.org", "password": t.PASSWORD}).status_code
        == 400
    )
    assert app.get("/connections").status_code == 401
    assert Contact.objects.get(pk=world.contact_a.pk).closed_at is not None
    subjects = [m["Subject"] for m in emails_to(smtp, "a@example.org")]
    assert "Your Homeward account is closed" in subjects
    assert not any("ended" in subject.lower() for subject in subjects)  # not told twice
    assert AuditEvent.objects.filter(action="contact.account_closed").count() == 1
    # The address is free again.
    again = sign_up(Client(), "a@example.org", name="Ana", password=NEW)
    assert again.status_code == 302
    assert Contact.objects.filter(user__email="a@example.org").count() == 2


def test_messages_on_their_way_are_returned_and_refunded_when_closing(world, run_jobs):
    t.set_prices(world.facility_1, model="per_message", per_message_cents=50)
    browser = client_for(world.contact_a.user)
    pay(browser, DEPOSIT, "20")
    run_jobs()
    connection = Connection.objects.get(contact=world.contact_a)
    sent = messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")
    run_jobs()
    message = Message.objects.get(pk=sent.message.pk)
    messaging.approve(message_id=message.pk, actor=world.reviewer_1)  # approved, not delivered
    assert Message.objects.get(pk=message.pk).status == Message.Status.APPROVED
    assert close(browser).status_code == 302
    assert Message.objects.get(pk=message.pk).status == Message.Status.RETURNED
    run_jobs()
    assert wallet_balance(world.contact_a, world.facility_1) == 0
    assert sum(p.amount_cents for p in Payout.objects.all()) == 2000  # the 50 cents came back


def test_replies_paid_ahead_and_unused_come_back_when_closing(world, run_jobs):
    t.set_prices(
        world.facility_1, model="stamps", stamp_cents=40, reply_stamps=1,
        payer="sender_prepays_reply",
    )  # fmt: skip
    browser = client_for(world.contact_a.user)
    pay(browser, DEPOSIT, "5")
    run_jobs()
    connection = Connection.objects.get(contact=world.contact_a)
    sent = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Write back", prepaid_reply=True
    ).message
    run_jobs()
    messaging.approve(message_id=sent.pk, actor=world.reviewer_1)
    run_jobs()
    assert Message.objects.get(pk=sent.pk).status == Message.Status.DELIVERED
    assert wallet_balance(world.contact_a, world.facility_1) == 420  # 40 sent, 40 set aside
    assert close(browser).status_code == 302
    run_jobs()
    held = ledger.balance_of(kind="reply_credit", contact=world.contact_a, resident=world.resident)
    assert held == 0
    assert sum(p.amount_cents for p in Payout.objects.all()) == 460  # the wallet and the reply


@pytest.mark.parametrize("waiting", ["in review", "a payment"])
def test_closing_with_something_still_on_its_way_in_is_refused_and_nothing_changes(
    world, run_jobs, waiting
):
    browser = client_for(world.contact_a.user)
    connection = Connection.objects.get(contact=world.contact_a)
    if waiting == "in review":
        messaging.send_message(sender=world.contact_a, connection_id=connection.pk, body="Hi")
        run_jobs()  # screened; Greenhaven reviews every message
        expected = "still being reviewed"
    else:
        pay(browser, DEPOSIT, "20", card=LATE)  # the card company has not answered
        expected = "payment is still being processed"
    page = close(browser)
    assert page.status_code == 400
    assert expected in page.content.decode()
    assert Contact.objects.get(pk=world.contact_a.pk).closed_at is None
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE
    assert browser.get("/account/").status_code == 200


def test_a_wrong_password_does_not_close_the_account(world):
    browser = client_for(world.contact_a.user)
    page = close(browser, password="wrong")
    assert page.status_code == 400
    assert Contact.objects.get(pk=world.contact_a.pk).closed_at is None


# --- who may see what -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/", "/account/close/"])
def test_account_pages_need_a_signed_in_contact(world, path):
    assert Client().get(path).status_code == 302
    staff = client_for(world.reviewer_1)
    assert staff.get(path).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account/password/", {"current": t.PASSWORD, "new": NEW}),
        ("/account/email/", {"email": "x@example.org", "password": t.PASSWORD}),
        ("/account/close/", {"password": t.PASSWORD, "confirm": "on"}),
    ],
)
def test_staff_and_strangers_cannot_change_an_account(world, path, data):
    assert Client().post(path, data).status_code == 302  # to sign-in
    staff = client_for(world.reviewer_1)
    assert staff.post(path, data).status_code == 404
    assert authenticate(username="rev1", password=t.PASSWORD) is not None
    assert Contact.objects.filter(closed_at__isnull=False).count() == 0
