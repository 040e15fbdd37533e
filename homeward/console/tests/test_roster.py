"""Bookings from the console: a facility or agency admin books one person, or uploads the
roster file; a file with any line that cannot be booked books nobody and names the lines.
Anyone else is refused and nothing changes."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.facilities.models import HousingUnit
from homeward.people.models import Resident, StaffMembership
from homeward.personas import client_for, device_client, sign_in
from homeward.roster import bookings
from homeward.roster.services import new_pin, release_resident

Role = StaffMembership.Role
PAGE = "/console/roster/greenhaven/"
BOOK = "/console/roster/greenhaven/book/"
UPLOAD = "/console/roster/greenhaven/upload/"


def roster_file(text: str, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client: Client, text: str | bytes):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return client.post(UPLOAD, {"file": SimpleUploadedFile("roster.csv", data)})


def residents() -> list[tuple[str, str, str, str, str]]:
    return sorted(
        (
            r.number,
            r.first_name,
            r.last_name,
            r.facility.code,
            r.housing_unit.name if r.housing_unit else "",
        )
        for r in Resident.objects.select_related("facility", "housing_unit")
    )


def one(number="A-10442", first="Rosa", last="Diaz", unit="") -> dict[str, str]:
    return {"number": number, "first_name": first, "last_name": last, "housing_unit": unit}


# --- booking ------------------------------------------------------------------------------


def test_an_admin_books_one_person_who_signs_in_once_given_a_pin(world):
    admin = client_for(world.facility_admin)
    page = admin.get(PAGE)
    assert page.status_code == 200
    assert (
        f'action="{BOOK}"' in page.content.decode()
        and f'action="{UPLOAD}"' in page.content.decode()
    )
    response = admin.post(BOOK, one(unit="B Pod"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 booked, 0 brought up to date, 0 already booked as listed." in text
    assert "Housing units added: B Pod." in text
    rosa = Resident.objects.get(number="A-10442")
    assert (rosa.facility, rosa.in_custody, rosa.housing_unit.name) == (
        world.facility_1,
        True,
        "B Pod",
    )
    assert f'href="/console/residents/{rosa.pk}/"' in text
    event = AuditEvent.objects.get(action="resident.booked")
    assert (event.actor_user_id, event.object_id) == (world.facility_admin.pk, str(rosa.pk))
    # No PIN works until an admin gives one; then the kiosk lets her in.
    kiosk = device_client(world.facility_1)
    assert sign_in(kiosk, "A-10442").status_code == 403
    pin = new_pin(staff=world.facility_admin, resident_id=rosa.pk)
    assert sign_in(kiosk, "A-10442", pin)["Location"] == "/kiosk/"


def test_a_roster_file_books_everyone_and_again_changes_only_what_changed(world):
    admin = client_for(world.facility_admin)
    text = (
        "\ufeffNumber,First name,Last name,Housing unit,Date of birth\r\n"
        "A-1,Rosa,Diaz,B Pod,1990-01-01\r\n"
        "\r\n"
        "A-2,  José  ,Núñez,,\r\n"
        "NY1001,Maria,Lopez,C Pod,\r\n"
    )
    response = upload(admin, text)
    assert response.status_code == 200, response.content.decode()
    assert (
        "2 booked, 1 brought up to date, 0 already booked as listed." in response.content.decode()
    )
    assert residents() == [
        ("A-1", "Rosa", "Diaz", "greenhaven", "B Pod"),
        ("A-2", "José", "Núñez", "greenhaven", ""),
        ("NY1001", "Maria", "Lopez", "greenhaven", "C Pod"),
        ("TX2002", "James", "Reed", "travis-jail", "A Block"),
    ]
    # The same file again changes nothing; a corrected name is brought up to date.
    again = upload(admin, text)
    assert "0 booked, 0 brought up to date, 3 already booked as listed." in again.content.decode()
    fixed = upload(admin, "number,first_name,last_name\nA-2,José Luis,Núñez\n")
    assert "0 booked, 1 brought up to date, 0 already booked as listed." in fixed.content.decode()
    assert Resident.objects.get(number="A-2").first_name == "José Luis"
    updated = AuditEvent.objects.filter(action="resident.booking_updated").order_by("id").last()
    assert updated.data == {"before": {"first_name": "José"}}
    assert AuditEvent.objects.filter(action="resident.booked").count() == 2
    units = set(
        HousingUnit.objects.filter(facility=world.facility_1).values_list("name", flat=True)
    )
    assert units == {"A Block", "B Pod", "C Pod"}  # A Block was Maria's


def test_an_agency_admin_books_at_any_facility_of_their_agency(world):
    agency_admin = t.make_staff(
        "agencyadmin", role=Role.AGENCY_ADMIN, agency=world.facility_1.agency
    )
    response = client_for(agency_admin).post(BOOK, one())
    assert response.status_code == 200
    assert Resident.objects.get(number="A-10442").facility == world.facility_1


def test_a_long_roster_lists_a_hundred_on_the_answer_and_counts_the_rest(world):
    lines = "".join(f"B-{n},First{n},Last{n}\n" for n in range(150))
    response = upload(client_for(world.facility_admin), "number,first_name,last_name\n" + lines)
    text = response.content.decode()
    assert "150 booked" in text and "And 50 more: find them under" in text
    assert len(re.findall(r'href="/console/residents/\d+/"', text)) == 100
    assert Resident.objects.filter(number__startswith="B-").count() == 150


# --- what is refused, and saves nothing -------------------------------------------------


HEADER = "number,first_name,last_name\n"
GOOD = "A-9,Good,Line\n"  # a line that could be booked: it is not, beside a bad one


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "The submitted file is empty."),
        (HEADER, "The file lists nobody"),
        ("id,name\n1,Rosa\n", "it has no resident number, first name, last name"),
        (HEADER + GOOD + "A-1,Rosa,\n", "Line 3: The last name is missing."),
        (HEADER + GOOD + "A 1,Rosa,Diaz\n", "Line 3: The resident number “A 1” is not"),
        (HEADER + GOOD + "A-1,Ro\x07sa,Diaz\n", "Line 3: The first name has a character"),
        (HEADER + GOOD + f"A-1,{'x' * 101},Diaz\n", "Line 3: The first name is longer than 100"),
        (HEADER + GOOD + "A-9,Ana,Diaz\n", "Line 3: Resident number A-9 is also on line 2."),
        (HEADER + GOOD + 'A-1,"Rosa,Diaz\n', "not CSV"),
    ],
)
def test_a_bad_file_books_nobody_and_names_what_is_wrong(world, text, said):
    before, events = residents(), AuditEvent.objects.count()
    response = upload(client_for(world.facility_admin), text)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was booked." in body
    assert said in body, body
    assert residents() == before
    assert AuditEvent.objects.count() == events


def test_a_file_that_is_not_utf8_or_too_big_or_too_long_is_refused(world):
    admin = client_for(world.facility_admin)
    before = residents()
    response = upload(admin, "number,first_name,last_name\nA-1,Jos\xe9,Diaz\n".encode("latin-1"))
    assert response.status_code == 400 and "not UTF-8 text" in response.content.decode()
    big = b"number,first_name,last_name\n" + b"A-1,Rosa,Diaz\n" * (
        bookings.MAX_FILE_BYTES // 14 + 1
    )
    response = upload(admin, big)
    assert response.status_code == 400 and "bigger than 1 MB" in response.content.decode()
    many = "number,first_name,last_name\n" + "".join(
        f"C-{n},A,B\n" for n in range(bookings.MAX_ROWS + 1)
    )
    response = upload(admin, many)
    assert response.status_code == 400 and "more than 5,000 people" in response.content.decode()
    response = admin.post(UPLOAD, {})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert residents() == before


def test_a_transfer_is_listed_not_booked_and_the_rest_booked(world):
    """One person coming from elsewhere must not hold up the roster: the file books the
    others, and a person released from here comes back."""
    auburn = t.make_facility("auburn", agency=world.facility_1.agency, name="Auburn Correctional")
    t.make_resident(auburn, "NY5005", first_name="Leo", last_name="Park")
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    text = HEADER + "A-1,Rosa,Diaz\nNY5005,Leo,Park\nNY1001,Maria,Lopez\n"
    response = upload(client_for(world.facility_admin), text)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "1 booked, 1 booked again, 0 brought up to date, 0 already booked as listed, 1 not booked."
    ) in body
    assert (
        "Line 3: NY5005 (Leo Park) is in custody at Auburn Correctional; transfers between "
        "facilities are not offered yet."
    ) in body
    again = body.split('id="booked-again"')[1].split("</section>")[0]
    assert "Maria Lopez</a> (NY1001)" in again and "new kiosk PIN" in again
    assert Resident.objects.get(number="A-1").facility == world.facility_1
    assert Resident.objects.get(number="NY5005").facility == auburn
    assert Resident.objects.get(number="NY1001").in_custody


def test_the_form_books_a_released_person_again(world):
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    response = client_for(world.facility_admin).post(
        BOOK, one(number="NY1001", first="Maria", last="Lopez")
    )
    assert response.status_code == 200
    assert "Booked again" in response.content.decode()
    maria = Resident.objects.get(number="NY1001")
    assert maria.in_custody and maria.stays == 2


def test_a_released_person_is_not_booked_again_by_another_facilitys_admin(world):
    """Their number is the agency's, but they were released from Greenhaven: at Auburn
    that is a transfer, which the form refuses with its reason."""
    auburn = t.make_facility("auburn", agency=world.facility_1.agency, name="Auburn Correctional")
    admin = t.make_staff("auburnadmin", role=Role.FACILITY_ADMIN, facility=auburn)
    release_resident(staff=world.facility_admin, resident_id=world.resident.pk)
    response = client_for(admin).post(
        "/console/roster/auburn/book/", one(number="NY1001", first="Maria", last="Lopez")
    )
    assert response.status_code == 400
    assert "booking them at another facility is a transfer" in response.content.decode()
    assert not Resident.objects.get(number="NY1001").in_custody


def test_the_form_marks_missing_fields_and_books_nobody(world):
    before = residents()
    response = client_for(world.facility_admin).post(BOOK, one(first=""))
    assert response.status_code == 400
    assert "Fix the fields marked below" in response.content.decode()
    assert residents() == before


def test_names_are_shown_escaped(world):
    client_for(world.facility_admin).post(BOOK, one(first="<b>Rosa</b>"))
    page = client_for(world.facility_admin).get(
        f"/console/residents/{Resident.objects.get(number='A-10442').pk}/"
    )
    assert (
        "<b>Rosa</b>" not in page.content.decode()
        and "&lt;b&gt;Rosa&lt;/b&gt;" in page.content.decode()
    )


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer_1", "investigator", "contact_a"])
def test_staff_without_an_admin_role_and_contacts_are_refused(world, persona):
    person = getattr(world, persona)
    client = client_for(getattr(person, "user", person))
    before, events = residents(), AuditEvent.objects.count()
    assert client.get(PAGE).status_code == 403
    assert client.post(BOOK, one()).status_code == 403
    assert (
        client.post(
            UPLOAD, {"file": roster_file("number,first_name,last_name\nA-1,R,D\n")}
        ).status_code
        == 403
    )
    assert (
        residents() == before
        and AuditEvent.objects.filter(action__startswith="resident.").count() == 0
    )
    assert AuditEvent.objects.count() >= events


@pytest.mark.parametrize("persona", ["reviewer_2", "admin_of_facility_2"])
def test_staff_of_another_facility_get_not_found(world, persona):
    if persona == "admin_of_facility_2":
        user = t.make_staff("admin2", role=Role.FACILITY_ADMIN, facility=world.facility_2)
    else:
        user = world.reviewer_2
    before = residents()
    client = client_for(user)
    assert client.get(PAGE).status_code == 404
    assert client.post(BOOK, one()).status_code == 404
    assert (
        client.post(
            UPLOAD, {"file": roster_file("number,first_name,last_name\nA-1,R,D\n")}
        ).status_code
        == 404
    )
    assert residents() == before


def test_signed_out_visitors_are_sent_to_sign_in_and_a_get_books_nobody(world):
    before = residents()
    for address in (PAGE, BOOK, UPLOAD):
        response = Client().post(address, one())
        assert response.status_code == 302 and "/console/signin/" in response["Location"]
    admin = client_for(world.facility_admin)
    assert admin.get(BOOK).status_code == 405 and admin.get(UPLOAD).status_code == 405
    assert residents() == before
