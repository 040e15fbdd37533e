"""Who is asking, for tests and journeys: signed-in browsers, kiosks and API clients (and
the deployment's settings as a fresh process reads them from its environment).

Importable helpers live here; ``conftest.py`` files hold only fixtures (which use these).
Each persona signs in as a real person would reach the pages: a staff member has also
passed the second factor and the monitoring notice, a kiosk is a registered device.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from email.message import Message as EmailMessage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

from homeward import builders as t
from homeward.api import services as api_services
from homeward.facilities.models import Facility
from homeward.kiosk.auth import DEVICE_COOKIE
from homeward.kiosk.services import register_device
from homeward.people.models import Contact, Resident, StaffMembership, User

Role = StaffMembership.Role


# --- the world: two facilities of two agencies, and who lives, writes and works there -----


@dataclass
class World:
    facility_1: Facility  # reviews everything and takes contact requests
    facility_2: Facility  # of another agency
    resident: Resident  # at facility 1
    resident_2: Resident  # at facility 2
    contact_a: Contact  # connected to resident
    contact_b: Contact  # connected to nobody
    reviewer_1: User
    reviewer_2: User
    investigator: User
    facility_admin: User


def make_world() -> World:
    agency_1 = t.make_agency("nydocs", name="New York Department of Corrections", state="NY")
    agency_2 = t.make_agency("txcounty", name="Travis County Sheriff", state="TX")
    facility_1 = t.make_facility("greenhaven", agency=agency_1, name="Greenhaven Correctional")
    facility_2 = t.make_facility(
        "travis-jail",
        agency=agency_2,
        name="Travis County Jail",
        state="TX",
        city="Austin",
        type=Facility.Type.JAIL,
        policy={"review_mode": "flagged"},
    )
    resident = t.make_resident(facility_1, "NY1001", first_name="Maria", last_name="Lopez")
    resident_2 = t.make_resident(facility_2, "TX2002", first_name="James", last_name="Reed")
    contact_a = t.make_contact("a@example.org", name="Ana Lopez")
    contact_b = t.make_contact("b@example.org", name="Ben Ortiz")
    t.connect(contact_a, resident)
    return World(
        facility_1=facility_1,
        facility_2=facility_2,
        resident=resident,
        resident_2=resident_2,
        contact_a=contact_a,
        contact_b=contact_b,
        reviewer_1=t.make_staff("rev1", role=Role.REVIEWER, facility=facility_1),
        reviewer_2=t.make_staff("rev2", role=Role.REVIEWER, facility=facility_2),
        investigator=t.make_staff("inv1", role=Role.INVESTIGATOR, facility=facility_1),
        facility_admin=t.make_staff("admin1", role=Role.FACILITY_ADMIN, facility=facility_1),
    )


# --- browsers ------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    """A browser signed in as ``user``. A staff member has also passed the steps after the
    password, as in a real sign-in: a confirmed authenticator app whose code was typed in
    this session, and the current monitoring notice accepted."""
    client = Client()
    client.force_login(user)
    if StaffMembership.objects.filter(user=user).exists():
        t.pass_staff_signin_steps(client, user)
    return client


def sign_in_staff(client: Client, user: User, *, password: str = t.PASSWORD, path: str = "") -> Any:
    """Sign in through the real pages: the password, a code from the staff member's app
    (given one first if they have none), the notice if not yet accepted. Returns the last
    response, after following the redirects, at ``path`` (the console's overview if empty)."""
    t.enrol_staff(user)
    signin = "/console/signin/" + (f"?next={path}" if path else "")
    response = client.post(signin, {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    response = client.get(response["Location"], follow=True)
    if response.redirect_chain and "/console/verify/" in response.redirect_chain[-1][0]:
        response = client.post(
            response.redirect_chain[-1][0], {"code": t.totp_code(user)}, follow=True
        )
    if response.redirect_chain and "/console/notice/" in response.redirect_chain[-1][0]:
        response = client.post(response.redirect_chain[-1][0], follow=True)
    return response


def sign_up(
    client: Client,
    email: str,
    *,
    name: str = "Rosa Diaz",
    password: str = t.PASSWORD,
    **extra: Any,
) -> Any:
    """Sign up through the page, accepting the monitoring notice in force; the response."""
    form = {
        "display_name": name,
        "email": email,
        "password": password,
        "accept_notice": "on",
        "notice_version": settings.MONITORING_NOTICE_VERSION,
    }
    return client.post("/signup/", form, **extra)


def browser_cookies(client: Client, url: str) -> list[dict[str, Any]]:
    """The cookies of a signed-in test ``client``, for a real browser opening ``url``
    (``context.add_cookies``): the browser is then signed in as the client is."""
    return [
        {"name": name, "value": morsel.value, "url": url} for name, morsel in client.cookies.items()
    ]


def kiosk_client_for(resident: Resident) -> Client:
    """A fresh browser that is a registered kiosk at the resident's facility, signed in."""
    membership = StaffMembership.objects.filter(
        role=Role.FACILITY_ADMIN, facility=resident.facility
    ).first()
    if membership is not None:
        admin = membership.user
    else:
        username = f"kiosk-admin-{uuid.uuid4().hex[:8]}"
        admin = t.make_staff(username, role=Role.FACILITY_ADMIN, facility=resident.facility)
    _, token = register_device(staff=admin, facility=resident.facility, name="Test kiosk")
    client = Client()
    client.cookies[DEVICE_COOKIE] = token
    response = client.post("/kiosk/signin/", {"number": resident.number, "pin": t.PIN})
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == "/kiosk/", response["Location"]
    return client


# --- kiosks --------------------------------------------------------------------------------


def device_client(facility: Facility, name: str = "Hall tablet") -> Client:
    """A fresh browser registered as a kiosk at ``facility``, nobody signed in."""
    username = f"kadmin-{facility.code}"
    admin = User.objects.filter(username=username).first() or t.make_staff(
        username, role=Role.FACILITY_ADMIN, facility=facility
    )
    _, token = register_device(staff=admin, facility=facility, name=name)
    client = Client()
    client.cookies[DEVICE_COOKIE] = token
    return client


def sign_in(client: Client, number: str, pin: str = t.PIN, **extra: Any):
    return client.post("/kiosk/signin/", {"number": number, "pin": pin}, **extra)


# --- the API -------------------------------------------------------------------------------


BASE = "/api/v1"


class ApiClient:
    """Django's test Client speaking JSON to /api/v1 with an optional bearer token."""

    def __init__(self, key: str = "") -> None:
        self.key = key
        self.client = Client(enforce_csrf_checks=True)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self._headers())

    def post(self, path: str, data: Any = None) -> Any:
        body = "" if data is None else json.dumps(data)
        return self.client.post(
            BASE + path, body, content_type="application/json", headers=self._headers()
        )

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(
            BASE + path, json.dumps(data), content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self._headers())

    def call(self, method: str, path: str, data: Any = None) -> Any:
        if method == "GET":
            return self.get(path)
        if method == "DELETE":
            return self.delete(path)
        if method == "PUT":
            return self.put(path, data)
        return self.post(path, data)


def key_for(contact: Contact) -> str:
    _, key = api_services.create_token(email=contact.user.email, password=t.PASSWORD)
    return key


def api_for(contact: Contact) -> ApiClient:
    return ApiClient(key_for(contact))


def error_of(response: Any) -> dict[str, str]:
    """The error object of a response, checking it has exactly the promised shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# --- the deployment: settings as a new process reads them from its environment ------------


def settings_read_with(expression: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Start a fresh process with this environment (``None`` removes a variable), load the
    settings and print ``expression`` (``settings`` is in scope). Settings are read once per
    process, so this is how a test sees what an operator's environment does."""
    environ = dict(os.environ, DJANGO_SETTINGS_MODULE="homeward.settings")
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(  # noqa: S603 (the tests' own code, with this interpreter)
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=environ,
        capture_output=True,
        text=True,
    )


# --- email: the test SMTP server (the ``smtp`` fixture) -----------------------------


class Inbox:
    """An SMTP server's mailbox: every message it accepted."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def emails_to(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [m for m in inbox.received if m["To"] == address]


def body_of(sent: EmailMessage) -> str:
    payload = sent.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def link_in(sent: EmailMessage, marker: str) -> str:
    """The path of the first link in an email whose path contains ``marker``."""
    for word in body_of(sent).split():
        if word.startswith("http") and marker in word:
            return "/" + word.split("/", 3)[3]
    raise AssertionError(f"no link with {marker!r} in {body_of(sent)!r}")


def blocked_by_reviewer(
    reviewer: User, *, sender: Contact | Resident, connection_id: int, body: str, reason: str
) -> Any:
    """``sender`` writes ``body`` on the connection, screening sends it to review (the
    facility reviews everything), and ``reviewer`` blocks it for ``reason``: the message."""
    from homeward.jobs import services as jobs
    from homeward.messaging import services as messaging
    from homeward.messaging.models import Message
    from homeward.review import services as review

    sent = messaging.send_message(sender=sender, connection_id=connection_id, body=body).message
    jobs.run_pending("test")
    task = review.claim_next(staff=reviewer)
    assert task is not None and task.message_id == sent.pk, "the message is not next in review"
    review.decide(staff=reviewer, task_id=task.pk, decision="block", reason_code=reason)
    return Message.objects.get(pk=sent.pk)
