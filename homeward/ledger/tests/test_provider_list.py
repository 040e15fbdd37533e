"""One list of payment providers (ledger/providers.NAMES): the setting, the webhook
addresses and the provider look-up all read it."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client

from homeward.ledger import providers
from homeward.personas import settings_read_with


@pytest.mark.parametrize("name", providers.NAMES)
def test_every_listed_provider_is_found_under_its_name(name):
    assert providers.get(name).name == name


def test_a_provider_not_on_the_list_is_not_found(db):
    with pytest.raises(KeyError):
        providers.get("paypal")
    response = Client().post("/payments/webhooks/paypal/", b"{}", content_type="application/json")
    assert response.status_code == 404


def start_with(provider: str) -> subprocess.CompletedProcess[str]:
    return settings_read_with(
        "settings.PAYMENT_PROVIDER",
        PAYMENT_PROVIDER=provider,
        STRIPE_SECRET_KEY="sk",
        STRIPE_WEBHOOK_SECRET="wh",
    )


def test_the_setting_takes_a_listed_provider_and_refuses_another():
    for name in providers.NAMES:
        started = start_with(name)
        assert started.returncode == 0 and started.stdout.strip() == name
    refused = start_with("paypal")
    assert refused.returncode != 0
    assert "PAYMENT_PROVIDER must be one of sandbox, stripe; got 'paypal'" in refused.stderr
