"""Opening an account through the API: the notice shown, the sign-up counted, the
confirmation link sent again; and a request to connect taken back."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.test import Client

from homeward.connections.models import Connection
from homeward.core import clock
from homeward.people.models import Contact, User
from homeward.personas import ApiClient, emails_to, error_of, kiosk_client_for, link_in

C = Connection.Status


def signup(client: ApiClient, email: str = "new@example.org", **fields: str):
    body = {
        "email": email,
        "password": "a-long-family-secret-7",
        "display_name": "Rosa Diaz",
        "notice_version": settings.MONITORING_NOTICE_VERSION,
        "token_name": "Rosa's phone",
        **fields,
    }
    return client.post("/auth/signup", body)


def test_the_notice_is_shown_whole_in_the_language_asked_for(db, anon):
    english = anon.get("/auth/signup")
    assert english.status_code == 200
    notice = english.json()
    assert notice["version"] == settings.MONITORING_NOTICE_VERSION
    assert notice["text"][0] == "Nothing you send or receive on Homeward is private."
    assert len(notice["text"]) == 7
    spanish = anon.client.get("/api/v1/auth/signup", headers={"Accept-Language": "es"})
    assert spanish.json()["text"][0] == "Nada de lo que envía o recibe en Homeward es privado."


def test_signing_up_opens_the_account_signs_in_and_sends_the_link(db, anon, run_jobs, smtp):
    answer = signup(anon)
    assert answer.status_code == 201
    assert answer["X-Homeward-Device"]
    app = ApiClient(answer.json()["token"])
    me = app.get("/me").json()
    assert me == me | {"email": "new@example.org", "display_name": "Rosa Diaz"}
    assert me["email_verified"] is False
    contact = Contact.objects.get(user__email="new@example.org")
    assert contact.notice_version == settings.MONITORING_NOTICE_VERSION
    run_jobs()
    (sent,) = emails_to(smtp, "new@example.org")
    # The link in it confirms the address, and GET /me says so.
    page = Client().post(link_in(sent, "/verify/"))
    assert page.status_code == 302
    assert app.get("/me").json()["email_verified"] is True


def test_a_sign_up_that_read_an_old_notice_or_an_address_in_use_opens_nothing(world, anon):
    old = signup(anon, notice_version="1999-1")
    assert old.status_code == 409 and error_of(old)["code"] == "notice_outdated"
    taken = signup(anon, email="A@example.org")
    assert taken.status_code == 400 and error_of(taken)["code"] == "email_taken"
    weak = signup(anon, password="password")
    assert weak.status_code == 400 and error_of(weak)["code"] == "weak_password"
    link = signup(anon, display_name="Rosa www.evil.example")
    assert link.status_code == 400 and error_of(link)["code"] == "name_not_plain"
    assert not User.objects.filter(email="new@example.org").exists()


def test_sign_ups_from_one_network_are_counted(db, anon):
    for n in range(20):
        assert signup(anon, email=f"person{n}@example.org").status_code == 201
    refused = signup(anon, email="one-more@example.org")
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "too_many_attempts"
    assert int(refused["Retry-After"]) > 0
    assert not User.objects.filter(email="one-more@example.org").exists()


def test_asking_whether_an_address_has_an_account_costs_the_network(world, anon):
    """ "Taken" tells whether an account uses the address: one network asks 20 times an
    hour at most (the owner's own password resets are not used up)."""
    for _ in range(20):
        taken = signup(anon, email="a@example.org")
        assert error_of(taken)["code"] == "email_taken"
    refused = signup(anon, email="a@example.org")
    assert refused.status_code == 429 and error_of(refused)["code"] == "too_many_attempts"
    assert anon.post("/auth/password-reset", {"email": "a@example.org"}).status_code == 429
    elsewhere = ApiClient()
    elsewhere.client.defaults["REMOTE_ADDR"] = "198.51.100.7"
    assert elsewhere.post("/auth/password-reset", {"email": "a@example.org"}).status_code == 202


def test_the_link_is_sent_again_until_the_address_has_had_its_share(db, anon, run_jobs, smtp):
    app = ApiClient(signup(anon).json()["token"])
    for _ in range(4):  # the sign-up's email was the first of five an hour
        again = app.post("/me/verification")
        assert again.status_code == 202 and again.json()["sent_to"] == "new@example.org"
    refused = app.post("/me/verification")
    assert refused.status_code == 429 and refused["Retry-After"]
    run_jobs()
    assert len(emails_to(smtp, "new@example.org")) == 5


def test_a_confirmed_address_is_not_sent_the_link(world, api_a, run_jobs, smtp):
    answer = api_a.post("/me/verification")
    assert answer.status_code == 409 and error_of(answer)["code"] == "already_verified"
    run_jobs()
    assert emails_to(smtp, "a@example.org") == []


def test_the_verification_resend_needs_a_token(db, anon):
    assert anon.post("/me/verification").status_code == 401


def test_a_request_is_withdrawn_leaves_the_kiosk_and_may_be_made_again(world, api_b):
    asked = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    connection_id = asked.json()["id"]
    kiosk = kiosk_client_for(world.resident)
    assert "Ben Ortiz" in kiosk.get("/kiosk/requests/").content.decode()
    withdrawn = api_b.post(f"/connections/{connection_id}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert "Ben Ortiz" not in kiosk.get("/kiosk/requests/").content.decode()
    assert api_b.post(f"/connections/{connection_id}/withdraw").json()["status"] == "withdrawn"
    # Asking again waits a day: each request is a notice on the resident's kiosk.
    soon = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert soon.status_code == 409 and error_of(soon)["code"] == "asked_too_soon"
    with clock.frozen_at(clock.now() + dt.timedelta(days=1, seconds=1)):
        again = api_b.post("/connections", {"facility": "greenhaven", "number": "NY1001"})
    assert again.status_code == 201 and again.json()["id"] == connection_id
    assert again.json()["status"] == "requested"


def test_only_ones_own_waiting_request_is_withdrawn(world, api_a, api_b, connection_a):
    stranger = api_b.post(f"/connections/{connection_a.pk}/withdraw")
    assert stranger.status_code == 404
    answered = api_a.post(f"/connections/{connection_a.pk}/withdraw")
    assert answered.status_code == 409 and error_of(answered)["code"] == "not_pending"
    assert Connection.objects.get(pk=connection_a.pk).status == C.ACTIVE
