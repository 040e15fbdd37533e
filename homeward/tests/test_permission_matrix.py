"""The permission matrix: every page URL, every persona.

A persona on a row's allowed list gets through (a page, or the action's own answer); any
other persona is sent to a sign-in page or refused with 403/404 — and nothing changes.
Every URL of the web, kiosk and console surfaces must have a row (the JSON API has its own
matrix in homeward/api/tests/test_permissions.py, checked against the OpenAPI document).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward import builders as t
from homeward.connections import services as connections
from homeward.connections.models import Connection
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.enforcement import appeals, restrictions
from homeward.enforcement.models import Appeal, EnforcementPolicy, Restriction
from homeward.facilities.models import Agency, FacilityPolicy
from homeward.jobs import services as jobs
from homeward.jobs.models import Job
from homeward.kiosk.models import KioskSession
from homeward.ledger import payments
from homeward.ledger.models import Payment, Payout, PriceSchedule, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.messaging.models import ArchiveCode, Message
from homeward.monitoring import cases, retention
from homeward.monitoring.models import (
    AttorneyVerification,
    Case,
    CaseMessage,
    LegalHold,
    Mention,
)
from homeward.people.models import Resident, SignInThrottle, StaffMembership, User
from homeward.personas import World, client_for, kiosk_client_for, make_world
from homeward.photos import bank, intake, sending
from homeward.photos import review as photo_review
from homeward.photos.models import Photo, PhotoHash
from homeward.photos.tests import images
from homeward.review import services as review
from homeward.review import watches
from homeward.review.models import ReviewTask, Watch
from homeward.screening.models import Rule

if TYPE_CHECKING:
    from homeward.conftest import Held

PERSONAS = [
    "anonymous",
    "contact_a",
    "contact_b",
    "resident",
    "resident_2",
    "reviewer_1",
    "reviewer_2",
    "investigator",
    "facility_admin",
]
EVERYONE = set(PERSONAS)
CONTACTS = {"contact_a", "contact_b"}
RESIDENTS = {"resident", "resident_2"}
STAFF = {"reviewer_1", "reviewer_2", "investigator", "facility_admin"}
REVIEWERS = {"reviewer_1", "reviewer_2", "facility_admin"}
FACILITY_1_REVIEW = {"reviewer_1", "facility_admin"}
FACILITY_1_READ = {"reviewer_1", "investigator", "facility_admin"}
# Where each kind of person signs in (a released resident: with their archive code).
SIGNIN_PAGES = ("/signin/", "/kiosk/signin/", "/console/signin/", "/released/")


@dataclass
class Row:
    name: str
    method: str
    path: str  # formatted with the scene's ids
    allowed: set[str]
    data: dict[str, Any] = field(default_factory=dict)
    signs_out: bool = False  # success is a redirect to a sign-in page

    def __str__(self) -> str:
        return f"{self.method} {self.name}"


ROWS = [
    # Contact-facing pages.
    Row("web:home", "GET", "/", EVERYONE),
    Row("web:signup", "GET", "/signup/", EVERYONE),
    Row("web:signin", "GET", "/signin/", EVERYONE),
    Row("web:signout", "POST", "/signout/", EVERYONE, signs_out=True),
    # Anyone may switch the language; a contact's choice is kept on their account.
    Row("web:language", "POST", "/language/", EVERYONE, {"language": "es"}),
    Row("web:verify_email", "GET", "/verify/not-a-real-token/", EVERYONE),
    Row("web:forgot_password", "GET", "/password/forgot/", EVERYONE),
    Row("web:reset_password", "GET", "/password/reset/MQ/not-a-real-token/", EVERYONE),
    Row("web:account", "GET", "/account/", CONTACTS),
    # A wrong current password: the contact's own refusal, and nothing changes.
    Row(
        "web:change_password", "POST", "/account/password/", CONTACTS, {"current": "x", "new": "y"}
    ),
    Row("web:change_email", "POST", "/account/email/", CONTACTS, {"email": "n@example.org"}),
    # Each contact's own address (the personas' are confirmed: a refusal, nothing sent).
    Row("web:resend_verification", "POST", "/account/verify/", CONTACTS),
    Row("web:confirm_email_change", "GET", "/account/email/not-a-real-token/", EVERYONE),
    Row("web:close_account", "GET", "/account/close/", CONTACTS),
    Row("web:archive", "GET", "/account/archive/", CONTACTS),
    Row("web:archive_download", "GET", "/account/archive.json", CONTACTS),
    # A released resident's archive: the code page is anyone's (a wrong code is the form's
    # own answer); what a code opens is no persona's here (tested in test_archive_codes).
    Row("web:released", "GET", "/released/", EVERYONE),
    Row(
        "web:released",
        "POST",
        "/released/",
        EVERYONE,
        {"facility": "greenhaven", "number": "NY1001", "code": "ABCD-EFGH-JKLM"},
    ),
    Row("web:released_archive", "GET", "/released/archive/", set()),
    Row("web:released_download", "GET", "/released/archive.json", set()),
    Row("web:released_leave", "POST", "/released/leave/", EVERYONE, signs_out=True),
    Row("web:notification_preferences", "GET", "/notifications/", CONTACTS),
    # Anyone holding an invitation's link may read whose it is and decline it; only the
    # invited address's account accepts it.
    Row("web:invitation", "GET", "/invitations/{invitation_link}/", EVERYONE),
    Row(
        "web:invitation",
        "POST",
        "/invitations/{invitation_link}/",
        {"contact_a"},
        {"answer": "accept"},
    ),
    # A forged unsubscribe link is nobody's (the genuine one: notifications' tests).
    Row("web:unsubscribe", "POST", "/unsubscribe/not-a-real-token/", set()),
    Row("web:facilities", "GET", "/facilities/", EVERYONE),
    Row("web:facility", "GET", "/facilities/greenhaven/", EVERYONE),
    Row("web:find_resident", "GET", "/facilities/greenhaven/find/?number=NY1001", EVERYONE),
    Row("web:connect", "POST", "/facilities/greenhaven/connect/", CONTACTS, {"number": "NY1001"}),
    Row("web:connections", "GET", "/connections/", CONTACTS),
    Row("web:accept", "POST", "/connections/{invitation}/accept/", {"contact_a"}),
    Row("web:decline", "POST", "/connections/{invitation}/decline/", {"contact_a"}),
    Row("web:block", "POST", "/connections/{active}/block/", {"contact_a"}),
    # An active connection is not withdrawn (the owner's refusal); another's is 404.
    Row("web:withdraw", "POST", "/connections/{active}/withdraw/", {"contact_a"}),
    Row("web:conversations", "GET", "/conversations/", CONTACTS),
    Row("web:conversation", "GET", "/conversations/{active}/", {"contact_a"}),
    Row("web:send", "POST", "/conversations/{active}/send/", {"contact_a"}, {"body": "hello"}),
    Row("web:price", "GET", "/conversations/{active}/price/?characters=10", {"contact_a"}),
    # Photos: the contact's own (no file chosen: the form's own answer, nothing added).
    Row("web:upload_photos", "POST", "/conversations/{active}/photos/", {"contact_a"}),
    Row("web:unsent_photos", "GET", "/conversations/{active}/photos/unsent/", {"contact_a"}),
    Row("web:photo_file", "GET", "/photos/{photo_delivered}/thumbnail/", {"contact_a"}),
    Row(
        "web:appeal_message",
        "POST",
        "/conversations/{active}/messages/{refused}/appeal/",
        {"contact_a"},
        {"statement": "Again"},  # already appealed: refused with a message, nothing changes
    ),
    Row(
        "web:appeal_restriction",
        "POST",
        "/conversations/{active}/appeal/",
        {"contact_a"},
        {"statement": "Please"},  # nothing in force yet: refused with a message
    ),
    # Money: contact_a is connected at greenhaven, contact_b waits for staff there (either may
    # pay in while waiting); receipts and trust money are contact_a's own.
    Row("web:wallets", "GET", "/wallet/", CONTACTS),
    Row("web:statement", "GET", "/wallet/statement/", CONTACTS),
    Row("web:statement_csv", "GET", "/wallet/statement.csv", CONTACTS),
    Row("web:deposit", "GET", "/wallet/greenhaven/deposit/", CONTACTS),
    Row("web:wallet_refund", "POST", "/wallet/greenhaven/refund/", {"contact_a"}),
    Row("web:buy_pack", "POST", "/wallet/greenhaven/packs/", CONTACTS, {"pack": "0"}),
    Row("web:send_money", "GET", "/connections/{active}/money/", {"contact_a"}),
    Row("web:receipt", "GET", "/receipts/{payment}/", {"contact_a"}),
    # Resident kiosk.
    Row("kiosk:device", "GET", "/kiosk/device/", {"facility_admin"}),
    Row("kiosk:signin", "GET", "/kiosk/signin/", RESIDENTS),
    Row("kiosk:signout", "POST", "/kiosk/signout/", EVERYONE, signs_out=True),
    Row("kiosk:language", "POST", "/kiosk/language/", EVERYONE, {"language": "es"}),
    Row("kiosk:inbox", "GET", "/kiosk/", RESIDENTS),
    Row("kiosk:notices_read", "POST", "/kiosk/notices/read/", RESIDENTS),
    Row("kiosk:conversation", "GET", "/kiosk/conversations/{active}/", {"resident"}),
    Row(
        "kiosk:reply", "POST", "/kiosk/conversations/{active}/reply/", {"resident"}, {"body": "hi"}
    ),
    Row("kiosk:block", "POST", "/kiosk/conversations/{active}/block/", {"resident"}),
    Row("kiosk:photo", "GET", "/kiosk/photos/{photo_delivered}/", {"resident"}),
    Row("kiosk:photo_file", "GET", "/kiosk/photos/{photo_delivered}/picture/", {"resident"}),
    Row(
        "kiosk:appeal_message",
        "POST",
        "/kiosk/conversations/{active}/messages/{refused_reply}/appeal/",
        {"resident"},
        {"statement": "I meant my cousin"},
    ),
    Row(
        "kiosk:appeal_restriction",
        "POST",
        "/kiosk/conversations/{active}/appeal/",
        {"resident"},
        {"statement": "Please"},
    ),
    Row("kiosk:requests", "GET", "/kiosk/requests/", RESIDENTS),
    Row("kiosk:accept", "POST", "/kiosk/requests/{request}/accept/", {"resident"}),
    Row("kiosk:decline", "POST", "/kiosk/requests/{request}/decline/", {"resident"}),
    Row("kiosk:invite", "GET", "/kiosk/invite/", RESIDENTS),
    Row("kiosk:end_session", "POST", "/kiosk/sessions/{kiosk_session}/end/", {"resident"}),
    # Staff console.
    Row("console:signin", "GET", "/console/signin/", EVERYONE),
    Row("console:signout", "POST", "/console/signout/", EVERYONE, signs_out=True),
    # The sign-in steps after the password (every persona's staff session has passed them:
    # a wrong code is a 400, enrolling again just goes on, the notice shows what was accepted).
    Row("console:verify", "POST", "/console/verify/", STAFF, {"code": "000000"}),
    Row("console:enrol", "POST", "/console/enrol/", STAFF, {"code": "000000"}),
    Row("console:notice", "GET", "/console/notice/", STAFF),
    # Staff accounts: facility 1's admin resets facility 1's reviewer; nobody may reset the
    # reviewer of the other agency's facility.
    Row("console:staff", "GET", "/console/staff/", {"facility_admin"}),
    Row("console:staff_reset", "POST", "/console/staff/{reviewer_1}/reset/", {"facility_admin"}),
    Row("console:staff_reset", "POST", "/console/staff/{reviewer_2}/reset/", set()),
    # Adding staff: an admin's own answer (a form missing its fields is a 400).
    Row("console:staff_add", "POST", "/console/staff/add/", {"facility_admin"}),
    Row(
        "console:staff_password",
        "POST",
        "/console/staff/{reviewer_1}/password/",
        {"facility_admin"},
    ),
    Row("console:staff_password", "POST", "/console/staff/{reviewer_2}/password/", set()),
    # Deactivating and reactivating: the same scope (reactivating an active account is a
    # refusal the page explains, for the admin only).
    Row(
        "console:staff_deactivate",
        "POST",
        "/console/staff/{reviewer_1}/deactivate/",
        {"facility_admin"},
    ),
    Row("console:staff_deactivate", "POST", "/console/staff/{reviewer_2}/deactivate/", set()),
    Row(
        "console:staff_reactivate",
        "POST",
        "/console/staff/{reviewer_1}/reactivate/",
        {"facility_admin"},
    ),
    Row("console:staff_reactivate", "POST", "/console/staff/{reviewer_2}/reactivate/", set()),
    # The link is the key: anyone may open one (a broken link is a page saying so).
    Row("console:choose_password", "GET", "/console/password/MQ/not-a-real-token/", EVERYONE),
    Row(
        "console:choose_password",
        "POST",
        "/console/password/MQ/not-a-real-token/",
        EVERYONE,
        {"password": "a new long password 1", "again": "a new long password 1"},
    ),
    Row("console:dashboard", "GET", "/console/", STAFF),
    Row("console:queue", "GET", "/console/queue/", REVIEWERS),
    Row("console:claim_next", "POST", "/console/queue/next/", REVIEWERS),
    Row("console:photos", "GET", "/console/photos/", REVIEWERS),
    Row("console:photo_bank", "GET", "/console/photos/bank/", {"facility_admin"}),
    Row(
        "console:photo_bank_remove",
        "POST",
        "/console/photos/bank/{bank_hash}/remove/",
        {"facility_admin"},
        {"reason": "Blocked by mistake"},
    ),
    Row(
        "console:decide_photos",
        "POST",
        "/console/photos/decide/",
        FACILITY_1_REVIEW,
        {"photo": "{photo_waiting}", "decision": "block", "reason": "gang"},
    ),
    Row("console:photo_file", "GET", "/console/photos/{photo_waiting}/thumbnail/", FACILITY_1_READ),
    Row("console:task", "GET", "/console/review/{task}/", FACILITY_1_REVIEW),
    Row("console:claim", "POST", "/console/review/{task}/claim/", FACILITY_1_REVIEW),
    Row(
        "console:decide",
        "POST",
        "/console/review/{task}/decide/",
        FACILITY_1_REVIEW,
        {"decision": "approve"},
    ),
    Row("console:release", "POST", "/console/review/{task}/release/", FACILITY_1_REVIEW),
    Row("console:connections", "GET", "/console/connections/", REVIEWERS),
    Row(
        "console:connection_decide",
        "POST",
        "/console/connections/{pending}/decide/",
        FACILITY_1_REVIEW,
        {"decision": "approve"},
    ),
    Row(
        "console:connection_end",
        "POST",
        "/console/connections/{active}/end/",
        FACILITY_1_REVIEW,
        {"reason": "Court order"},
    ),
    Row("console:escalated", "GET", "/console/queue/escalated/", {"facility_admin"}),
    Row("console:undo", "POST", "/console/review/{task}/undo/", FACILITY_1_REVIEW),
    Row(
        "console:escalate",
        "POST",
        "/console/review/{task}/escalate/",
        FACILITY_1_REVIEW,
        {"note": "Is this a threat?"},
    ),
    Row("console:skip", "POST", "/console/review/{task}/skip/", FACILITY_1_REVIEW),
    Row("console:residents", "GET", "/console/residents/?q=NY1001", STAFF),
    # Investigators and admins search; reviewers read histories but do not search.
    Row("console:search", "GET", "/console/search/?q=hello", {"investigator", "facility_admin"}),
    Row("console:entity", "GET", "/console/entities/{entity}/", {"investigator", "facility_admin"}),
    Row("console:links", "GET", "/console/links/", {"investigator", "facility_admin"}),
    # Cases: investigators and admins of the agency.
    Row("console:cases", "GET", "/console/cases/", {"investigator", "facility_admin"}),
    Row(
        "console:cases",
        "POST",
        "/console/cases/",
        {"investigator", "facility_admin"},
        {"name": "New", "reason": "Because"},
    ),
    Row("console:case", "GET", "/console/cases/{case}/", {"investigator", "facility_admin"}),
    Row(
        "console:case_add",
        "POST",
        "/console/cases/add/",
        {"investigator", "facility_admin"},
        {"case": "{case}", "message": "{case_message}"},
    ),
    Row(
        "console:case_remove",
        "POST",
        "/console/cases/{case}/messages/{case_message}/remove/",
        {"investigator", "facility_admin"},
    ),
    Row(
        "console:case_export",
        "POST",
        "/console/cases/{case}/export/",
        {"investigator", "facility_admin"},
    ),
    # The audit log is for agency admins, and none of the personas is one.
    Row("console:audit", "GET", "/console/audit/", set()),
    Row("console:audit_export", "GET", "/console/audit/export.csv", set()),
    Row("console:audit_check", "POST", "/console/audit/check/", set()),
    # The privileged channel and retention: agency admins too.
    Row("console:attorneys", "GET", "/console/attorneys/", set()),
    Row(
        "console:attorneys_offer",
        "POST",
        "/console/attorneys/{agency}/offer/",
        set(),
        {"offered": "on"},
    ),
    Row(
        "console:attorneys_verify",
        "POST",
        "/console/attorneys/{agency}/verify/",
        set(),
        {"email": "b@example.org", "bar_number": "1", "bar_state": "NY"},
    ),
    Row(
        "console:attorneys_privilege",
        "POST",
        "/console/attorneys/{agency}/privilege/",
        set(),
        {"connection": "{active}"},
    ),
    Row("console:retention", "GET", "/console/retention/", set()),
    Row(
        "console:retention_period",
        "POST",
        "/console/retention/{agency}/period/",
        set(),
        {"a{agency}-days": "1"},
    ),
    Row(
        "console:hold_place",
        "POST",
        "/console/retention/{agency}/holds/",
        set(),
        {"kind": "resident", "subject": "NY1001", "reason": "x"},
    ),
    Row("console:hold_release", "POST", "/console/holds/{hold}/release/", set(), {"reason": "x"}),
    Row("console:resident", "GET", "/console/residents/{resident}/", FACILITY_1_READ),
    Row("console:contact", "GET", "/console/contacts/{contact_a}/", FACILITY_1_READ),
    Row(
        "console:resident_release",
        "POST",
        "/console/residents/{resident}/release/",
        {"facility_admin"},
    ),
    # The resident is in custody: the admin's answer is the console's refusal to give a
    # code (a message on the resident's page), nobody else's is a 403 or 404.
    Row(
        "console:resident_archive_code",
        "POST",
        "/console/residents/{resident}/archive-code/",
        {"facility_admin"},
        {"email": ""},
    ),
    Row("console:resident_pin", "POST", "/console/residents/{resident}/pin/", {"facility_admin"}),
    Row("console:jobs", "GET", "/console/jobs/", {"facility_admin"}),
    Row("console:job_retry", "POST", "/console/jobs/{dead_job}/retry/", {"facility_admin"}),
    Row("console:signin_locks", "GET", "/console/signin-locks/", {"facility_admin"}),
    Row(
        "console:signin_lock_release",
        "POST",
        "/console/signin-locks/{signin_lock}/release/",
        {"facility_admin"},
    ),
    # Screening rules (facility and agency admins).
    Row("console:rules", "GET", "/console/rules/", {"facility_admin"}),
    Row("console:rules_facility", "GET", "/console/rules/greenhaven/", {"facility_admin"}),
    Row("console:rule_add", "GET", "/console/rules/greenhaven/add/", {"facility_admin"}),
    Row(
        "console:rules_test",
        "GET",
        "/console/rules/greenhaven/test/?text=a+tunnel",
        {"facility_admin"},
    ),
    Row("console:rule_versions", "GET", "/console/rules/greenhaven/versions/", {"facility_admin"}),
    Row("console:rule_stats", "GET", "/console/rules/greenhaven/stats/", {"facility_admin"}),
    Row("console:rule", "GET", "/console/rules/greenhaven/{rule}/", {"facility_admin"}),
    Row("console:rule_edit", "GET", "/console/rules/greenhaven/{rule}/edit/", {"facility_admin"}),
    Row(
        "console:rule_active",
        "POST",
        "/console/rules/greenhaven/{rule}/active/",
        {"facility_admin"},
        {"active": "off"},
    ),
    Row(
        "console:rule_switch",
        "POST",
        "/console/rules/greenhaven/{baseline_rule}/switch/",
        {"facility_admin"},
        {"state": "off", "for": "facility"},
    ),
    Row(
        "console:rule_detectors",
        "POST",
        "/console/rules/greenhaven/detectors/",
        {"facility_admin"},
        {"phone": "block"},
    ),
    Row(
        "console:rule_second_opinion",
        "POST",
        "/console/rules/greenhaven/second-opinion/",
        {"facility_admin"},
        {"clears": "off"},
    ),
    # Prices and money (facility and agency admins).
    Row("console:prices", "GET", "/console/prices/greenhaven/", {"facility_admin"}),
    Row("console:prices_add", "GET", "/console/prices/greenhaven/add/", {"facility_admin"}),
    Row(
        "console:prices_add",
        "POST",
        "/console/prices/greenhaven/add/",
        {"facility_admin"},
        {"model": "stamps", "payer": "sender", "stamp_price": "0.40"},
    ),
    Row("console:money_report", "GET", "/console/money/greenhaven/", {"facility_admin"}),
    Row(
        "console:money_report_csv",
        "GET",
        "/console/money/greenhaven/report.csv",
        {"facility_admin"},
    ),
    # Enforcement policy (facility and agency admins).
    Row(
        "console:enforcement_policy",
        "GET",
        "/console/enforcement/greenhaven/",
        {"facility_admin"},
    ),
    Row(
        "console:enforcement_policy_edit",
        "GET",
        "/console/enforcement/greenhaven/edit/",
        {"facility_admin"},
    ),
    Row(
        "console:enforcement_policy_edit",
        "POST",
        "/console/enforcement/greenhaven/edit/",
        {"facility_admin"},
        {
            "violations_to_suspend": "4",
            "violation_window_days": "30",
            "suspension_days": "30",
            "suspensions_to_revoke": "2",
            "suspension_window_days": "180",
            "on_the_way": "return",
        },
    ),
    # Bookings (facility and agency admins); a booking adds a resident the state shows.
    Row("console:roster", "GET", "/console/roster/greenhaven/", {"facility_admin"}),
    Row(
        "console:roster_book",
        "POST",
        "/console/roster/greenhaven/book/",
        {"facility_admin"},
        {"number": "A-77", "first_name": "Rosa", "last_name": "Diaz"},
    ),
    Row("console:roster_upload", "POST", "/console/roster/greenhaven/upload/", {"facility_admin"}),
    # Suspensions and revocations (facility and agency admins).
    Row(
        "console:restrict_contact",
        "POST",
        "/console/contacts/{contact_a}/restrict/",
        {"facility_admin"},
        {"kind": "suspension", "ends_on": "2031-01-01", "reason": "Threats"},
    ),
    Row(
        "console:restrict_resident",
        "POST",
        "/console/residents/{resident}/restrict/",
        {"facility_admin"},
        {"kind": "suspension", "ends_on": "2031-01-01", "reason": "Contraband"},
    ),
    Row(
        "console:restrict_connection",
        "POST",
        "/console/connections/{active}/restrict/",
        {"facility_admin"},
        {"kind": "revocation", "reason": "Relaying"},
    ),
    Row(
        "console:restriction_change",
        "POST",
        "/console/restrictions/{restriction}/",
        {"facility_admin"},
        {"action": "lift", "reason": "Spoke with her"},
    ),
    # Watch lists (reviewers and admins of the facility).
    Row(
        "console:watch_contact",
        "POST",
        "/console/contacts/{contact_a}/watch/",
        FACILITY_1_REVIEW,
        {"expires_on": "2030-06-01", "reason": "Tip"},
    ),
    Row(
        "console:watch_resident",
        "POST",
        "/console/residents/{resident}/watch/",
        FACILITY_1_REVIEW,
        {"expires_on": "2030-06-01", "reason": "Tip"},
    ),
    Row(
        "console:watch_connection",
        "POST",
        "/console/connections/{active}/watch/",
        FACILITY_1_REVIEW,
        {"expires_on": "2030-06-01", "reason": "Tip"},
    ),
    Row("console:watch_end", "POST", "/console/watches/{watch}/end/", FACILITY_1_REVIEW),
    # Appeals: every staff member sees their facilities' desk; deciding is for the person
    # assigned (here the facility admin: the only other reviewer blocked the message).
    Row("console:appeals", "GET", "/console/appeals/", STAFF),
    Row("console:appeals_report", "GET", "/console/appeals/report/", STAFF),
    Row("console:appeal", "GET", "/console/appeals/{appeal}/", FACILITY_1_READ),
    Row(
        "console:appeal_decide",
        "POST",
        "/console/appeals/{appeal}/decide/",
        {"facility_admin"},
        {"outcome": "upheld", "reason": "It stands"},
    ),
]


@dataclass
class Scene:
    world: World
    ids: dict[str, int | str]


@pytest.fixture(scope="module")
def scene(module_transaction: Held) -> Scene:
    """The world and one of everything, made once for all the module's tests (each of
    them is rolled back after it, as always)."""

    def build() -> Scene:
        world = make_world()
        return Scene(world, scene_ids(world))

    return module_transaction.make(build)


@pytest.fixture
def world(scene: Scene, in_module_transaction: None) -> World:
    """The scene's world, to a test run at the moment the scene was made."""
    return copy.deepcopy(scene.world)


