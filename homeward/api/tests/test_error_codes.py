"""The spec lists every error code each operation can answer, read from the code itself.

For each operation, ``raised.raised_by`` follows its handler through every service it calls
and collects the DomainErrors they can raise. The spec must list each of those codes under
the code's one status, and must not list a code the operation cannot answer. Every code is
raised with the status ``errors.STATUS`` gives it.
"""

from __future__ import annotations

from typing import Any

import pytest

from homeward.api import errors
from homeward.api.api import api
from homeward.api.tests.raised import Raised, raised_by

SPEC = api.get_openapi_schema(path_prefix="/api/v1/")
HANDLERS = api.handlers_by_operation_id()
OPERATIONS: dict[str, dict[str, Any]] = {
    details["operationId"]: details
    for methods in SPEC["paths"].values()
    for details in methods.values()
}

# Errors that guard our own code's invariants: no request can cause them, only a bug.
INTERNAL_SITES = {
    "homeward.ledger.services._check": "the ledger checks the postings our code builds "
    "(balanced, whole cents, one currency)",
    "homeward.ledger.services.post": "key_required when our code forgets a key; "
    "insufficient_funds, which each caller a person can cause (charges, stamps) answers "
    "with its own 402 and sentence, and which a deposit or refund cannot meet",
    "homeward.ledger.pricing.registry.model_named": "a stored pricing model that no code "
    "knows: a deployment error",
}
# Codes the walk finds that an operation cannot answer, and why.
NOT_REACHABLE = {
    ("tokens_create", "kiosk_locked"): "a kiosk device's rule: an app signs in as a contact",
    ("wallet_deposit", "connection_not_active"): "payments.start checks a connection only "
    "for money to a trust account; a wallet deposit names none",
}
# A connection that closes returns (and refunds) what is on its way, through the hook
# messaging registers: the refund posts under keys of its own, against the schedule the
# message was charged under, so neither refusal can reach the person who closed it.
NOT_REACHABLE.update(
    {
        (operation, code): "returning a message when a connection closes"
        for operation in (
            "connections_request",
            "connections_accept",
            "connections_decline",
            "connections_block",
            "connections_withdraw",
        )
        for code in ("no_price_schedule", "idempotency_key_reused")
    }
)
# Requests that email an address are counted by rules whose refusal is too_many_attempts;
# a password typed to prove who asks is counted as a sign-in to a contact's account.
NOT_REACHABLE.update(
    {
        ("password_reset", "locked_out"): "it counts emails to an address, not passwords",
        ("password_reset", "kiosk_locked"): "a kiosk device's rule",
        ("account_create", "locked_out"): "it counts emails to an address, not passwords",
        ("account_create", "kiosk_locked"): "a kiosk device's rule",
        ("account_verification", "locked_out"): "it counts emails to an address, not passwords",
        ("account_verification", "kiosk_locked"): "a kiosk device's rule",
        **{
            (operation, "kiosk_locked"): "a kiosk device's rule: the password is a contact's"
            for operation in ("account_password", "account_email", "account_close")
        },
    }
)
NOT_REACHABLE.update(
    {
        ("account_close", "no_price_schedule"): "returning a message when a connection closes",
        ("account_close", "idempotency_key_reused"): "the wallets' refunds are keyed by the "
        "account and the facility, once each; the returned messages' as above",
        ("account_close", "illegal_transition"): "only open connections are ended, and only "
        "messages on their way returned, each a move the tables allow",
    }
)
# Places that raise a code with another status than the table's. The API answers the
# table's; each of these is for the owner of that module to change, and the entry to go.
KNOWN_OTHER_STATUS: dict[tuple[str, int, str], str] = {}


def _raised(operation_id: str) -> set[Raised]:
    return {
        found
        for found in raised_by(HANDLERS[operation_id])
        if found.where.rsplit(":", 1)[0] not in INTERNAL_SITES
    }


def _listed(details: dict[str, Any]) -> dict[str, int]:
    """Each code the spec lists for an operation, with the status it is listed under."""
    return {
        code: int(status)
        for status, response in details["responses"].items()
        for code in response.get("x-error-codes", ())
    }


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_spec_lists_every_code_the_handler_can_raise(operation_id):
    raised = _raised(operation_id)
    unnamed = sorted(found.where for found in raised if found.code is None)
    assert not unnamed, f"a code not written in the source; add it to DYNAMIC_CODES: {unnamed}"
    codes = {found.code for found in raised} - {
        code for (op, code) in NOT_REACHABLE if op == operation_id
    }
    listed = _listed(OPERATIONS[operation_id])
    missing = sorted(codes - set(listed))
    assert not missing, (
        f"{operation_id} can raise {missing}: add them to its route's can_answer(...)"
    )
    declared = set(errors.declared_codes(HANDLERS[operation_id]))
    unused = sorted(declared - codes)
    assert not unused, f"{operation_id} declares {unused}, which nothing it calls raises"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_each_code_is_listed_under_its_one_status(operation_id):
    for code, status in _listed(OPERATIONS[operation_id]).items():
        assert errors.STATUS[code] == status, (operation_id, code)
        examples = OPERATIONS[operation_id]["responses"][status]["content"]["application/json"]
        assert examples["examples"][code]["value"]["error"]["code"] == code


def test_every_code_is_raised_with_the_status_of_the_table():
    seen_other = set()
    for operation_id in OPERATIONS:
        for found in _raised(operation_id):
            if found.code is None:
                continue
            site = (found.code, found.status, found.where.rsplit(":", 1)[0])
            if site in KNOWN_OTHER_STATUS:
                seen_other.add(site)
                continue
            assert found.code in errors.STATUS, f"{found.code} ({found.where}) is not in STATUS"
            assert errors.STATUS[found.code] == found.status, found
    # An entry whose module now raises the table's status must go.
    assert seen_other == set(KNOWN_OTHER_STATUS)


def test_the_walk_finds_codes_through_services_methods_and_providers():
    """The walk itself: through a service (messaging), a method of a returned object
    (payments.Started), a provider chosen at run time (the sandbox) and a hook."""
    send = {found.code for found in raised_by(HANDLERS["messages_send"])}
    assert {"message_empty", "insufficient_funds", "idempotency_key_reused"} <= send
    deposit = {found.code for found in raised_by(HANDLERS["wallet_deposit"])}
    assert {"card_declined", "card_not_accepted", "total_changed", "provider_error"} <= deposit
    # Through a hook's receivers: messaging and the ledger refuse closing an account.
    close = {found.code for found in raised_by(HANDLERS["account_close"])}
    assert {"messages_in_review", "payment_pending"} <= close
    sign_in = {found.code for found in raised_by(HANDLERS["tokens_create"])}
    assert {"invalid_credentials", "locked_out", "too_many_attempts"} <= sign_in
