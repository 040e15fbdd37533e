"""Numbers typed in a form or carried in an address are digits 0-9: other characters that
Python calls digits ("²", "³", "٣") are not a page of the audit log, a message to read up
to or a hold's connection, and are answered as any other bad number, never with a 500."""

from __future__ import annotations

import pytest

from homeward import builders as t
from homeward.core.ids import whole_number
from homeward.people.models import StaffMembership
from homeward.personas import client_for, kiosk_client_for

Role = StaffMembership.Role


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42),
        ("007", 7),
        ("", None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("1.5", None),
        (" 4", None),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),
    ],
)
def test_whole_number(text, number):
    assert whole_number(text) == number


def test_the_audit_log_takes_a_bad_page_as_the_first(world):
    admin = t.make_staff("agadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency)
    assert client_for(admin).get("/console/audit/", {"before": "²"}).status_code == 200


def test_the_kiosk_takes_a_bad_last_notice_as_none_shown(world):
    kiosk = kiosk_client_for(world.resident)
    response = kiosk.post("/kiosk/notices/read/", {"up_to": "²"})
    assert response.status_code == 302