def scene_ids(world: World) -> dict[str, int | str]:
    """One of everything a URL can point at, all at facility 1 and owned by contact_a or
    the resident there."""
    active = world.contact_a.connections.get()
    message = messaging.send_message(
        sender=world.contact_a, connection_id=active.pk, body="hi, call (512) 555-0143"
    ).message
    jobs.run_pending("matrix")
    task = ReviewTask.objects.get(message=message)
    # A message of contact_a's blocked by reviewer 1, and appealed.
    refused = messaging.send_message(
        sender=world.contact_a, connection_id=active.pk, body="a gram"
    ).message
    jobs.run_pending("matrix")
    refused_task = ReviewTask.objects.get(message=refused)
    review.claim(staff=world.reviewer_1, task_id=refused_task.pk)
    review.decide(
        staff=world.reviewer_1, task_id=refused_task.pk, decision="block", reason_code="drugs"
    )
    appeal = appeals.appeal_message(
        appellant=world.contact_a, message_id=refused.pk, statement="It was a recipe"
    )
    case = cases.open_case(
        staff=world.investigator, agency=world.facility_1.agency, name="Tip", reason="A call"
    )
    cases.add_messages(staff=world.investigator, case=case, message_ids=[message.pk])
    agency_admin = t.make_staff(
        "scene-agency-admin", role=StaffMembership.Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    hold = retention.place_hold(
        staff=agency_admin, agency=world.facility_1.agency, subject=case, reason="Suit"
    )
    # A reply of the resident's blocked by reviewer 1, not appealed yet.
    refused_reply = messaging.send_message(
        sender=world.resident, connection_id=active.pk, body="tell him"
    ).message
    jobs.run_pending("matrix")
    reply_task = ReviewTask.objects.get(message=refused_reply)
    review.claim(staff=world.reviewer_1, task_id=reply_task.pk)
    review.decide(
        staff=world.reviewer_1, task_id=reply_task.pk, decision="block", reason_code="relay"
    )
    requester = t.make_contact("requester@example.org")
    request = connections.request_connection(
        contact=requester, facility=world.facility_1, number="NY1001"
    ).connection
    now = clock.now()
    pending = Connection.objects.create(
        contact=world.contact_b,
        resident=world.resident,
        facility=world.facility_1,
        status=Connection.Status.PENDING_STAFF,
        initiated_by="contact",
        created_at=now,
        updated_at=now,
    )
    # An invitation to contact_a from a resident at an invite-only facility.
    inviter = t.make_resident(
        t.make_facility(
            "bedford",
            agency=world.facility_1.agency,
            policy={"connection_policy": "resident_invites"},
        ),
        "NY3003",
    )
    invitation = connections.invite_contact(resident=inviter, email="a@example.org")
    dead_job = Job.objects.create(
        kind="deliver_message",
        payload={"message_id": message.pk},
        facility_id=message.facility_id,
        status=Job.Status.DEAD,
        attempts=5,
        run_after=now,
        created_at=now,
    )
    # Made after the message, so screening it is unchanged: one rule of facility 1, one of
    # the platform baseline.
    rule = Rule.objects.create(facility=world.facility_1, pattern="tunnel", category="escape")
    payment = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=1000,
        key="matrix-payment",
        card=sandbox.SUCCEEDS,
    ).payment
    baseline_rule = Rule.objects.create(pattern="gun", category="weapons")
    signin_lock = SignInThrottle.objects.create(
        key=f"kiosk_number:{world.facility_1.pk}:NY1999",  # not the resident persona's
        kind=SignInThrottle.Kind.KIOSK_NUMBER,
        subject="NY1999",
        facility=world.facility_1,
        window_start=now,
        count=5,
        locked_until=now + dt.timedelta(minutes=15),
    )
    # A kiosk session of the resident, left open on another kiosk.
    kiosk_session = KioskSession.objects.create(
        resident=world.resident,
        facility=world.facility_1,
        schedule=world.facility_1.price_schedules.get(),
        opened_at=now,
        last_seen_at=now,
    )
    # A suspension of contact_a that starts tomorrow (so nothing is stopped today).
    restriction = restrictions.impose(
        staff=world.facility_admin,
        facility=world.facility_1,
        subject=world.contact_a,
        kind="suspension",
        reason="Threats",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=5),
    )
    watch = watches.add(
        staff=world.reviewer_1,
        facility=world.facility_1,
        subject=world.resident,
        reason="Tip",
        expires_at=now + dt.timedelta(days=5),
    )
    photo_delivered, photo_waiting = _photos(world, active)
    bank_hash = bank.add(
        phash=0x0123456789ABCDEF,
        agency=world.facility_1.agency,
        facility=world.facility_1,
        reason="Blocked: gang signs",
    )
    return {
        "bank_hash": bank_hash.pk,
        "photo_delivered": photo_delivered.pk,
        "photo_waiting": photo_waiting.pk,
        "watch": watch.pk,
        "restriction": restriction.pk,
        "appeal": appeal.pk,
        "entity": Mention.objects.get(message=message).entity_id,
        "case": case.pk,
        "hold": hold.pk,
        "agency": world.facility_1.agency_id,
        "case_message": message.pk,
        "refused": refused.pk,
        "refused_reply": refused_reply.pk,
        "kiosk_session": kiosk_session.pk,
        "signin_lock": signin_lock.pk,
        "rule": rule.pk,
        "baseline_rule": baseline_rule.pk,
        "active": active.pk,
        "task": task.pk,
        "request": request.pk,
        "pending": pending.pk,
        "invitation": invitation.pk,
        "invitation_link": connections.invitation_token(invitation),
        "dead_job": dead_job.pk,
        "resident": world.resident.pk,
        "contact_a": world.contact_a.pk,
        "payment": payment.pk,
        "reviewer_1": world.reviewer_1.pk,
        "reviewer_2": world.reviewer_2.pk,
    }


