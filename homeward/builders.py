"""Builders for tests and demo data: small functions that make a valid object in one call."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.hashers import make_password

from homeward.connections.models import Connection, ConnectionEvent
from homeward.core import clock
from homeward.facilities.models import Agency, Facility, FacilityPolicy, HousingUnit
from homeward.ledger.models import Account, Payment, PriceSchedule
from homeward.people import notices
from homeward.people.models import Contact, Resident, StaffMembership, User

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"
PIN = "2468"


def hashed(secret: str) -> str:
    """``secret`` hashed with the hashers in force, once per process for each secret: the
    people these builders make share a few well-known secrets, and the real hasher takes
    half a second a hash (the demo's 30 accounts took 14 s). Not for real accounts: the
    same secret gets the same salt."""
    return _hashed(secret, tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _hashed(secret: str, hashers: tuple[str, ...]) -> str:
    return make_password(secret)


def make_agency(code: str = "", **fields: Any) -> Agency:
    code = code or f"agency-{next(_seq)}"
    fields.setdefault("name", f"{code.title()} Department of Corrections")
    fields.setdefault("state", "NY")
    return Agency.objects.create(code=code, **fields)


def make_facility(
    code: str = "",
    *,
    agency: Agency | None = None,
    policy: dict[str, Any] | None = None,
    prices: dict[str, Any] | None = None,
    **fields: Any,
) -> Facility:
    agency = agency or make_agency()
    code = code or f"facility-{next(_seq)}"
    fields.setdefault("name", f"{code.replace('-', ' ').title()} Correctional Facility")
    fields.setdefault("type", Facility.Type.PRISON)
    fields.setdefault("state", agency.state)
    fields.setdefault("city", "Albany")
    fields.setdefault("address", "1 Main Street")
    fields.setdefault("services", ["messaging"])
    facility = Facility.objects.create(agency=agency, code=code, **fields)
    policy = {"kiosk_hours": ["00:00", "23:59"], **(policy or {})}  # tests run at any hour
    FacilityPolicy.objects.create(facility=facility, **policy)
    HousingUnit.objects.create(facility=facility, name="A Block")
    set_prices(facility, **(prices or {"model": PriceSchedule.Model.FREE}))
    return facility


def set_prices(facility: Facility, **fields: Any) -> PriceSchedule:
    """A price schedule in force from a year ago (later ones take over from their date)."""
    fields.setdefault("effective_from", clock.now() - dt.timedelta(days=365))
    fields.setdefault("model", PriceSchedule.Model.STAMPS)
    return PriceSchedule.objects.create(facility=facility, created_at=clock.now(), **fields)


def make_resident(
    facility: Facility, number: str = "", *, pin: str = PIN, **fields: Any
) -> Resident:
    fields.setdefault("first_name", "Sam")
    fields.setdefault("last_name", f"Rivera{next(_seq)}")
    resident = Resident(
        agency=facility.agency,
        facility=facility,
        housing_unit=facility.units.first(),
        number=number or f"R{next(_seq):05d}",
        **fields,
    )
    resident.pin_hash = hashed(pin)
    resident.save()
    return resident


def make_user(username: str, *, password: str = PASSWORD, **fields: Any) -> User:
    user = User.objects.create_user(username=username, **fields)
    user.password = hashed(password)
    user.save(update_fields=["password"])
    return user


def make_contact(
    email: str = "", *, name: str = "Alex Morgan", password: str = PASSWORD
) -> Contact:
    email = (email or f"contact{next(_seq)}@example.org").lower()
    user = make_user(email, email=email, password=password)
    return Contact.objects.create(
        user=user,
        display_name=name,
        notice_version=settings.MONITORING_NOTICE_VERSION,
        notice_accepted_at=clock.now(),
        email_verified_at=clock.now(),
    )


def make_staff(
    username: str,
    *,
    role: str,
    facility: Facility | None = None,
    agency: Agency | None = None,
    password: str = PASSWORD,
) -> User:
    user = make_user(username, password=password, email=f"{username}@staff.example.org")
    if agency is None:
        if facility is None:
            raise ValueError("A staff member works at a facility or for an agency.")
        agency = facility.agency
    StaffMembership.objects.create(user=user, agency=agency, facility=facility, role=role)
    return user


def enrol_staff(user: User) -> TOTPDevice:
    """A confirmed authenticator app for a staff member, as after enrolment (no recovery
    codes; tests of recovery codes enrol through the page)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from homeward.people.second_factor import APP_NAME, new_app

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or new_app(user=user, name=APP_NAME, confirmed=True)


def totp_code(user: User) -> str:
    """The code the staff member's app shows now. Each code works once, and tests sign in
    more often than every 30 seconds, so the app forgets the last code it accepted."""
    from homeward.people.second_factor import current_code

    device = enrol_staff(user)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return current_code(device)


def accept_staff_notice(user: User) -> None:
    from homeward.console.models import StaffNoticeAcceptance

    StaffNoticeAcceptance.objects.get_or_create(
        user=user,
        version=settings.STAFF_MONITORING_NOTICE_VERSION,
        defaults={"accepted_at": clock.now()},
    )


def pass_staff_signin_steps(client: Any, user: User) -> None:
    """Mark a test client's session as a staff sign-in that has passed every step after the
    password: the password typed now, an app confirmed and its code typed (django-otp's
    session key), the notice accepted."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from homeward.console.access import PASSWORD_AT_KEY

    device = enrol_staff(user)
    accept_staff_notice(user)
    session = client.session
    session[PASSWORD_AT_KEY] = clock.now().isoformat()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def connect(contact: Contact, resident: Resident) -> Connection:
    """An active connection, as if both sides and staff had agreed."""
    now = clock.now()
    connection = Connection.objects.create(
        contact=contact,
        resident=resident,
        facility=resident.facility,
        status=Connection.Status.ACTIVE,
        initiated_by=Connection.Side.CONTACT,
        created_at=now,
        updated_at=now,
    )
    ConnectionEvent.objects.create(
        connection=connection, to_status="active", actor_label="setup", at=now
    )
    accept_agency_notice(contact, resident.agency)
    return connection


def accept_agency_notice(contact: Contact, agency: Agency) -> None:
    """``contact`` accepted the notice in force at ``agency``, as the compose form asks."""
    notices.accept(contact=contact, agency=agency, version=notices.current(agency).version)


def fund_trust(resident: Resident, cents: int) -> Account:
    """Money in the resident's trust account, posted straight to the ledger (from payment
    clearing, as a paid trust deposit would be); the account is returned."""
    from homeward.ledger import charges
    from homeward.ledger import services as ledger

    trust = charges.trust(resident)
    clearing = ledger.account_for(kind=Account.Kind.PAYMENT_CLEARING)
    ledger.post(
        key=f"builder-trust-{next(_seq)}",
        kind="trust_deposit",
        postings=[(clearing, -cents), (trust, cents)],
    )
    return trust


def pay_in(
    contact: Contact, facility: Facility, cents: int, *, connection: Connection | None = None
) -> Payment:
    """A paid sandbox deposit: into the contact's wallet at ``facility``, or into the
    trust account of the resident on ``connection``."""
    from homeward.ledger import payments
    from homeward.ledger.providers import sandbox

    payment = payments.start(
        contact=contact,
        facility=facility,
        amount=cents,
        key=f"builder-{next(_seq)}",
        card=sandbox.SUCCEEDS,
        connection_id=connection.pk if connection else None,
    ).payment
    assert payment.status == Payment.Status.SUCCEEDED, payment.failure_reason
    return payment


def new_export_key() -> str:
    """A fresh Ed25519 private key in PEM, as ``EXPORT_SIGNING_KEY`` takes it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def suspend(
    staff: User,
    facility: Facility,
    subject: Any,
    *,
    ends_at: dt.datetime,
    starts_at: dt.datetime | None = None,
    reason: str = "Threats",
) -> Any:
    """A suspension of ``subject`` (a contact, a resident or a connection) at ``facility``,
    imposed by ``staff`` through the service, until ``ends_at``."""
    from homeward.enforcement import restrictions

    return restrictions.impose(
        staff=staff,
        facility=facility,
        subject=subject,
        kind="suspension",
        reason=reason,
        ends_at=ends_at,
        starts_at=starts_at,
    )
