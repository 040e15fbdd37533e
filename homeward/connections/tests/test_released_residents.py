"""A released resident's connections: nothing that would start messaging again is
accepted, from the contact, the resident or staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from homeward.connections import services
from homeward.connections.models import Connection
from homeward.core.errors import Conflict
from homeward.people.models import Resident
from homeward.roster.services import release_resident

if TYPE_CHECKING:
    from homeward.personas import World

C = Connection.Status


def released(world: World, resident: Resident) -> Resident:
    release_resident(staff=world.facility_admin, resident_id=resident.pk)
    return Resident.objects.get(pk=resident.pk)  # as each request loads the resident anew


def test_an_invitation_cannot_be_accepted_or_sent_after_release(world: World) -> None:
    world.facility_1.policy.connection_policy = "resident_invites"
    world.facility_1.policy.save()
    invitation = services.invite_contact(resident=world.resident, email="b@example.org")
    resident = released(world, world.resident)
    with pytest.raises(Conflict) as err:
        services.respond_to_invitation(
            contact=world.contact_b, connection_id=invitation.pk, accept=True
        )
    assert err.value.code == "resident_released"
    assert Connection.objects.get(pk=invitation.pk).status == C.INVITED
    with pytest.raises(Conflict) as err:
        services.invite_contact(resident=resident, email="someone@example.org")
    assert err.value.code == "resident_released"
    assert not Connection.objects.filter(invite_email="someone@example.org").exists()


def test_staff_cannot_approve_a_connection_after_release(world: World) -> None:
    world.facility_1.policy.staff_approval = True
    world.facility_1.policy.save()
    services.request_connection(
        contact=world.contact_b, facility=world.facility_1, number=world.resident.number
    )
    waiting = Connection.objects.get(contact=world.contact_b, resident=world.resident)
    services.respond_to_request(resident=world.resident, connection_id=waiting.pk, accept=True)
    assert Connection.objects.get(pk=waiting.pk).status == C.PENDING_STAFF
    released(world, world.resident)
    with pytest.raises(Conflict) as err:
        services.staff_decide(staff=world.reviewer_1, connection_id=waiting.pk, approve=True)
    assert err.value.code == "resident_released"
    assert Connection.objects.get(pk=waiting.pk).status == C.PENDING_STAFF
