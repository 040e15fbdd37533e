"""Releasing a resident from the console: a facility or agency admin presses Release on the
resident's page; messages on their way are returned and refunded, the trust account is paid
out, and a contact with no one else to write to gets their wallet back on their card. The
page says what happened. Anyone else is refused and the resident stays in custody."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from homeward import builders as t
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.ledger.models import Payout
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident, StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role
CARD = "4242424242424242"


@pytest.fixture
def money(world, run_jobs):
    """Ana has $10 in her wallet at Greenhaven and sent $5 to Maria's trust account; her
    40¢ message to Maria is waiting for review."""
    t.set_prices(world.facility_1, stamp_cents=40)
    connection = world.contact_a.connections.get()
    payments.start(
        contact=world.contact_a, facility=world.facility_1, amount=1000, key="wallet", card=CARD
    )
    payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=500,
        key="trust",
        card=CARD,
        connection_id=connection.pk,
    )
    world.message = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="See you Sunday"
    ).message
    run_jobs()
    world.message.refresh_from_db()
    assert world.message.status == Message.Status.IN_REVIEW
    return world


def url(world) -> str:
    return f"/console/residents/{world.resident.pk}/release/"


def page_of(world) -> str:
    return f"/console/residents/{world.resident.pk}/"


def wallet(world) -> int:
    return ledger.balance_of(
        kind="contact_wallet", contact=world.contact_a, facility=world.facility_1
    )


def trust(world) -> int:
    return ledger.balance_of(kind="trust", resident=world.resident)


def state(world) -> tuple:
    return (
        Resident.objects.get(pk=world.resident.pk).status,
        Message.objects.get(pk=world.message.pk).status,
        wallet(world),
        trust(world),
        Payout.objects.count(),
    )


def test_an_admin_releases_a_resident_and_every_account_is_settled(money, run_jobs):
    admin = client_for(money.facility_admin)
    assert state(money) == ("in_custody", "in_review", 960, 500, 0)
    response = admin.post(url(money))
    # The answer is the release's page itself, with the archive code shown this once.
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Maria Lopez is released; messaging is closed." in html
    assert re.search(r"<strong>[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}</strong>", html)
    assert "1 message on the way was returned and refunded." in html
    assert "The trust account ($5.00) is paid out to Maria." in html
    assert "$10.00 in the wallets of 1 contact with no one else to write to here" in html
    assert state(money) == ("released", "returned", 0, 0, 1)
    payout = Payout.objects.get()
    assert (payout.amount_cents, payout.status) == (1000, Payout.Status.PENDING)
    assert payout.payment.key == "wallet"
    run_jobs()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.SENT
    # Released: the page shows no Release button any more, and the trust account is empty.
    html = admin.get(page_of(money)).content.decode()
    assert "Release Maria Lopez" not in html and "Released" in html
    assert ledger.problems() == []


def test_the_resident_page_shows_the_trust_balance_and_the_release_form_to_admins(money):
    html = client_for(money.facility_admin).get(page_of(money)).content.decode()
    assert "Trust account</dt><dd>$5.00" in html
    assert f'action="{url(money)}"' in html and "cannot be undone" in html
    for staff in (money.reviewer_1, money.investigator):
        html = client_for(staff).get(page_of(money)).content.decode()
        assert "Trust account</dt><dd>$5.00" in html
        assert f'action="{url(money)}"' not in html


def test_an_agency_admin_may_release(money):
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=money.facility_1.agency
    )
    assert client_for(agency_admin).post(url(money)).status_code == 200
    assert state(money)[0] == "released"


def test_releasing_twice_says_so_and_changes_nothing(money):
    admin = client_for(money.facility_admin)
    admin.post(url(money))
    after = state(money)
    response = admin.post(url(money), follow=True)
    assert "Maria Lopez is already released." in response.content.decode()
    assert state(money) == after


def test_a_release_with_nothing_to_settle_says_so(world):
    admin = client_for(world.facility_admin)
    response = admin.post(url(world), follow=True)
    html = response.content.decode()
    assert "No messages were on the way." in html and "The trust account was empty." in html
    assert not Payout.objects.exists()


def test_names_in_the_message_are_escaped(world):
    world.resident.first_name = "<b>Maria</b>"
    world.resident.save()
    response = client_for(world.facility_admin).post(url(world), follow=True)
    html = response.content.decode()
    assert "&lt;b&gt;Maria&lt;/b&gt; Lopez is released" in html
    assert "<b>Maria</b>" not in html


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "contact_a"])
def test_staff_without_an_admin_role_and_contacts_are_refused(money, persona):
    person = getattr(money, persona)
    before = state(money)
    response = client_for(getattr(person, "user", person)).post(url(money))
    assert response.status_code == 403
    assert state(money) == before


@pytest.mark.parametrize("persona", ["reviewer_2", "admin_of_facility_2"])
def test_staff_of_another_facility_get_not_found(money, persona):
    if persona == "admin_of_facility_2":
        user = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=money.facility_2)
    else:
        user = money.reviewer_2
    before = state(money)
    assert client_for(user).post(url(money)).status_code == 404
    assert state(money) == before


def test_signed_out_visitors_are_sent_to_sign_in_and_a_get_changes_nothing(money):
    before = state(money)
    response = Client().post(url(money))
    assert response.status_code == 302 and "/console/signin/" in response["Location"]
    assert client_for(money.facility_admin).get(url(money)).status_code == 405
    assert state(money) == before
