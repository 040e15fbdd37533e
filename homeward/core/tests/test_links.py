"""Links in emails (core/links.py): a domain names what a link is for, the surface that
serves the page registers where it is, and the address is absolute under SITE_URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from homeward import builders as t
from homeward.core import links
from homeward.people import services as people
from homeward.people.models import Contact


def test_the_verify_email_link_is_the_web_page_under_the_site_url(settings: Settings) -> None:
    settings.SITE_URL = "https://homeward.example"
    link = links.absolute("verify_email", "a-token")
    assert link == "https://homeward.example" + reverse("web:verify_email", args=["a-token"])
    assert link.startswith("https://homeward.example/") and link.endswith("/a-token/")


def test_the_verify_email_link_confirms_the_address_on_this_site(
    db: None, settings: Settings
) -> None:
    contact = t.make_contact("link@example.org")
    Contact.objects.filter(pk=contact.pk).update(email_verified_at=None)
    link = links.absolute("verify_email", people.verification_token(contact))
    assert link.startswith(settings.SITE_URL + "/")
    path = link.removeprefix(settings.SITE_URL)
    assert Client().get(path).status_code == 200  # opening it shows the button
    assert Contact.objects.get(pk=contact.pk).email_verified_at is None
    Client().post(path)
    assert Contact.objects.get(pk=contact.pk).email_verified_at is not None


def test_a_purpose_no_surface_registered_is_refused() -> None:
    with pytest.raises(LookupError, match="reset_password"):
        links.absolute("reset_password", "token")


def test_a_registered_builder_makes_the_path_and_a_new_one_replaces_it(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(links, "_BUILDERS", dict(links._BUILDERS))
    settings.SITE_URL = "https://homeward.example"
    links.register("receipt", lambda value: f"/receipts/{value}/")
    assert links.absolute("receipt", "42") == "https://homeward.example/receipts/42/"
    links.register("receipt", lambda value: f"/wallet/receipts/{value}/")
    assert links.absolute("receipt", "42") == "https://homeward.example/wallet/receipts/42/"
