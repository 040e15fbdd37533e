"""The prices pages: facility and agency admins see every schedule of their facility (the
one in force marked, future ones as scheduled) and add new ones, which families are quoted
from the moment they start. Bad input is explained and nothing is saved. Everyone else is
refused and nothing changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from homeward import builders as t
from homeward.core import clock
from homeward.core.errors import NotFound
from homeward.core.models import AuditEvent
from homeward.ledger import charges, payments, schedules
from homeward.ledger.models import PriceSchedule
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role
LIST = "/console/prices/greenhaven/"
ADD = "/console/prices/greenhaven/add/"

FORM = {
    "model": "stamps",
    "payer": "sender",
    "effective_from": "",
    "stamp_price": "0.35",
    "chars_per_stamp": "1500",
    "photo_stamps": "1",
    "reply_stamps": "1",
    "per_message_price": "0",
    "message_cap": "",
    "deposit_fee_flat": "0.50",
    "deposit_fee_percent": "2.5",
    "deposit_fee_cap": "5.00",
    "account_fee": "0",
}


@pytest.fixture
def admin(world) -> Client:
    return client_for(world.facility_admin)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_of(html: str, schedule: PriceSchedule) -> str:
    start = html.index(f'id="schedule-{schedule.pk}"')
    return html[start : html.index("</tr>", start)]


def local_input(moment: dt.datetime, facility) -> str:
    """What a datetime-local field holds for ``moment`` in the facility's time zone."""
    return moment.astimezone(ZoneInfo(facility.timezone)).strftime("%Y-%m-%dT%H:%M")


def quote_for_a_short_message(world, at: dt.datetime | None = None):
    connection = world.contact_a.connections.get()
    shown = charges.preview(
        connection=connection, to_resident=True, characters=10, at=at or clock.now()
    )
    return shown.price


def saved_state() -> tuple:
    return (
        sorted(PriceSchedule.objects.values_list("pk", "model", "stamp_cents")),
        AuditEvent.objects.filter(action="prices.added").count(),
    )


# --- the list -----------------------------------------------------------------------------


def test_the_list_marks_the_schedule_in_force_and_one_scheduled_for_later(world, admin):
    free = PriceSchedule.objects.get(facility=world.facility_1)
    later = schedules.add_schedule(
        staff=world.facility_admin,
        facility=world.facility_1,
        model="per_message",
        per_message_cents=25,
        effective_from=clock.now() + dt.timedelta(days=30),
    )
    html = page(admin.get(LIST))
    assert "In force now" in row_of(html, free)
    assert "Free to families" in row_of(html, free)
    assert "Scheduled" in row_of(html, later) and "$0.25 a message" in row_of(html, later)
    assert "by admin1" in row_of(html, later)
    assert "author not recorded" in row_of(html, free)  # made by the builder, not the page
    assert html.index(f'id="schedule-{later.pk}"') < html.index(f'id="schedule-{free.pk}"')
    assert "Travis" not in html  # nothing of another facility


def test_a_replaced_schedule_is_marked_replaced(world, admin):
    free = PriceSchedule.objects.get(facility=world.facility_1)
    schedules.add_schedule(
        staff=world.facility_admin, facility=world.facility_1, model="stamps", stamp_cents=40
    )
    assert "Replaced" in row_of(page(admin.get(LIST)), free)


# --- adding -------------------------------------------------------------------------------


def test_an_admin_adds_a_schedule_and_families_are_quoted_from_it_at_once(world, admin):
    assert quote_for_a_short_message(world).payer == "agency"  # free until now
    response = admin.post(ADD, FORM)
    assert response.status_code == 302 and response["Location"] == LIST
    html = page(admin.get(LIST))
    assert "The new prices are in force from now on." in html
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    row = row_of(html, schedule)
    assert "In force now" in row and "$0.35 a stamp of up to 1500 characters" in row
    assert "$0.50 + 2.5%" in row and "at most $5.00" in row and "by admin1" in row
    assert (schedule.chars_per_stamp, schedule.deposit_fee_bp) == (1500, 250)
    assert (schedule.deposit_fee_flat_cents, schedule.deposit_fee_cap_cents) == (50, 500)
    assert schedule.message_cap_cents is None
    event = AuditEvent.objects.get(action="prices.added")
    assert event.actor_user == world.facility_admin and event.object_id == str(schedule.pk)
    assert event.facility_id == world.facility_1.pk and event.data["stamp_cents"] == 35
    # A contact's quotes now use it: one stamp, and the deposit fee 50¢ + 2.5% of $20.
    price = quote_for_a_short_message(world)
    assert (price.lines, price.payer) == ([("1 stamp for the text", 35)], "contact")
    deposit = payments.quote(facility=world.facility_1, amount=2000)
    assert (deposit.fee, deposit.total) == (100, 2100)