def _photos(world, active: Connection) -> tuple[Photo, Photo]:
    """Two photos of contact_a's, each sent with a message: one approved and delivered to
    the resident, one waiting for a reviewer of facility 1."""
    FacilityPolicy.objects.filter(facility=world.facility_1).update(photos_allowed=True)
    made = []
    for seed in (1, 2):
        picture = images.encode(images.scene(seed=seed), "JPEG")
        made.append(
            intake.receive(
                contact=world.contact_a,
                facility=world.facility_1,
                upload=SimpleUploadedFile("p.jpg", picture),
            )
        )
    jobs.run_pending("matrix")
    delivered, waiting = made
    for photo in made:
        sent = sending.send(
            contact=world.contact_a, connection_id=active.pk, body="", photo_ids=[photo.pk]
        ).message
        jobs.run_pending("matrix")
        messaging.approve(message_id=sent.pk, actor=world.reviewer_1)
    photo_review.approve(staff=world.reviewer_1, photo_ids=[delivered.pk])
    jobs.run_pending("matrix")
    return delivered, waiting


def client_as(world, persona: str) -> Client:
    if persona == "anonymous":
        return Client()
    if persona in RESIDENTS:
        return kiosk_client_for(getattr(world, persona))
    person = getattr(world, persona)
    return client_for(getattr(person, "user", person))


