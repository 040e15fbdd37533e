"""Every staff account has a second factor: an authenticator app enrolled at the first
sign-in (a QR code, the key as text, a code to confirm it), ten single-use recovery codes,
a code asked once per session before any console page or the kiosk device page, and a
monitoring notice accepted before work starts."""

from __future__ import annotations

import base64
import datetime as dt
import re
from binascii import unhexlify

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward import builders as t
from homeward.console.models import StaffNoticeAcceptance
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.kiosk.models import KioskDevice
from homeward.people import second_factor
from homeward.personas import client_for, sign_in_staff

Role = t.StaffMembership.Role


def code_of(device: TOTPDevice) -> str:
    """What the authenticator app shows now, computed from the device's key."""
    return f"{totp(unhexlify(device.key)):06d}"


def password_only(user) -> Client:
    """A browser past the password step and nothing else."""
    client = Client()
    response = client.post("/console/signin/", {"username": user.username, "password": t.PASSWORD})
    assert response.status_code == 302
    return client


def enrol_through_the_pages(client: Client, user) -> list[str]:
    page = client.get("/console/enrol/?next=/console/queue/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        "/console/enrol/", {"code": code_of(device), "next": page.context["next"]}
    )
    assert response.status_code == 200, response.content[:300]
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.content.decode())


