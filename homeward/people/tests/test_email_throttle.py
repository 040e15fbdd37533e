"""Requests that make Homeward email an address someone typed (sign-up, a password reset,
an email change) are counted per address and per client network, so nobody can fill an
inbox by asking again and again."""

from __future__ import annotations

from django.test import Client

from homeward import builders as t
from homeward.jobs.models import Job
from homeward.people import throttle
from homeward.people.models import Contact
from homeward.personas import api_for, sign_up

LIMIT = throttle.EMAILS_TO_ADDRESS.limit


def emails_queued() -> int:
    return Job.objects.filter(kind="send_email").count()


def test_resets_for_one_address_stop_at_the_limit_whoever_asks(world):
    for n in range(LIMIT):
        client = Client(REMOTE_ADDR=f"10.0.0.{n}")  # from all over
        assert client.post("/password/forgot/", {"email": "a@example.org"}).status_code == 200
    assert emails_queued() == LIMIT
    refused = Client(REMOTE_ADDR="10.0.1.1").post("/password/forgot/", {"email": "A@example.org"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests for this email address" in refused.content.decode()
    assert emails_queued() == LIMIT  # nothing more was sent


def test_an_address_that_has_no_account_is_counted_the_same(world):
    for _ in range(LIMIT):
        Client().post("/password/forgot/", {"email": "nobody@example.org"})
    refused = Client().post("/password/forgot/", {"email": "nobody@example.org"})
    assert refused.status_code == 429  # the answer tells nothing about which addresses exist


def test_sign_ups_and_resets_share_one_count_per_address(db):
    for _ in range(LIMIT - 1):
        Client().post("/password/forgot/", {"email": "rosa@example.org"})
    assert sign_up(Client(), "rosa@example.org").status_code == 302
    refused = Client().post("/password/forgot/", {"email": "ROSA@example.org"})
    assert refused.status_code == 429
    assert Contact.objects.count() == 1


def test_sign_ups_that_send_nothing_are_not_counted(world):
    """Sign-ups for an address that has an account are refused without an email, and
    cannot use up its owner's password resets."""
    for n in range(LIMIT + 2):
        taken = sign_up(Client(REMOTE_ADDR=f"10.9.0.{n}"), "a@example.org")
        assert taken.status_code == 400
    assert Client().post("/password/forgot/", {"email": "a@example.org"}).status_code == 200


def test_one_network_is_refused_after_its_share_of_addresses(db):
    share = throttle.EMAILS_FROM_CLIENT.limit
    for n in range(share):
        response = sign_up(Client(REMOTE_ADDR="203.0.113.9"), f"person{n}@example.org")
        assert response.status_code == 302, n
    refused = sign_up(Client(REMOTE_ADDR="203.0.113.9"), "one.more@example.org")
    assert refused.status_code == 429
    assert "from your network" in refused.content.decode()
    assert Contact.objects.count() == share
    # Another network is not affected.
    assert sign_up(Client(REMOTE_ADDR="198.51.100.7"), "one.more@example.org").status_code == 302


def test_email_changes_to_one_address_are_counted_too(world):
    app = api_for(world.contact_a)
    for _ in range(LIMIT):
        answer = app.post("/me/email", {"email": "target@example.org", "password": t.PASSWORD})
        assert answer.status_code == 202
    refused = app.post("/me/email", {"email": "target@example.org", "password": t.PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_attempts"


def test_the_api_reset_is_counted_with_the_web_one(world, anon):
    for _ in range(LIMIT):
        Client().post("/password/forgot/", {"email": "a@example.org"})
    refused = anon.post("/auth/password-reset", {"email": "a@example.org"})
    assert refused.status_code == 429
