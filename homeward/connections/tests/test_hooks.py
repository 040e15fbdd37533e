"""Connections' receiver of ``people.account.email_verified``: invitations a resident sent
to an address become the contact's once they prove the address is theirs, and not before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from homeward import builders as t
from homeward.connections import services
from homeward.connections.models import Connection
from homeward.facilities.models import Facility
from homeward.people import account
from homeward.people import services as people
from homeward.people.models import Contact

if TYPE_CHECKING:
    from homeward.personas import World

C = Connection.Status
EMAIL = "New.Person@Example.org"


def invites_only(facility: Facility) -> None:
    facility.policy.connection_policy = "resident_invites"
    facility.policy.save()


def sign_up(email: str = EMAIL) -> Contact:
    return people.create_contact(
        email=email,
        password=t.PASSWORD,
        display_name="New Person",
        accepted_notice_version=settings.MONITORING_NOTICE_VERSION,
    )


def test_connections_listens_for_verified_emails() -> None:
    assert services.claim_invitations_of in account.email_verified.receivers


def test_an_invitation_becomes_the_contacts_when_they_confirm_the_address(world: World) -> None:
    invites_only(world.facility_2)
    invitation = services.invite_contact(resident=world.resident_2, email=EMAIL)
    newcomer = sign_up()
    invitation.refresh_from_db()
    assert invitation.contact is None  # an address typed at sign-up proves nothing yet
    assert services.claim_invitations(contact=newcomer) == 0
    people.verify_email(token=people.verification_token(newcomer))
    invitation.refresh_from_db()
    assert invitation.contact == newcomer and invitation.status == C.INVITED
    accepted = services.respond_to_invitation(
        contact=newcomer, connection_id=invitation.pk, accept=True
    )
    assert accepted.status == C.ACTIVE


def test_every_invitation_to_the_address_is_claimed_and_no_other(world: World) -> None:
    invites_only(world.facility_1)
    invites_only(world.facility_2)
    mine = [
        services.invite_contact(resident=world.resident, email=EMAIL),
        services.invite_contact(resident=world.resident_2, email=EMAIL.upper()),
    ]
    someone_else = services.invite_contact(resident=world.resident_2, email="other@example.org")
    newcomer = sign_up()
    people.verify_email(token=people.verification_token(newcomer))
    assert {c.pk for c in Connection.objects.filter(contact=newcomer)} == {c.pk for c in mine}
    someone_else.refresh_from_db()
    assert someone_else.contact is None


def test_following_the_link_twice_claims_once(world: World) -> None:
    invites_only(world.facility_2)
    services.invite_contact(resident=world.resident_2, email=EMAIL)
    newcomer = sign_up()
    token = people.verification_token(newcomer)
    people.verify_email(token=token)
    verified_at = Contact.objects.get(pk=newcomer.pk).email_verified_at
    people.verify_email(token=token)
    assert Contact.objects.get(pk=newcomer.pk).email_verified_at == verified_at
    assert Connection.objects.filter(contact=newcomer).count() == 1


def test_an_invitation_from_someone_they_already_write_to_is_left_alone(world: World) -> None:
    newcomer = sign_up()
    services.request_connection(
        contact=newcomer, facility=world.facility_2, number=world.resident_2.number
    )
    invites_only(world.facility_2)
    invitation = services.invite_contact(resident=world.resident_2, email=EMAIL)
    people.verify_email(token=people.verification_token(newcomer))
    invitation.refresh_from_db()
    assert invitation.contact is None
    assert Connection.objects.filter(contact=newcomer, resident=world.resident_2).count() == 1
