"""Sign up, sign in, sign out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from homeward import builders as t
from homeward.connections import services as connections
from homeward.core import clock
from homeward.core.errors import DomainError
from homeward.people import services as people
from homeward.people.models import Contact, User
from homeward.personas import client_for

NOTICE = "I understand that every message is read and kept by the facility"
MOMENT = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Rosa Diaz",
        "email": "Rosa@Example.org",
        "password": "winter-garden-lantern",
        "accept_notice": "on",
        "notice_version": settings.MONITORING_NOTICE_VERSION,
    }
    data.update(overrides)
    return data


def test_signup_page_shows_the_whole_notice_and_the_checkbox(db):
    response = Client().get("/signup/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Monitoring notice" in page
    assert "Nothing you send or receive on Homeward is private" in page
    assert settings.MONITORING_NOTICE_VERSION in page
    assert NOTICE in page


def test_signup_stores_the_notice_version_and_signs_in(db):
    client = Client()
    with clock.frozen_at(MOMENT):
        response = client.post("/signup/", signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/connections/"
    contact = Contact.objects.get()
    assert contact.user.username == "rosa@example.org"
    assert contact.user.email == "rosa@example.org"
    assert contact.display_name == "Rosa Diaz"
    assert contact.notice_version == settings.MONITORING_NOTICE_VERSION
    assert contact.notice_accepted_at == MOMENT
    assert client.get("/connections/").status_code == 200  # signed in


def test_signup_refuses_a_duplicate_email_whatever_its_case(world):
    response = Client().post("/signup/", signup_data(email="A@EXAMPLE.ORG"))
    assert response.status_code == 400
    assert "already an account with this email" in response.content.decode()
    assert Contact.objects.count() == 2  # the world's two contacts, nobody new


def test_signup_without_ticking_the_notice_is_refused(db):
    data = signup_data()
    del data["accept_notice"]
    response = Client().post("/signup/", data)
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "rosa@example.org"])
def test_signup_with_a_weak_password_is_refused(db, password):
    response = Client().post("/signup/", signup_data(password=password))
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert not User.objects.exists()


def test_signup_with_an_old_notice_version_is_refused(db):
    response = Client().post("/signup/", signup_data(notice_version="1999-1"))
    assert response.status_code == 400
    assert "notice has changed" in response.content.decode()
    assert not User.objects.exists()


def test_invitations_sent_before_the_account_existed_wait_for_a_verified_email(db, run_jobs):
    from homeward.people import services as people

    facility = t.make_facility("montana", policy={"connection_policy": "resident_invites"})
    resident = t.make_resident(facility, "MT1", first_name="Dale")
    invitation = connections.invite_contact(resident=resident, email="rosa@example.org")
    client = Client()
    client.post("/signup/", signup_data())
    invitation.refresh_from_db()
    assert invitation.contact is None  # anyone could have typed this address
    contact = Contact.objects.get(user__username="rosa@example.org")
    people.verify_email(token=people.verification_token(contact))
    invitation.refresh_from_db()
    assert invitation.contact == contact
    page = client.get("/connections/").content.decode()
    assert "Dale" in page and "Accept" in page


def test_signup_returns_to_the_page_they_came_from(db):
    response = Client().post("/signup/", {**signup_data(), "next": "/facilities/"})
    assert response["Location"] == "/facilities/"


def test_signup_ignores_a_next_address_on_another_site(db):
    response = Client().post("/signup/", {**signup_data(), "next": "https://evil.example/"})
    assert response["Location"] == "/connections/"


def test_create_contact_service_refuses_duplicate_email(world):
    with pytest.raises(DomainError) as err:
        people.create_contact(
            email=" B@example.org ",
            password="winter-garden-lantern",
            display_name="Another Ben",
            accepted_notice_version=settings.MONITORING_NOTICE_VERSION,
        )
    assert err.value.code == "email_taken"


def test_signin_with_email_in_any_case_and_signout(world):
    client = Client()
    response = client.post("/signin/", {"email": "A@Example.org", "password": t.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/connections/"
    assert "Maria" in client.get("/connections/").content.decode()
    assert client.get("/signout/").status_code == 405  # signing out is a POST
    response = client.post("/signout/")
    assert response.status_code == 302
    assert client.get("/connections/").status_code == 302  # back to sign-in


def test_signin_rotates_the_session(world):
    client = Client()
    client.get("/signin/")
    client.session.save()
    before = client.session.session_key
    client.post("/signin/", {"email": "a@example.org", "password": t.PASSWORD})
    assert client.session.session_key != before


def test_signin_with_a_wrong_password_is_refused(world):
    client = Client()
    response = client.post("/signin/", {"email": "a@example.org", "password": "nope-nope-nope"})
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert client.get("/connections/").status_code == 302


def test_staff_cannot_sign_in_here_and_are_pointed_to_the_console(world):
    # The same answer for a right and a wrong staff password: the page does not confirm
    # a guessed password, nor that the account is staff.
    staff = t.make_staff("ops@staff.example.org", role="reviewer", facility=world.facility_1)
    pages = []
    for password in [t.PASSWORD, "wrong-password"]:
        client = Client()
        response = client.post("/signin/", {"email": staff.username, "password": password})
        assert response.status_code == 400
        assert "_auth_user_id" not in client.session
        pages.append(response.content.decode().replace(password, ""))
    right, wrong = pages
    assert "do not match a family or friend account" in right
    assert "Staff sign in at the staff console" in right and 'href="/console/"' in right
    assert "for families and friends" not in right

    def alert(page: str) -> str:
        return page.split('role="alert"')[1].split("</div>")[0]

    assert alert(right) == alert(wrong)


def test_signin_returns_to_next(world):
    response = Client().post(
        "/signin/?next=/conversations/", {"email": "a@example.org", "password": t.PASSWORD}
    )
    assert response["Location"] == "/conversations/"


def test_home_page_links_by_persona(world):
    anonymous = Client().get("/").content.decode()
    assert "/signup/" in anonymous and "/facilities/" in anonymous
    signed_in = client_for(world.contact_a.user).get("/").content.decode()
    assert "/conversations/" in signed_in and "/connections/" in signed_in


def test_signin_picks_up_invitations_sent_to_the_email(db):
    facility = t.make_facility("montana", policy={"connection_policy": "resident_invites"})
    resident = t.make_resident(facility, "MT1", first_name="Dale")
    invitation = connections.invite_contact(resident=resident, email="late@example.org")
    contact = t.make_contact("late@example.org")  # an account made some other way
    client = Client()
    response = client.post(
        "/signin/", {"email": "late@example.org", "password": t.PASSWORD}, follow=True
    )
    assert "You have 1 invitation waiting" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.contact == contact


def test_the_sign_in_page_offers_an_account_in_one_sentence_keeping_where_to_go(db):
    page = Client().get("/signin/?next=/facilities/greenhaven/").content.decode()
    assert (
        'New here? <a href="/signup/?next=%2Ffacilities%2Fgreenhaven%2F">Create an account</a>.'
        in page
    )
    spanish = Client(headers={"Accept-Language": "es"}).get("/signin/").content.decode()
    assert '¿Primera vez aquí? <a href="/signup/">Cree una cuenta</a>.' in spanish