def test_a_schedule_for_later_is_not_used_until_it_starts(world, admin):
    starts = (clock.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    response = admin.post(ADD, {**FORM, "effective_from": local_input(starts, world.facility_1)})
    assert response.status_code == 302
    html = page(admin.get(LIST))
    assert "The new prices start" in html
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    assert schedule.effective_from == starts  # typed in facility time, stored as that moment
    assert "Scheduled" in row_of(html, schedule)
    assert quote_for_a_short_message(world).payer == "agency"
    assert payments.quote(facility=world.facility_1, amount=2000).fee == 0
    with clock.frozen_at(starts + dt.timedelta(minutes=1)):
        assert quote_for_a_short_message(world).total == 35
        assert payments.quote(facility=world.facility_1, amount=2000).fee == 100
        fresh = client_for(world.facility_admin)  # the old session timed out while idle
        assert "In force now" in row_of(page(fresh.get(LIST)), schedule)


def test_a_legal_cap_below_one_stamp_is_allowed_and_shown(world, admin):
    response = admin.post(ADD, {**FORM, "stamp_price": "0.40", "message_cap": "0.30"})
    assert response.status_code == 302
    html = page(admin.get(LIST))
    assert "is below the price of one message, so every message costs the cap" in html
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    assert "Below the price of one stamp: every message costs $0.30." in row_of(html, schedule)
    assert quote_for_a_short_message(world).total == 30


def test_fields_left_empty_mean_no_fee_and_the_usual_stamp_sizes(world, admin):
    response = admin.post(ADD, {"model": "stamps", "payer": "sender", "stamp_price": "0.40"})
    assert response.status_code == 302
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    assert (schedule.stamp_cents, schedule.chars_per_stamp, schedule.reply_stamps) == (40, 2000, 1)
    assert (schedule.deposit_fee_flat_cents, schedule.deposit_fee_bp) == (0, 0)
    assert (schedule.message_cap_cents, schedule.deposit_fee_cap_cents) == (None, None)


def test_stamp_packs_are_saved_and_listed(world, admin):
    response = admin.post(
        ADD, {**FORM, "stamp_price": "0.40", "stamp_packs": "10 for 3.50; 25 for $8"}
    )
    assert response.status_code == 302
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    assert schedule.stamp_packs == [{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}]
    assert "pack: 25 stamps for $8.00" in row_of(page(admin.get(LIST)), schedule)


def test_free_messaging_is_paid_by_the_agency_whatever_the_form_says(world, admin):
    response = admin.post(
        ADD, {**FORM, "model": "free", "payer": "sender", "per_message_price": "0.10"}
    )
    assert response.status_code == 302
    schedule = PriceSchedule.objects.filter(facility=world.facility_1).latest("id")
    assert (schedule.model, schedule.payer, schedule.per_message_cents) == ("free", "agency", 10)
    assert quote_for_a_short_message(world).payer == "agency"


def test_an_agency_admin_may_add_prices_for_any_facility_of_the_agency(world):
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    client = client_for(agency_admin)
    assert client.post(ADD, FORM).status_code == 302
    assert "by agencyadmin" in page(client.get(LIST))
    assert client.get("/console/prices/travis-jail/").status_code == 404  # another agency


def test_the_nav_takes_an_admin_to_prices_and_money(world, admin):
    html = page(admin.get("/console/"))
    assert 'href="/console/prices/greenhaven/"' in html
    assert 'href="/console/money/greenhaven/"' in html
    reviewer_html = page(client_for(world.reviewer_1).get("/console/"))
    assert "/console/prices/" not in reviewer_html and "/console/money/" not in reviewer_html


BAD_INPUT = [
    ({"stamp_price": "-0.40"}, "Prices and fees cannot be negative."),
    ({"stamp_price": "1.234"}, "at most two digits after the point"),
    ({"deposit_fee_flat": "two dollars"}, "Enter an amount in dollars"),
    ({"deposit_fee_percent": "101"}, "A fee is at most 100% of the deposit."),
    ({"deposit_fee_percent": "-1"}, "A percent cannot be negative."),
    ({"deposit_fee_percent": "2.555"}, "at most two decimals"),
    ({"stamp_price": "0"}, "Stamps need a price above zero"),
    ({"model": "per_message", "per_message_price": "0.00"}, "needs a price above zero"),
    ({"chars_per_stamp": "0"}, "greater than or equal to 1"),
    ({"message_cap": "5000"}, "At most $1,000"),
    ({"effective_from": "2020-01-01T09:00"}, "Prices cannot start in the past"),
    ({"effective_from": "tomorrow"}, "Enter a valid date/time."),
    ({"model": "gold"}, "Select a valid choice."),
    ({"stamp_packs": "ten for three"}, "is not a pack"),
    ({"stamp_packs": "0 for 3.00"}, "A pack holds 1 to 1,000 stamps"),
    (
        {"model": "per_message", "per_message_price": "0.25", "stamp_packs": "10 for 3"},
        "only where",
    ),
]


@pytest.mark.parametrize(("change", "says"), BAD_INPUT)
def test_bad_input_is_explained_and_nothing_is_saved(world, admin, change, says):
    before = saved_state()
    response = admin.post(ADD, {**FORM, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert says in html.replace("&#x27;", "'")
    assert saved_state() == before


def test_every_mistake_is_reported_at_once(world):
    with pytest.raises(schedules.InvalidSchedule) as error:
        schedules.add_schedule(
            staff=world.facility_admin,
            facility=world.facility_1,
            model="stamps",
            stamp_cents=0,
            deposit_fee_bp=10_001,
            effective_from=clock.now() - dt.timedelta(hours=1),
        )
    assert set(error.value.errors) == {"stamp_cents", "deposit_fee_bp", "effective_from"}
    assert PriceSchedule.objects.filter(facility=world.facility_1).count() == 1


def test_a_start_a_few_seconds_old_is_accepted_as_now(world):
    schedule = schedules.add_schedule(
        staff=world.facility_admin,
        facility=world.facility_1,
        model="stamps",
        stamp_cents=40,
        effective_from=clock.now() - dt.timedelta(seconds=30),
    )
    assert pricing_in_force(world) == schedule


def pricing_in_force(world) -> PriceSchedule:
    from homeward.ledger import pricing

    return pricing.schedule_in_force(world.facility_1.pk, clock.now())


def test_the_parse_helpers(world):
    assert schedules.parse_dollars("0") == 0
    assert schedules.parse_dollars("$999.5") == 99_950
    assert [schedules.parse_percent(text) for text in ("0", "2.5", "2.75%", "100")] == [
        0,
        250,
        275,
        10_000,
    ]


# --- who may --------------------------------------------------------------------------------


def requests() -> list[tuple[str, str]]:
    return [("GET", LIST), ("GET", ADD), ("POST", ADD)]


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "contact_a"])
def test_staff_of_the_facility_without_an_admin_role_and_contacts_are_refused(world, persona):
    person = getattr(world, persona)
    client = client_for(getattr(person, "user", person))
    before = saved_state()
    for method, url in requests():
        response = client.get(url) if method == "GET" else client.post(url, FORM)
        assert response.status_code == 403, (persona, method, url, response.status_code)
    assert saved_state() == before


@pytest.mark.parametrize("persona", ["reviewer_2", "admin_of_facility_2"])
def test_staff_of_another_facility_get_not_found(world, persona):
    if persona == "admin_of_facility_2":
        user = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    else:
        user = world.reviewer_2
    client = client_for(user)
    before = saved_state()
    for method, url in requests():
        response = client.get(url) if method == "GET" else client.post(url, FORM)
        assert response.status_code == 404, (persona, method, url, response.status_code)
    assert saved_state() == before


def test_the_service_refuses_staff_who_do_not_run_the_facility(world):
    for staff in (world.reviewer_1, world.investigator, world.reviewer_2):
        with pytest.raises(NotFound):
            schedules.add_schedule(
                staff=staff, facility=world.facility_1, model="stamps", stamp_cents=40
            )
    assert PriceSchedule.objects.filter(facility=world.facility_1).count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(world):
    before = saved_state()
    for method, url in requests():
        client = Client()
        response = client.get(url) if method == "GET" else client.post(url, FORM)
        assert response.status_code == 302 and "/console/signin/" in response["Location"]
    assert saved_state() == before
