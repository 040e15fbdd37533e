"""Connection policies: who may connect, who must agree, and what ends it."""

from __future__ import annotations

import datetime as dt

import pytest

from homeward import builders as t
from homeward.connections import services
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.errors import DomainError

C = Connection.Status


def set_policy(facility, **fields):
    for name, value in fields.items():
        setattr(facility.policy, name, value)
    facility.policy.save()


def test_contact_request_waits_for_the_resident_then_staff(world):
    set_policy(world.facility_1, staff_approval=True)
    connection, created = services.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="ny1001"
    )
    assert connection.status == C.REQUESTED and created
    connection = services.respond_to_request(
        resident=world.resident, connection_id=connection.pk, accept=True
    )
    assert connection.status == C.PENDING_STAFF
    with pytest.raises(DomainError) as err:  # a reviewer of another facility cannot see it
        services.staff_decide(staff=world.reviewer_2, connection_id=connection.pk, approve=True)
    assert err.value.status == 404
    connection = services.staff_decide(
        staff=world.reviewer_1, connection_id=connection.pk, approve=True
    )
    assert connection.status == C.ACTIVE
    assert [e.to_status for e in connection.events.all()] == [
        C.REQUESTED,
        C.PENDING_STAFF,
        C.ACTIVE,
    ]


def test_open_facility_connects_at_once_and_repeat_request_is_harmless(world):
    set_policy(world.facility_2, connection_policy="open")
    first = services.request_connection(
        contact=world.contact_b, facility=world.facility_2, number="TX2002"
    )
    again = services.request_connection(
        contact=world.contact_b, facility=world.facility_2, number="TX2002"
    )
    assert first.connection.status == C.ACTIVE and first.created
    assert again.connection.pk == first.connection.pk and not again.created
    assert Connection.objects.filter(contact=world.contact_b).count() == 1
    assert first.connection.events.count() == again.connection.events.count()


def test_asking_again_after_a_decline_is_a_new_request(world):
    asked = services.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="NY1001"
    )
    services.respond_to_request(
        resident=world.resident, connection_id=asked.connection.pk, accept=False
    )
    again = services.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="NY1001"
    )
    assert again.created and again.connection.pk == asked.connection.pk
    assert again.connection.status == C.REQUESTED
    repeat = services.request_connection(
        contact=world.contact_b, facility=world.facility_1, number="NY1001"
    )
    assert not repeat.created and repeat.connection.status == C.REQUESTED


@pytest.mark.parametrize(
    ("number", "code"),
    [("NOPE", "resident_not_found"), ("TX2002", "resident_not_found")],  # other facility
)
def test_unknown_resident_or_resident_elsewhere_is_not_found(world, number, code):
    with pytest.raises(DomainError) as err:
        services.request_connection(
            contact=world.contact_b, facility=world.facility_1, number=number
        )
    assert err.value.code == code
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_released_resident_and_invite_only_facility_refuse_requests(world):
    world.resident.status = "released"
    world.resident.save()
    with pytest.raises(DomainError) as err:
        services.request_connection(
            contact=world.contact_b, facility=world.facility_1, number="NY1001"
        )
    assert err.value.code == "resident_released"
    set_policy(world.facility_2, connection_policy="resident_invites")
    with pytest.raises(DomainError) as err:
        services.request_connection(
            contact=world.contact_b, facility=world.facility_2, number="TX2002"
        )
    assert err.value.code == "invite_only"
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_invitation_before_sign_up_is_claimed_and_accepted(world):
    set_policy(world.facility_2, connection_policy="resident_invites")
    invitation = services.invite_contact(resident=world.resident_2, email="New.Person@Example.org")
    assert invitation.contact is None and invitation.status == C.INVITED
    newcomer = t.make_contact("new.person@example.org")
    assert services.claim_invitations(contact=newcomer) == 1
    connection = services.respond_to_invitation(
        contact=newcomer, connection_id=invitation.pk, accept=True
    )
    assert connection.status == C.ACTIVE


def test_expired_invitation_cannot_be_accepted(world):
    set_policy(world.facility_2, connection_policy="resident_invites", invite_days=3)
    invitation = services.invite_contact(resident=world.resident_2, email="b@example.org")
    with clock.frozen_at(clock.now() + dt.timedelta(days=4)), pytest.raises(DomainError) as err:
        services.respond_to_invitation(
            contact=world.contact_b, connection_id=invitation.pk, accept=True
        )
    assert err.value.code == "invitation_expired"
    invitation.refresh_from_db()
    assert invitation.status == C.EXPIRED  # recorded, even though the answer was refused


def test_contact_cap_is_enforced(world):
    set_policy(world.facility_1, connection_policy="open", contact_cap=1)
    with pytest.raises(DomainError) as err:
        services.request_connection(
            contact=world.contact_b, facility=world.facility_1, number="NY1001"
        )
    assert err.value.code == "contact_cap_reached"
    assert not Connection.objects.filter(contact=world.contact_b).exists()


def test_blocked_contact_cannot_ask_again(world):
    connection = world.contact_a.connections.get()
    services.block(by=world.resident, connection_id=connection.pk)
    with pytest.raises(DomainError) as err:
        services.request_connection(
            contact=world.contact_a, facility=world.facility_1, number="NY1001"
        )
    assert err.value.code == "connection_closed"


def test_only_a_side_of_the_connection_may_block_it(world):
    connection = world.contact_a.connections.get()
    with pytest.raises(DomainError) as err:
        services.block(by=world.contact_b, connection_id=connection.pk)
    assert err.value.status == 404
    connection.refresh_from_db()
    assert connection.status == C.ACTIVE


def test_staff_end_needs_a_reason(world):
    connection = world.contact_a.connections.get()
    with pytest.raises(DomainError):
        services.staff_end(staff=world.reviewer_1, connection_id=connection.pk, reason=" ")
    services.staff_end(staff=world.reviewer_1, connection_id=connection.pk, reason="Court order")
    connection.refresh_from_db()
    assert connection.status == C.ENDED and connection.end_reason == "Court order"
