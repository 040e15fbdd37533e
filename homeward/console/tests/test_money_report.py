"""The money report: per month, what a facility charged, refunded, took in fees, what the
agency paid and what was deposited, read from the ledger and matching it. The CSV download
is audited. Only the facility's admins (and its agency's) may open either."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.ledger import payments
from homeward.ledger import services as ledger
from homeward.messaging import services as messaging
from homeward.people.models import StaffMembership
from homeward.personas import client_for, device_client, sign_in
from homeward.review import intake

Role = StaffMembership.Role
REPORT = "/console/money/greenhaven/"
CSV = "/console/money/greenhaven/report.csv"


@pytest.fixture
def admin(world) -> Client:
    return client_for(world.facility_admin)


@pytest.fixture
def busy_month(world):
    """At Greenhaven this month: a $20 deposit (fee 50¢ + 2.5% = $1.00), two 40¢ messages,
    one of them blocked and refunded."""
    t.set_prices(world.facility_1, stamp_cents=40, deposit_fee_flat_cents=50, deposit_fee_bp=250)
    payment = payments.start(
        contact=world.contact_a,
        facility=world.facility_1,
        amount=2000,
        key="deposit-1",
        card="4242424242424242",
    ).payment
    assert payment.status == "succeeded" and payment.fee_cents == 100
    connection = world.contact_a.connections.get()
    kept = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="See you Sunday"
    ).message
    blocked = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Another one"
    ).message
    for message in (kept, blocked):
        intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=blocked.pk, actor=world.reviewer_1, category="threats")
    return world


def this_month(facility) -> dt.date:
    return clock.now().astimezone(ZoneInfo(facility.timezone)).date().replace(day=1)


def cells(html: str, row_id: str) -> list[str]:
    start = html.index(f'id="{row_id}"')
    row = html[start : html.index("</tr>", start)]
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
    ]


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_report_matches_the_ledger_after_a_deposit_a_send_and_a_refund(busy_month, admin):
    facility = busy_month.facility_1
    html = page(admin.get(REPORT))
    month = this_month(facility)
    row = cells(html, f"month-{month:%Y-%m}")
    # month, messages charged, charged, refunded, deposit fees, revenue, agency funded, deposits
    assert row[1:] == ["2", "$0.80", "$0.40", "$1.00", "$1.40", "$0.00", "$20.00"]
    assert cells(html, "totals")[1:] == row[1:]
    # The same numbers as the accounts themselves.
    revenue = ledger.balance_of(kind="platform_revenue", facility=facility)
    wallet = ledger.balance_of(
        kind="contact_wallet", contact=busy_month.contact_a, facility=facility
    )
    assert revenue == 140
    assert wallet == 2000 - 80 + 40


def test_by_default_the_report_shows_the_last_twelve_months(busy_month, admin):
    html = page(admin.get(REPORT))
    month = this_month(busy_month.facility_1)
    months = re.findall(r'id="month-(\d{4}-\d{2})"', html)
    assert len(months) == 12 and months[-1] == f"{month:%Y-%m}"
    eleven_back = month.year * 12 + month.month - 1 - 11
    assert months[0] == f"{eleven_back // 12}-{eleven_back % 12 + 1:02d}"
    assert cells(html, f"month-{months[0]}")[1:] == ["0", "$0.00"] + ["$0.00"] * 5


def test_a_chosen_period_shows_only_those_months(busy_month, admin):
    html = page(admin.get(REPORT, {"from": "2021-11", "to": "2022-02"}))
    assert re.findall(r'id="month-(\d{4}-\d{2})"', html) == [
        "2021-11",
        "2021-12",
        "2022-01",
        "2022-02",
    ]
    assert cells(html, "totals")[1:] == ["0"] + ["$0.00"] * 6
    assert 'href="/console/money/greenhaven/report.csv?from=2021-11&amp;to=2022-02"' in html


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ({"from": "2025-13"}, "Enter a month as YYYY-MM"),
        ({"to": "last year"}, "Enter a month as YYYY-MM"),
        ({"to": "x" * 30}, "at most 20 characters"),
        ({"from": "2025-06", "to": "2025-01"}, "The period must start before it ends."),
        ({"from": "2001-01", "to": "2025-01"}, "Choose at most 120 months"),
    ],
)
def test_a_bad_period_is_explained(world, admin, period, says):
    for url in (REPORT, CSV):
        response = admin.get(url, period)
        assert response.status_code == 400, url
        assert says in response.content.decode()
    assert not AuditEvent.objects.filter(action="money.report_exported").exists()


def test_the_csv_download_has_the_same_numbers_and_is_audited(busy_month, admin):
    month = this_month(busy_month.facility_1)
    period = {"from": f"{month:%Y-%m}", "to": f"{month:%Y-%m}"}
    response = admin.get(CSV, period)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="money-greenhaven-{month:%Y-%m}-to-{month:%Y-%m}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["month", "messages charged", "charged"]
    assert rows[1:] == [
        [f"{month:%Y-%m}", "2", "0.80", "0.40", "0", "0.00", "1.00", "1.40", "0.00", "20.00"]
    ]
    event = AuditEvent.objects.get(action="money.report_exported")
    assert event.actor_user == busy_month.facility_admin
    assert event.facility_id == busy_month.facility_1.pk and event.data == period


def test_an_agency_admin_may_read_the_report(busy_month):
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=busy_month.facility_1.agency
    )
    client = client_for(agency_admin)
    assert client.get(REPORT).status_code == 200
    assert client.get(CSV).status_code == 200
    assert client.get("/console/money/travis-jail/").status_code == 404


# --- who may --------------------------------------------------------------------------------


def exports() -> int:
    return AuditEvent.objects.filter(action="money.report_exported").count()


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "contact_a"])
def test_staff_without_an_admin_role_and_contacts_are_refused(busy_month, persona):
    person = getattr(busy_month, persona)
    client = client_for(getattr(person, "user", person))
    for url in (REPORT, CSV):
        response = client.get(url)
        assert response.status_code == 403, (persona, url)
        assert "$20.00" not in response.content.decode()
    assert exports() == 0


@pytest.mark.parametrize("persona", ["reviewer_2", "admin_of_facility_2"])
def test_staff_of_another_facility_get_not_found(busy_month, persona):
    if persona == "admin_of_facility_2":
        user = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=busy_month.facility_2)
    else:
        user = busy_month.reviewer_2
    client = client_for(user)
    for url in (REPORT, CSV):
        assert client.get(url).status_code == 404, (persona, url)
    assert exports() == 0


def test_signed_out_visitors_are_sent_to_sign_in(busy_month):
    for url in (REPORT, CSV):
        response = Client().get(url)
        assert response.status_code == 302 and "/console/signin/" in response["Location"]
    assert exports() == 0


# --- kiosk time ----------------------------------------------------------------------------


def test_kiosk_time_a_resident_paid_is_revenue_in_the_facility_month(world, admin):
    """Greenhaven charges 5 cents a kiosk minute. Maria signs out of a kiosk at 04:31 UTC on
    1 March 2025, which is still 28 February in New York: February's revenue, on the page and
    in the CSV."""
    t.set_prices(
        world.facility_1,
        model="per_minute",
        per_minute_cents=5,
        effective_from=dt.datetime(2025, 1, 1, 5, 0, tzinfo=dt.UTC),
    )
    opened = dt.datetime(2025, 3, 1, 4, 29, 30, tzinfo=dt.UTC)
    with clock.frozen_at(opened - dt.timedelta(days=3)):
        t.pay_in(
            world.contact_a, world.facility_1, 1000, connection=world.contact_a.connections.get()
        )
    kiosk = device_client(world.facility_1)
    with clock.frozen_at(opened):
        assert sign_in(kiosk, world.resident.number).status_code == 302
    with clock.frozen_at(opened + dt.timedelta(seconds=100)):  # 2 started minutes: $0.10
        said = kiosk.post("/kiosk/signout/", follow=True).content.decode()
    assert "Kiosk time: 2 minutes, $0.10 from your trust account." in said

    html = page(admin.get(REPORT, {"from": "2025-02", "to": "2025-03"}))
    assert "Kiosk time</th>" in html
    # month, messages, charged, refunded, kiosk sessions, kiosk time, fees, revenue, agency,
    # deposits: the trust deposit is not revenue, the kiosk time is.
    assert cells(html, "month-2025-02")[1:] == [
        "0",
        "$0.00",
        "$0.00",
        "1",
        "$0.10",
        "$0.00",
        "$0.10",
        "$0.00",
        "$10.00",
    ]
    assert cells(html, "month-2025-03")[1:] == ["0", "$0.00", "$0.00", "0"] + ["$0.00"] * 5
    assert cells(html, "totals")[1:] == cells(html, "month-2025-02")[1:]
    assert ledger.balance_of(kind="platform_revenue", facility=world.facility_1) == 10

    rows = list(
        csv.reader(
            io.StringIO(admin.get(CSV, {"from": "2025-02", "to": "2025-02"}).content.decode())
        )
    )
    assert rows[0][4:6] == ["kiosk sessions charged", "kiosk time"]
    assert rows[1] == ["2025-02", "0", "0.00", "0.00", "1", "0.10", "0.00", "0.10", "0.00", "10.00"]


def test_a_facility_that_never_charged_kiosk_time_shows_no_kiosk_columns(busy_month, admin):
    html = page(admin.get(REPORT))
    assert "Kiosk time" not in html
    assert "time at the kiosk" not in html
