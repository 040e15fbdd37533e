"""Reading a roster file: the columns by their names, in any order and spelling of case,
blank lines skipped, white space tidied, every bad line named."""

from __future__ import annotations

import pytest

from homeward.roster import bookings
from homeward.roster.bookings import Booking, InvalidBookings


def test_the_columns_are_found_by_name_in_any_order():
    data = "HOUSING_UNIT,last-name,Number,first name,notes\nB Pod,Diaz,A-1,Rosa,likes books\n"
    assert bookings.read_file(data.encode()) == [Booking(2, "A-1", "Rosa", "Diaz", "B Pod")]


def test_blank_lines_are_skipped_and_white_space_tidied():
    data = "number,first_name,last_name\r\n\r\n,,\r\n  A-2 ,  José   Luis ,Núñez\r\n"
    assert bookings.read_file(data.encode()) == [Booking(4, "A-2", "José Luis", "Núñez", "")]


def test_every_bad_line_is_named_at_once():
    data = "number,first_name,last_name\nA-1,,Diaz\nA-2,Ana,Ruiz\n#3,Eva,\n"
    with pytest.raises(InvalidBookings) as refused:
        bookings.read_file(data.encode())
    assert refused.value.problems == [
        "Line 2: The first name is missing.",
        "Line 4: The last name is missing.",
    ]


@pytest.mark.parametrize("number", ["A-1", "NY1001", "2024-000123", "x"])
def test_resident_numbers_are_letters_and_digits_with_hyphens_between(number):
    assert isinstance(
        bookings.checked(0, {"number": number, "first_name": "a", "last_name": "b"}), Booking
    )


@pytest.mark.parametrize("number", ["A 1", "-A1", "A1-", "A--1", "A/1", "Ñ1"])
def test_other_numbers_are_refused_with_the_number_shown(number):
    said = bookings.checked(0, {"number": number, "first_name": "a", "last_name": "b"})
    assert said == (
        f"The resident number “{number}” is not letters and digits (hyphens allowed between them)."
    )
