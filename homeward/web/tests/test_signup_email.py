"""Text a person wrote never passes for ours in an email.

The verification email goes to any address typed at sign-up, with the name typed beside it.
A name that could pose as our words (new lines, a link: "Account suspended: visit http://…")
is refused at sign-up with a message next to the field, and nothing is created or sent; a
normal name appears only in its quoted, marked place in the body, never in the subject.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from homeward.jobs.models import Job
from homeward.people.emails import render, user_value
from homeward.people.models import Contact, User
from homeward.personas import sign_up


def signup(name: str, email: str = "rosa@example.org"):
    return sign_up(Client(), email, name=name)


def name_errors(page: str) -> str:
    match = re.search(r'<ul class="errorlist" id="id_display_name_error">(.*?)</ul>', page, re.S)
    assert match, "the name field carries its own error"
    return match.group(1)


POSING_NAMES = [
    ("Rosa\n\nAccount suspended: visit http://evil.example/login", "one line"),
    ("Rosa\r\nAccount suspended", "one line"),
    ("Rosa\tDiaz", "one line"),
    ("Rosa\u2028Your account is locked", "one line"),
    ("Rosa \u202eniam-oi\u202c", "one line"),  # right-to-left override
    ("Rosa\u200bDiaz", "one line"),  # zero-width space
    ("Visit https://evil.example now", "web address"),
    ("http://evil.example", "web address"),
    ("HTTPS://EVIL.EXAMPLE", "web address"),
    ("ｈｔｔｐｓ：／／evil", "web address"),  # full-width letters
    ("www.evil-homeward.org", "web address"),
    ("Support at evil.com/x", "web address"),
    ("evil。com", "web address"),  # an ideographic full stop, read as a dot by browsers
    ("help@homeward-support.org", "web address"),
]


@pytest.mark.parametrize(("name", "says"), POSING_NAMES)
def test_a_name_that_could_pose_as_our_words_is_refused_at_sign_up(db, run_jobs, name, says):
    response = signup(name)
    assert response.status_code == 400
    assert says in name_errors(response.content.decode())
    assert not User.objects.exists() and not Contact.objects.exists()
    assert not Job.objects.filter(kind="send_email").exists()
    run_jobs()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "name", ["J.R. Smith", "A. J. Smith", "Zoë Saldaña", "O'Brien-Díaz", "محمد\u200cرضا"]
)
def test_ordinary_names_with_stops_accents_and_joiners_are_accepted(db, name):
    response = signup(name)
    assert response.status_code == 302
    assert Contact.objects.get().display_name == name


def test_the_verification_email_quotes_the_name_only_in_its_marked_place(db, run_jobs):
    assert signup("Rosa Diaz").status_code == 302
    run_jobs()
    [message] = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert message.subject == "Confirm your email for Homeward"
    assert "Rosa" not in message.subject
    body = message.body
    assert body.count("Rosa Diaz") == 1
    assert 'You (or someone using the name "Rosa Diaz") signed up for Homeward' in body
    assert not body.startswith("Rosa")
    assert body.startswith("Homeward: please confirm your email address.")
    assert re.search(r"https?://\S+/verify/\S+/", body)


def test_names_written_before_the_check_are_defanged_in_the_email():
    """The second fence: a name already stored with a link or new lines (or any value an
    email quotes) is one line, cannot close our quotes, and is no longer a link."""
    subject, body = render(
        "verify_email",
        ours={"link": "https://homeward.example/verify/x/", "days": 3},
        theirs={"name": 'Rosa"\n\nAccount suspended: visit https://evil.example/login'},
    )
    assert subject == "Confirm your email for Homeward"
    assert "Account suspended" not in subject
    assert "https://evil" not in body and "evil.example" not in body
    quoted = (
        "You (or someone using the name \"Rosa' Account suspended: visit "
        'https[:]//evil[.]example/login") signed up'
    )
    assert quoted in body
    assert "https://homeward.example/verify/x/" in body  # our own link is left whole


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("Rosa\nDiaz", "Rosa Diaz"),
        ("  Rosa   Diaz ", "Rosa Diaz"),
        ('Rosa "Ro" Diaz', "Rosa 'Ro' Diaz"),
        ("www.evil.org", "www[.]evil[.]org"),
        ("a@b.org", "a@b[.]org"),
        ("J.R. Smith", "J.R. Smith"),
        ("x" * 200, "x" * 119 + "…"),
        ("Ana\u202eDiaz", "Ana Diaz"),
    ],
)
def test_user_values_are_made_plain_for_email(typed, safe):
    assert user_value(typed) == safe


def test_the_staff_lock_email_is_our_words_with_the_stored_username():
    subject, body = render(
        "staff_locked",
        ours={"username": "admin.ny", "limit": 5, "until": "2026-12-02 07:30", "minutes": 30},
        theirs={},
    )
    assert subject == "Your Homeward staff account is locked"
    assert body.startswith("The Homeward staff account admin.ny was locked after 5 wrong")
    assert "until 2026-12-02 07:30 UTC (30 minutes)" in body