def state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        sorted(Connection.objects.values_list("pk", "status")),
        sorted(Message.objects.values_list("pk", "status")),
        sorted(ReviewTask.objects.values_list("pk", "status", "claimed_by", "escalated_at")),
        sorted(Job.objects.values_list("pk", "status")),
        sorted(Transaction.objects.values_list("pk", flat=True)),
        sorted(Payment.objects.values_list("pk", "status", "refunded_cents")),
        Payout.objects.count(),
        sorted(PriceSchedule.objects.values_list("pk", flat=True)),
        sorted(Resident.objects.values_list("pk", "status")),
        sorted(User.objects.values_list("pk", "password", "is_active")),
        sorted(StaffMembership.objects.values_list("pk", "user_id", "role")),
        AuditEvent.objects.filter(action="money.report_exported").count(),
        sorted(TOTPDevice.objects.values_list("pk", "user_id")),
        sorted(SignInThrottle.objects.values_list("pk", "count", "locked_until")),
        sorted(KioskSession.objects.values_list("pk", "closed_at")),
        sorted(Restriction.objects.values_list("pk", "lifted_at", "ends_at")),
        sorted(Appeal.objects.values_list("pk", "status")),
        EnforcementPolicy.objects.count(),
        sorted(Watch.objects.values_list("pk", "ended_at")),
        Case.objects.count(),
        sorted(CaseMessage.objects.values_list("case_id", "message_id")),
        sorted(LegalHold.objects.values_list("pk", "released_at")),
        sorted(Agency.objects.values_list("pk", "message_retention_days", "privileged_channel")),
        sorted(Connection.objects.values_list("pk", "privileged")),
        AttorneyVerification.objects.count(),
        ArchiveCode.objects.count(),
        sorted(Photo.objects.values_list("pk", "status")),
        PhotoHash.objects.count(),
    )


def is_signin_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and location.split("?")[0].endswith(SIGNIN_PAGES)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_matrix(scene: Scene, world: World, row: Row, persona: str):
    ids = scene.ids
    client = client_as(world, persona)
    path = row.path.format(**ids)
    before = state()
    data = {
        k.format(**ids): v.format(**ids) if isinstance(v, str) else v for k, v in row.data.items()
    }
    response = client.get(path) if row.method == "GET" else client.post(path, data)
    assert response.status_code < 500, (path, persona, response.status_code)
    refused = response.status_code in (403, 404) or (
        is_signin_redirect(response) and not row.signs_out
    )
    if persona in row.allowed:
        assert not refused, (path, persona, response.status_code, response.get("Location"))
        if row.method == "GET":
            assert response.status_code == 200, (path, persona, response.status_code)
    else:
        assert refused, (path, persona, response.status_code, response.get("Location"))
        assert state() == before, (path, persona)


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("web", "kiosk", "console"):
                names |= _names(pattern, pattern.namespace)
        elif namespace and pattern.name:
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_page_url_has_a_row():
    assert _names(get_resolver()) == {row.name for row in ROWS}
