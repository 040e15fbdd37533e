"""Your own account through the API: what it is, its emails, a new password or email,
closing it, and a forgotten password."""

from __future__ import annotations

import json

from django.contrib.auth import authenticate

from homeward import builders as t
from homeward.api.models import ApiToken
from homeward.connections.models import Connection
from homeward.messaging import services as messaging
from homeward.notifications.models import Preference
from homeward.people.models import Contact
from homeward.personas import ApiClient, api_for, emails_to, error_of

NEW = "a-much-longer-secret-42"


def test_me_shows_the_account_and_its_email_choices(world, api_a):
    answer = api_a.get("/me")
    assert answer.status_code == 200
    me = answer.json()
    assert me["email"] == "a@example.org" and me["display_name"] == "Ana Lopez"
    assert me["email_verified"] is True
    reply = next(n for n in me["notifications"] if n["event"] == "reply_waiting")
    assert reply["enabled"] is True


def test_notifications_are_chosen_and_unknown_events_refused(world, api_a):
    answer = api_a.put("/me/notifications", {"events": {"reply_waiting": False}})
    assert answer.status_code == 200
    choices = {n["event"]: n["enabled"] for n in answer.json()["notifications"]}
    assert choices["reply_waiting"] is False and choices["connection_approved"] is True
    wrong = api_a.put("/me/notifications", {"events": {"everything": False}})
    assert wrong.status_code == 422
    assert Preference.objects.filter(contact=world.contact_a).count() == 1
    digest = api_a.put("/me/notifications", {"daily_digest": True})
    assert digest.status_code == 200 and digest.json()["daily_digest"] is True
    assert api_a.get("/me").json()["daily_digest"] is True


def test_a_new_password_ends_every_token_and_answers_a_new_one(world, api_a):
    other_app = api_for(world.contact_a)
    answer = api_a.post("/me/password", {"current_password": t.PASSWORD, "new_password": NEW})
    assert answer.status_code == 200
    assert api_a.get("/me").status_code == 401
    assert other_app.get("/me").status_code == 401
    assert ApiClient(answer.json()["token"]).get("/me").status_code == 200
    assert authenticate(username="a@example.org", password=NEW) is not None


def test_a_wrong_current_password_changes_nothing(world, api_a):
    answer = api_a.post("/me/password", {"current_password": "nope", "new_password": NEW})
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "wrong_password"
    assert api_a.get("/me").status_code == 200
    assert authenticate(username="a@example.org", password=t.PASSWORD) is not None


def test_an_email_change_sends_a_link_and_refuses_a_taken_address(world, api_a, run_jobs, smtp):
    taken = api_a.post("/me/email", {"email": "b@example.org", "password": t.PASSWORD})
    assert taken.status_code == 400 and error_of(taken)["code"] == "email_taken"
    answer = api_a.post("/me/email", {"email": "new@example.org", "password": t.PASSWORD})
    assert answer.status_code == 202 and answer.json()["sent_to"] == "new@example.org"
    run_jobs()
    assert len(emails_to(smtp, "new@example.org")) == 1
    assert Contact.objects.get(pk=world.contact_a.pk).user.email == "a@example.org"


def test_closing_through_the_api(world, api_a, run_jobs, smtp):
    answer = api_a.post("/me/close", {"password": t.PASSWORD})
    assert answer.status_code == 200 and answer.json()["closed_at"]
    assert api_a.get("/me").status_code == 401
    assert Connection.objects.get(contact=world.contact_a).status == Connection.Status.ENDED
    run_jobs()
    assert emails_to(smtp, "a@example.org")[-1]["Subject"] == "Your Homeward account is closed"
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


def test_closing_with_a_message_in_review_is_refused_and_nothing_changes(
    world, api_a, connection_a, run_jobs
):
    messaging.send_message(sender=world.contact_a, connection_id=connection_a.pk, body="Hi")
    run_jobs()
    answer = api_a.post("/me/close", {"password": t.PASSWORD})
    assert answer.status_code == 409
    assert error_of(answer)["code"] == "messages_in_review"
    assert api_a.get("/me").status_code == 200
    assert Contact.objects.get(pk=world.contact_a.pk).closed_at is None


def test_a_password_reset_answers_the_same_for_any_address(world, anon, run_jobs, smtp):
    known = anon.post("/auth/password-reset", {"email": "a@example.org"})
    unknown = anon.post("/auth/password-reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    run_jobs()
    assert [m["To"] for m in smtp.received] == ["a@example.org"]


def test_the_archive_comes_in_each_format_and_only_of_ones_own_messages(world, api_a):
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Kept forever."
    ).message
    answer = api_a.get("/me/archive/json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"].startswith('attachment; filename="homeward-archive-')
    data = json.loads(b"".join(answer.streaming_content))
    assert [(m["id"], m["text"], m["status"]) for m in data["messages"]] == [
        (sent.pk, "Kept forever.", "submitted")
    ]
    pdf = b"".join(api_a.get("/me/archive/pdf").streaming_content)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    mbox = b"".join(api_a.get("/me/archive/mbox").streaming_content)
    assert mbox.startswith(b"From contact-") and b"Kept forever." in mbox
    wrong = api_a.get("/me/archive/zip")
    assert wrong.status_code == 422 and error_of(wrong)["code"] == "invalid_input"
    # Another contact's archive has none of it.
    other = api_for(world.contact_b).get("/me/archive/json")
    assert json.loads(b"".join(other.streaming_content))["messages"] == []
