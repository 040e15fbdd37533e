"""Bookings: people come onto a facility's roster.

A facility admin books one person from the console, or uploads the file the facility's jail
management system writes: CSV text with a header line naming the columns ``number``,
``first_name`` and ``last_name``, and ``housing_unit`` if it has one (other columns are not
read). A roster file may list everyone in custody each time: a person already in custody at
the facility is left as they are, or their name and housing unit are brought up to date.

The whole file is checked before anything is saved, and then booked in one transaction:
a line that is not a booking (a number that is not one, a name missing, a number twice)
and nothing changes, and the answer names every such line. Bookings of an agency are made
one at a time (its row is locked), as resident numbers are the agency's.

A person released from the facility and booked there again comes back under their number,
with their history: in custody again, on their next stay (``Resident.stays``, which keeps
the money of each release apart), their name and housing unit as the booking says (no
unit if it names none: the old one is long gone), their connections as they were when they
left (the contacts approved then may write again; a connection ended or blocked stays so),
and no kiosk PIN (an admin gives a new one: the old one may have been passed around
outside). Their archive code stops working, as it does for anyone in custody.

Not offered yet: a transfer (a number in custody at another facility of the agency, or
released from another one). Such a line is not booked, and the answer lists it with the
reason; the rest of the file is booked, so that one person does not hold up the roster. A
person booked has no kiosk PIN until an admin gives them one from their page
(``services.new_pin``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.files import File
from django.db import transaction

from homeward.core import audit
from homeward.core.errors import DomainError, NotFound
from homeward.facilities.models import Agency, Facility, HousingUnit
from homeward.people import access
from homeward.people.models import Resident, User

# A file of at most this many people (split a bigger roster) and this many bytes.
MAX_ROWS = 5_000
MAX_FILE_BYTES = 1_000_000
TOO_BIG = f"The file is bigger than {MAX_FILE_BYTES // 1_000_000} MB: split the roster."
# A resident number: letters and digits, with hyphens between (what agencies use).
NUMBER = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
COLUMNS = ("number", "first_name", "last_name", "housing_unit")
REQUIRED = COLUMNS[:3]
# The longest each field may be (the columns of ``Resident`` and ``HousingUnit``).
LONGEST = {"number": 30, "first_name": 100, "last_name": 100, "housing_unit": 100}
LABELS = {
    "number": "resident number",
    "first_name": "first name",
    "last_name": "last name",
    "housing_unit": "housing unit",
}


@dataclass(frozen=True)
class Booking:
    """One person to book: the line of the file it comes from (0 for the console's form)."""

    line: int
    number: str
    first_name: str
    last_name: str
    housing_unit: str = ""


@dataclass(frozen=True)
class Booked:
    """What a booking did."""

    facility: Facility
    booked: list[Resident]  # new to the roster
    updated: list[Resident]  # in custody here already: name or housing unit brought up to date
    again: list[Resident]  # released from here, booked again
    unchanged: int  # in custody here already, as the booking says
    units_added: list[str]  # housing units the facility did not have
    not_booked: list[str]  # why each booking not offered yet was not made (a transfer ...)


class InvalidBookings(DomainError):
    """Nothing was booked: ``problems`` says what is wrong, line by line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid_bookings", " ".join(problems))
        self.problems = problems


def read_upload(upload: File[bytes]) -> list[Booking]:
    """The bookings of an uploaded roster file (not read at all when it is too big)."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise InvalidBookings([TOO_BIG])
    return read_file(upload.read())


def read_file(data: bytes) -> list[Booking]:
    """The bookings of a roster file (raises InvalidBookings saying what is wrong)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidBookings([TOO_BIG])
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's "CSV UTF-8" begins with a BOM
    except UnicodeDecodeError:
        raise InvalidBookings(
            ["The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”."]
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, None)
        if header is None:
            raise InvalidBookings(["The file is empty."])
        columns = [_column(name) for name in header]
        missing = [LABELS[c] for c in REQUIRED if c not in columns]
        if missing:
            raise InvalidBookings(
                [
                    f"The first line names the columns; it has no {', '.join(missing)}. "
                    f"Name them {', '.join(COLUMNS[:3])} (and {COLUMNS[3]} if you have it)."
                ]
            )
        bookings: list[Booking] = []
        problems: list[str] = []
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(bookings) + len(problems) >= MAX_ROWS:
                raise InvalidBookings(
                    [f"The file lists more than {MAX_ROWS:,} people: split the roster."]
                )
            fields = {c: row[i] if i < len(row) else "" for i, c in enumerate(columns) if c}
            found = checked(rows.line_num, fields)
            if isinstance(found, Booking):
                bookings.append(found)
            else:
                problems.append(found)
    except csv.Error as error:
        raise InvalidBookings([f"Line {rows.line_num}: the file is not CSV ({error})."]) from None
    if problems:
        raise InvalidBookings(problems)
    if not bookings:
        raise InvalidBookings(["The file lists nobody: it has only its header line."])
    return bookings


def _column(name: str) -> str:
    """The column a header cell names ("First name", "first_name"), or "" for another."""
    key = re.sub(r"[\s_-]+", "_", name.strip().casefold())
    return key if key in COLUMNS else ""


def checked(line: int, fields: dict[str, str]) -> Booking | str:
    """A booking from one line's fields (line 0: the console's form), or what is wrong
    with them. White space runs are made one space."""
    values = {c: " ".join(fields.get(c, "").split()) for c in COLUMNS}
    at = _at(line)
    for column in COLUMNS:
        value, label = values[column], LABELS[column]
        if not value and column in REQUIRED:
            return f"{at}The {label} is missing."
        if len(value) > LONGEST[column]:
            return f"{at}The {label} is longer than {LONGEST[column]} characters."
        if any(unicodedata.category(ch)[0] == "C" for ch in value):
            return f"{at}The {label} has a character that cannot be shown."
    if not NUMBER.fullmatch(values["number"]):
        return (
            f"{at}The resident number “{values['number']}” is not letters and digits "
            "(hyphens allowed between them)."
        )
    return Booking(line, **values)


def _at(line: int) -> str:
    return f"Line {line}: " if line else ""


def book(*, staff: User, facility: Facility, bookings: list[Booking]) -> Booked:
    """Book everyone listed at ``facility`` (its admins and its agency's) but those whose
    booking is not offered yet (``Booked.not_booked`` says why), or nobody: InvalidBookings
    names the lines listed twice. NotFound for a facility the staff member does not
    administer."""
    if not access.staff_facilities(staff, access.ADMIN_ROLES).filter(pk=facility.pk).exists():
        raise NotFound()
    problems = _repeated(bookings)
    if problems:
        raise InvalidBookings(problems)
    with transaction.atomic():
        # One booking of the agency at a time: a number booked by another admin at once is
        # seen here once theirs is done. (NO KEY: new rows that refer to the agency wait.)
        Agency.objects.select_for_update(no_key=True).filter(pk=facility.agency_id).first()
        known = {
            r.number: r
            for r in Resident.objects.select_for_update(no_key=True, of=("self",))
            .select_related("facility", "housing_unit")
            .filter(agency_id=facility.agency_id, number__in=[b.number for b in bookings])
        }
        refused = {b.line: _refusal(b, known.get(b.number), facility) for b in bookings}
        bookings = [b for b in bookings if not refused[b.line]]
        units, added = _units(facility, bookings)
        booked, updated, again, unchanged = [], [], [], 0
        for booking in bookings:
            unit = units.get(booking.housing_unit)
            resident = known.get(booking.number)
            if resident is None:
                booked.append(_new(staff, facility, booking, unit))
            elif not resident.in_custody:
                again.append(_again(staff, resident, booking, unit))
            elif _bring_up_to_date(staff, resident, booking, unit):
                updated.append(resident)
            else:
                unchanged += 1
    not_booked = [r for r in refused.values() if r]
    return Booked(facility, booked, updated, again, unchanged, added, not_booked)


def _repeated(bookings: list[Booking]) -> list[str]:
    first_at: dict[str, int] = {}
    problems = []
    for booking in bookings:
        if booking.number in first_at:
            problems.append(
                f"{_at(booking.line)}Resident number {booking.number} is also on line "
                f"{first_at[booking.number]}."
            )
        first_at.setdefault(booking.number, booking.line)
    return problems


def _refusal(booking: Booking, resident: Resident | None, facility: Facility) -> str:
    """Why a booking cannot be made, or ""."""
    if resident is None:
        return ""
    if not resident.in_custody and resident.facility_id != facility.pk:
        return (
            f"{_at(booking.line)}{booking.number} ({resident.full_name}) was released from "
            f"{resident.facility.name}; booking them at another facility is a transfer, which "
            "is not offered yet."
        )
    if resident.facility_id != facility.pk:
        return (
            f"{_at(booking.line)}{booking.number} ({resident.full_name}) is in custody at "
            f"{resident.facility.name}; transfers between facilities are not offered yet."
        )
    return ""


def _units(facility: Facility, bookings: list[Booking]) -> tuple[dict[str, HousingUnit], list[str]]:
    """The housing units the bookings name, those the facility lacked added."""
    names = {b.housing_unit for b in bookings if b.housing_unit}
    units = {u.name: u for u in HousingUnit.objects.filter(facility=facility, name__in=names)}
    added = sorted(names - units.keys())
    for name in added:
        units[name] = HousingUnit.objects.create(facility=facility, name=name)
    return units, added


def _new(staff: User, facility: Facility, booking: Booking, unit: HousingUnit | None) -> Resident:
    resident = Resident.objects.create(
        agency_id=facility.agency_id,
        facility=facility,
        housing_unit=unit,
        number=booking.number,
        first_name=booking.first_name,
        last_name=booking.last_name,
        pin_hash=make_password(None),  # no PIN works until an admin gives one
    )
    audit.record(actor=staff, action="resident.booked", obj=resident, facility_id=facility.pk)
    return resident


def _again(staff: User, resident: Resident, booking: Booking, unit: HousingUnit | None) -> Resident:
    """A person released from here, in custody again on their next stay (the module's
    docstring says what comes back and what does not)."""
    resident.status = Resident.Status.IN_CUSTODY
    resident.stays += 1
    resident.first_name, resident.last_name = booking.first_name, booking.last_name
    resident.housing_unit = unit
    resident.pin_hash = make_password(None)  # no PIN works until an admin gives one
    resident.save(
        update_fields=["status", "stays", "first_name", "last_name", "housing_unit", "pin_hash"]
    )
    audit.record(
        actor=staff,
        action="resident.booked_again",
        obj=resident,
        facility_id=resident.facility_id,
        data={"stay": resident.stays},
    )
    return resident


def _bring_up_to_date(
    staff: User, resident: Resident, booking: Booking, unit: HousingUnit | None
) -> bool:
    """Whether a resident in custody here had another name or unit (now the booking's).
    A booking without a housing unit leaves the resident's as it is."""
    changes = {
        "first_name": booking.first_name,
        "last_name": booking.last_name,
        **({"housing_unit": unit} if unit is not None else {}),
    }
    changed = [f for f, value in changes.items() if getattr(resident, f) != value]
    if not changed:
        return False
    before = {f: str(getattr(resident, f) or "") for f in changed}
    for field_name in changed:
        setattr(resident, field_name, changes[field_name])
    resident.save(update_fields=changed)
    audit.record(
        actor=staff,
        action="resident.booking_updated",
        obj=resident,
        facility_id=resident.facility_id,
        data={"before": before},
    )
    return True
