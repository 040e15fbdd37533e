"""Bookings under real parallelism (PostgreSQL): thirty admins uploading the same roster at
once book each person once, and two files naming one new person at once book them once;
nobody gets an error from the database."""

from __future__ import annotations

import pytest
from django.db import connection as db

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.people.models import Resident, StaffMembership
from homeward.roster import bookings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
Role = StaffMembership.Role


@pytest.fixture
def admins():
    facility = t.make_facility("greenhaven")
    return facility, [
        t.make_staff(f"admin{n}", role=Role.FACILITY_ADMIN, facility=facility) for n in range(30)
    ]


ROSTER = "number,first_name,last_name,housing_unit\n" + "".join(
    f"A-{n},First{n},Last{n},Pod {n % 3}\n" for n in range(40)
)


def test_the_same_roster_uploaded_at_once_books_each_person_once(admins):
    facility, staff = admins
    listed = bookings.read_file(ROSTER.encode())
    done = in_threads(
        len(staff),
        lambda i: bookings.book(staff=staff[i], facility=facility, bookings=listed),
    )
    assert not [d for d in done if isinstance(d, Exception)], done
    assert sorted(len(d.booked) for d in done) == [0] * 29 + [40]
    assert sorted(d.unchanged for d in done) == [0] + [40] * 29
    assert Resident.objects.count() == 40
    assert AuditEvent.objects.filter(action="resident.booked").count() == 40
    assert facility.units.filter(name__startswith="Pod ").count() == 3


def test_two_files_naming_one_new_person_at_once_book_them_once(admins):
    facility, staff = admins
    files = [
        "number,first_name,last_name\nB-1,Rosa,Diaz\nB-2,Ana,Ruiz\n",
        "number,first_name,last_name\nB-1,Rosa,Díaz\nB-3,Eva,Sosa\n",
    ]
    done = in_threads(
        2,
        lambda i: bookings.book(
            staff=staff[i], facility=facility, bookings=bookings.read_file(files[i].encode())
        ),
    )
    assert not [d for d in done if isinstance(d, Exception)], done
    assert sorted(r.number for r in Resident.objects.all()) == ["B-1", "B-2", "B-3"]
    # Whoever came second brought B-1's name up to date with their file.
    assert sorted((len(d.booked), len(d.updated)) for d in done) == [(1, 1), (2, 0)]


def test_thirty_admins_booking_a_released_person_at_once_bring_them_back_once(admins):
    """One stay more, not thirty: the others find them in custody, as booked."""
    from homeward.roster.services import release_resident

    facility, staff = admins
    maria = t.make_resident(facility, "NY1001", first_name="Maria", last_name="Lopez")
    release_resident(staff=staff[0], resident_id=maria.pk)
    listed = bookings.read_file(b"number,first_name,last_name\nNY1001,Maria,Lopez\n")
    done = in_threads(
        len(staff), lambda i: bookings.book(staff=staff[i], facility=facility, bookings=listed)
    )
    assert not [d for d in done if isinstance(d, Exception)], done
    assert sorted(len(d.again) for d in done) == [0] * 29 + [1]
    assert sorted(d.unchanged for d in done) == [0] + [1] * 29
    maria.refresh_from_db()
    assert maria.in_custody and maria.stays == 2
    assert AuditEvent.objects.filter(action="resident.booked_again").count() == 1
