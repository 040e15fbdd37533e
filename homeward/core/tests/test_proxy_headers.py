"""Behind a reverse proxy (PROXY_HEADERS=1) the sign-in throttle counts the client's address
the proxy reports; without one, a client cannot pick the address it is counted under."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward import builders as t
from homeward.people import throttle

PROXY = "10.0.0.2"  # every request reaches the server from the proxy's address
PROXIED = ["homeward.core.middleware.ProxyAddressMiddleware"]


def signin(email: str, password: str, forwarded: str):
    return Client().post(
        "/signin/",
        {"email": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def spray(forwarded: str) -> None:
    """One common password on many accounts, five tries each, until the address is full."""
    for n in range(throttle.ADDRESS.limit):
        assert signin(f"victim{n // 5}@example.org", "Summer2026!", forwarded).status_code == 400


@pytest.fixture
def behind_proxy(settings):
    settings.MIDDLEWARE = PROXIED + settings.MIDDLEWARE


def test_behind_a_proxy_one_noisy_client_does_not_refuse_the_others(world, behind_proxy):
    # The sprayer writes a false first hop; the proxy appends the address it saw.
    spray("192.0.2.1, 203.0.113.9")
    assert signin("b@example.org", t.PASSWORD, "203.0.113.9").status_code == 429
    # Another family behind the same proxy signs in as usual.
    assert signin("b@example.org", t.PASSWORD, "198.51.100.20").status_code == 302


def test_without_a_proxy_a_client_cannot_choose_its_address(world):
    for n in range(throttle.ADDRESS.limit):
        forged = f"203.0.113.{n}"  # a new address claimed on every try
        assert signin(f"victim{n // 5}@example.org", "Summer2026!", forged).status_code == 400
    assert signin("b@example.org", t.PASSWORD, "198.51.100.20").status_code == 429


def test_proxy_headers_are_off_unless_the_setting_turns_them_on(settings):
    from homeward import settings as project_settings

    assert project_settings.PROXY_HEADERS is False
    assert PROXIED[0] not in project_settings.MIDDLEWARE
    assert not hasattr(project_settings, "SECURE_PROXY_SSL_HEADER")


def test_behind_two_proxies_the_client_is_the_address_the_outer_one_saw(world, settings):
    settings.MIDDLEWARE = PROXIED + settings.MIDDLEWARE
    settings.PROXY_COUNT = 2  # a CDN, then a load balancer
    # The CDN appends the sprayer's address, the load balancer appends the CDN's edge.
    spray("192.0.2.1, 203.0.113.9, 172.16.0.5")
    assert signin("b@example.org", t.PASSWORD, "203.0.113.9, 172.16.0.5").status_code == 429
    # Everyone else comes through the same CDN edge and is not refused with the sprayer.
    assert signin("b@example.org", t.PASSWORD, "198.51.100.20, 172.16.0.5").status_code == 302