def test_first_sign_in_enrols_an_app_from_a_qr_code_and_shows_ten_recovery_codes(world):
    client = password_only(world.reviewer_1)
    response = client.get("/console/queue/")
    assert response["Location"] == "/console/enrol/?next=%2Fconsole%2Fqueue%2F"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn as an inline image
    assert "<script" not in html.split("<body", 1)[1].replace(
        '<script src="/static/homeward/app.js" defer></script>', ""
    )
    device = TOTPDevice.objects.get(user=world.reviewer_1, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == secret  # the key as text, for typing into the app
    assert client.get("/console/enrol/").context["secret"] == page.context["secret"]  # same key

    response = client.post("/console/enrol/", {"code": code_of(device), "next": "/console/queue/"})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "shown only this once" in response.content.decode()
    # Stored only as digests: no recovery code is in the database as typed.
    stored = set(StaticToken.objects.values_list("token", flat=True))
    typed = {c.replace("-", "") for c in codes} | set(codes)
    assert len(stored) == 10 and not stored & typed
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(
        action="staff.second_factor_enrolled", actor_user=world.reviewer_1
    ).exists()

    # Next, the monitoring notice; then the page asked for.
    response = client.get("/console/queue/")
    assert response["Location"] == "/console/notice/?next=%2Fconsole%2Fqueue%2F"
    notice = client.get(response["Location"]).content.decode()
    assert "recorded and monitored" in notice
    response = client.post("/console/notice/", {"next": "/console/queue/"})
    assert response["Location"] == "/console/queue/"
    assert client.get("/console/queue/").status_code == 200
    # The enrolment page is done with: it now just goes on.
    assert client.get("/console/enrol/")["Location"] == "/console/"


def test_a_wrong_code_does_not_enrol_and_the_app_stays_unconfirmed(world):
    client = password_only(world.reviewer_1)
    client.get("/console/enrol/")
    device = TOTPDevice.objects.get(user=world.reviewer_1)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post("/console/enrol/", {"code": wrong})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticToken.objects.exists()
    assert client.get("/console/")["Location"].startswith("/console/enrol/")


def test_a_wrong_code_is_refused_and_django_otp_throttles_the_next_tries(world):
    device = t.enrol_staff(world.reviewer_1)
    client = password_only(world.reviewer_1)
    response = client.get("/console/residents/")
    assert response["Location"] == "/console/verify/?next=%2Fconsole%2Fresidents%2F"
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post("/console/verify/", {"code": wrong})
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert client.get("/console/residents/").status_code == 302  # still not through
    # Right away, even the right code waits: each failure doubles the wait.
    response = client.post("/console/verify/", {"code": code_of(device)})
    assert response.status_code == 429 and "Too many wrong codes" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Once the wait is over, the right code lets them in and the count starts again.
    device.throttling_failure_timestamp -= dt.timedelta(seconds=2)
    device.save()
    response = client.post("/console/verify/", {"code": code_of(device), "next": "/console/x"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert AuditEvent.objects.filter(action="staff.second_factor_failed").count() == 1


def test_the_code_rotates_the_session_and_goes_back_only_inside_the_console(world):
    t.enrol_staff(world.reviewer_1)
    t.accept_staff_notice(world.reviewer_1)
    client = password_only(world.reviewer_1)
    before = client.session.session_key
    response = client.post(
        "/console/verify/", {"code": t.totp_code(world.reviewer_1), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/console/"
    assert client.session.session_key != before
    assert client.get("/console/").status_code == 200
    # A code works once: the same code again, in another browser, is refused.
    other = password_only(world.reviewer_1)
    device = TOTPDevice.objects.get(user=world.reviewer_1)
    assert other.post("/console/verify/", {"code": code_of(device)}).status_code == 400


def test_a_recovery_code_works_instead_of_the_app_once_only(world):
    client = password_only(world.facility_admin)
    codes = enrol_through_the_pages(client, world.facility_admin)
    client.post("/console/signout/")

    client = password_only(world.facility_admin)
    response = client.post("/console/verify/", {"code": codes[3].upper(), "next": "/console/"})
    assert response["Location"] == "/console/"
    assert client.get("/console/notice/").status_code == 200  # through the second factor
    assert second_factor.recovery_codes_left(world.facility_admin) == 9
    assert AuditEvent.objects.get(action="staff.second_factor_verified").data == {
        "method": "recovery_code",
        "recovery_codes_left": 9,
    }
    client.post("/console/signout/")

    client = password_only(world.facility_admin)
    response = client.post("/console/verify/", {"code": codes[3]})
    assert response.status_code == 400
    assert client.get("/console/")["Location"].startswith("/console/verify/")


UNVERIFIED_URLS = [
    "/console/",
    "/console/queue/",
    "/console/residents/?q=NY1001",
    "/console/connections/",
    "/console/jobs/",
    "/console/rules/",
    "/console/prices/greenhaven/",
    "/console/staff/",
]


@pytest.mark.parametrize("enrolled", [True, False], ids=["has-app", "no-app"])
def test_staff_without_a_code_in_this_session_open_no_console_page(world, enrolled):
    if enrolled:
        t.enrol_staff(world.facility_admin)
    t.accept_staff_notice(world.facility_admin)
    client = Client()
    client.force_login(world.facility_admin)  # the password step only
    step = "/console/verify/" if enrolled else "/console/enrol/"
    for url in UNVERIFIED_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{step}?next="), (url, response["Location"])
    # Changes too: nothing happens, and the step comes first.
    response = client.post(f"/console/staff/{world.reviewer_1.pk}/reset/")
    assert response["Location"].startswith(step)
    # The kiosk device page as well: no kiosk is registered.
    response = client.get("/kiosk/device/")
    assert response["Location"] == f"{step}?next=%2Fkiosk%2Fdevice%2F"
    client.post("/kiosk/device/", {"facility": world.facility_1.pk, "name": "X"})
    assert not KioskDevice.objects.exists()


def test_after_the_code_the_kiosk_device_page_opens_and_goes_back_there(world):
    t.enrol_staff(world.facility_admin)
    client = Client()
    response = sign_in_staff(client, world.facility_admin, path="/kiosk/device/")
    assert response.redirect_chain[-1][0] == "/kiosk/device/"
    assert "Name of this kiosk" in response.content.decode()


def test_the_monitoring_notice_must_be_accepted_and_each_version_is_kept(world, settings):
    client = Client()
    client.force_login(world.investigator)
    t.pass_staff_signin_steps(client, world.investigator)
    StaffNoticeAcceptance.objects.all().delete()
    response = client.get("/console/residents/")
    assert response["Location"] == "/console/notice/?next=%2Fconsole%2Fresidents%2F"
    page = client.get(response["Location"]).content.decode()
    assert "What you do here is recorded and monitored" in page
    assert settings.STAFF_MONITORING_NOTICE_VERSION in page
    with clock.frozen_at(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)):
        client.post("/console/notice/")
    row = StaffNoticeAcceptance.objects.get(user=world.investigator)
    assert row.version == settings.STAFF_MONITORING_NOTICE_VERSION
    assert row.accepted_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="staff.notice_accepted").count() == 1
    assert client.get("/console/residents/").status_code == 200

    # A new version of the notice is accepted again; the old acceptance stays on record.
    first = settings.STAFF_MONITORING_NOTICE_VERSION
    settings.STAFF_MONITORING_NOTICE_VERSION = "2027-01-1"
    assert client.get("/console/residents/")["Location"].startswith("/console/notice/")
    client.post("/console/notice/")
    assert sorted(
        StaffNoticeAcceptance.objects.filter(user=world.investigator).values_list(
            "version", flat=True
        )
    ) == [first, "2027-01-1"]


def test_the_notice_comes_after_the_second_factor(world):
    t.enrol_staff(world.reviewer_1)
    client = password_only(world.reviewer_1)
    response = client.post("/console/notice/")
    assert response["Location"].startswith("/console/verify/")
    assert not StaffNoticeAcceptance.objects.exists()


def test_after_30_minutes_idle_both_the_password_and_the_code_are_asked_again(world):
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    client = Client()
    with clock.frozen_at(start):
        sign_in_staff(client, world.reviewer_1)
        assert client.get("/console/queue/").status_code == 200
    with clock.frozen_at(start + dt.timedelta(minutes=31)):
        response = client.get("/console/queue/")
        assert response["Location"] == "/console/signin/?next=/console/queue/"
        client.post("/console/signin/", {"username": "rev1", "password": t.PASSWORD})
        response = client.get("/console/queue/")
        assert response["Location"] == "/console/verify/?next=%2Fconsole%2Fqueue%2F"


def test_an_admin_resets_a_lost_second_factor_and_the_person_enrols_again(world):
    target = world.reviewer_1
    target_client = client_for(target)
    StaticToken.objects.create(
        device=second_factor.StaticDevice.objects.create(user=target, name="Recovery codes"),
        token="0123456789abcdef",
    )
    admin = client_for(world.facility_admin)
    page = admin.get("/console/staff/").content.decode()
    assert "rev1" in page and "inv1" in page
    assert "rev2" not in page  # another agency's facility
    response = admin.post(f"/console/staff/{target.pk}/reset/", follow=True)
    assert "The second factor of rev1 is reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticToken.objects.filter(device__user=target).exists()
    event = AuditEvent.objects.get(action="staff.second_factor_reset")
    assert event.actor_user == world.facility_admin and event.object_id == str(target.pk)
    # Their open session no longer counts as verified: they set up a new app first.
    assert target_client.get("/console/")["Location"].startswith("/console/enrol/")


def test_resetting_someone_outside_your_scope_is_not_found_and_changes_nothing(world):
    other_admin = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    agency_admin = t.make_staff("agency1", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    watched = [world.reviewer_1, agency_admin, world.facility_admin]
    for user in watched:
        t.enrol_staff(user)
    before = sorted(TOTPDevice.objects.filter(user__in=watched).values_list("pk", flat=True))
    client = client_for(other_admin)
    assert client.post(f"/console/staff/{world.reviewer_1.pk}/reset/").status_code == 404
    # A facility admin cannot reset their agency's admin (agency-wide, not their facility),
    # nor themselves, nor a contact.
    facility_admin = client_for(world.facility_admin)
    for user in (agency_admin, world.facility_admin, world.contact_a.user):
        assert facility_admin.post(f"/console/staff/{user.pk}/reset/").status_code == 404
    assert (
        client_for(world.reviewer_1)
        .post(f"/console/staff/{world.investigator.pk}/reset/")
        .status_code
        == 403
    )
    after = sorted(TOTPDevice.objects.filter(user__in=watched).values_list("pk", flat=True))
    assert after == before
    assert not AuditEvent.objects.filter(action="staff.second_factor_reset").exists()
    # The agency admin looks after every staff member of the agency.
    agency = client_for(agency_admin)
    page = agency.get("/console/staff/").content.decode()
    assert "rev1" in page and "admin1" in page and "rev2" not in page
    assert agency.post(f"/console/staff/{world.reviewer_1.pk}/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=world.reviewer_1).exists()
