"""A person released and booked again at the same facility: back under their number, with
their history and the connections they had, no old PIN, no archive code; and released
again, every cent of the second stay is settled too (its own keys, never taken for a
repeat of the first release's)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command

from homeward import builders as t
from homeward.core.errors import DomainError
from homeward.core.models import AuditEvent
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction
from homeward.messaging import archive_codes
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident, StaffMembership
from homeward.roster import bookings
from homeward.roster.services import release_resident

MARIA = bookings.Booking(0, "NY1001", "Maria", "Lopez", "B-2")


def test_booked_again_she_writes_with_her_contacts_and_a_second_release_settles_again(
    world, run_jobs
):
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, chars_per_stamp=2000)
    maria, link = world.resident, world.contact_a.connections.get(resident=world.resident)
    t.pay_in(world.contact_a, world.facility_1, 500)
    t.pay_in(world.contact_a, world.facility_1, 300, connection=link)
    first = release_resident(staff=world.facility_admin, resident_id=maria.pk)
    assert (first.refunded_to_cards, first.trust_paid_out) == (500, 300)

    done = bookings.book(staff=world.facility_admin, facility=world.facility_1, bookings=[MARIA])
    assert [r.pk for r in done.again] == [maria.pk] and not done.booked and not done.not_booked
    maria.refresh_from_db()
    assert maria.in_custody and maria.stays == 2 and maria.housing_unit.name == "B-2"
    assert not check_password(t.PIN, maria.pin_hash)  # an admin gives a new PIN
    event = AuditEvent.objects.get(action="resident.booked_again")
    assert event.actor_user == world.facility_admin and event.data == {"stay": 2}
    with pytest.raises(DomainError) as refused:  # the archive is for the released
        archive_codes.redeem(
            facility_code="greenhaven", number="NY1001", code=first.archive.code, address=None
        )
    assert refused.value.code == "archive_code_wrong"

    # Ana writes again on the connection she had; money goes in again.
    t.pay_in(world.contact_a, world.facility_1, 500)
    t.pay_in(world.contact_a, world.facility_1, 200, connection=link)
    sent = messaging.send_message(sender=world.contact_a, connection_id=link.pk, body="Welcome")
    assert sent.message.status == Message.Status.SUBMITTED

    second = release_resident(staff=world.facility_admin, resident_id=maria.pk)
    # Her letter on its way came back (40¢ to the wallet), then the wallet and trust left.
    assert (second.messages_returned, second.refunded_to_cards, second.trust_paid_out) == (
        1,
        500,
        200,
    )
    assert ledger.balance_of(kind=Account.Kind.TRUST, resident=maria) == 0
    keys = set(
        Transaction.objects.filter(kind=Transaction.Kind.RELEASE).values_list(
            "idempotency_key", flat=True
        )
    )
    assert {f"release:{maria.pk}:trust", f"release:{maria.pk}.2:trust"} <= keys
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger is sound" in out.getvalue()


def test_connections_ended_or_blocked_before_the_release_stay_so(world):
    link = world.contact_a.connections.get(resident=world.resident)
    link.status = link.Status.BLOCKED
    link.save(update_fields=["status"])
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    bookings.book(staff=world.facility_admin, facility=world.facility_1, bookings=[MARIA])
    link.refresh_from_db()
    assert link.status == link.Status.BLOCKED
    assert Resident.objects.get(pk=world.resident.pk).in_custody
    with pytest.raises(DomainError) as refused:
        messaging.send_message(sender=world.contact_a, connection_id=link.pk, body="Hi")
    assert refused.value.code == "connection_blocked"


def test_released_elsewhere_is_a_transfer_and_not_booked_here(world):
    auburn = t.make_facility("auburn", agency=world.facility_1.agency, name="Auburn Correctional")
    admin = t.make_staff("auburnadmin", role=StaffMembership.Role.FACILITY_ADMIN, facility=auburn)
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    done = bookings.book(staff=admin, facility=auburn, bookings=[MARIA])
    assert not done.again and not done.booked
    assert done.not_booked == [
        "NY1001 (Maria Lopez) was released from Greenhaven Correctional; booking them at "
        "another facility is a transfer, which is not offered yet."
    ]
    maria = Resident.objects.get(pk=world.resident.pk)
    assert not maria.in_custody and maria.facility == world.facility_1 and maria.stays == 1
