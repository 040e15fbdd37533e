"""The one reader of typed amounts: dollars with a point before the cents, commas only
grouping thousands, and a sentence that says what to type for anything else."""

from __future__ import annotations

import pytest

from homeward.core.errors import DomainError
from homeward.core.money import parse_amount


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("20", 2000),
        ("12.50", 1250),
        ("$2", 200),
        ("$ 7", 700),
        (" 3.5 ", 350),
        ("\u00a04.25\t", 425),  # a no-break space pasted around it
        (".25", 25),
        ("0", 0),
        ("0.40", 40),
        ("1,000.50", 100050),
        ("12,345", 1234500),
        ("$1,234.5", 123450),
        ("1,000,000", 100_000_000),
        ("007.5", 750),
    ],
)
def test_dollars_as_written_are_read_to_the_cent(typed, cents):
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        # A decimal comma is never $150 (nor a guess at $1.50): the message shows how.
        ("1,50", "write 1.50, not 1,50"),
        ("0,40", "write 0.40, not 0,40"),
        ("1,00", "write 1.00, not 1,00"),
        ("1,5", "write 1.50"),
        (",5", "write 0.50"),
        ("1.000,50", "write 1,000.50"),
        ("1,000,50", "write 1,000.50"),
        # Grouping that is not in threes.
        ("10,0000", "Commas may only group thousands"),
        ("1,0", "write 1.00"),
        ("12,34,567", "Commas may only group thousands"),
        ("1,000.5,0", "Commas may only group thousands"),
        # Everything else that is not dollars.
        ("1.234", "at most two digits after the point"),
        ("-1", "cannot be negative"),
        ("-$5", "cannot be negative"),
        ("$-5", "cannot be negative"),
        ("+5", "such as 20 or 12.50"),
        ("1e3", "such as 20 or 12.50"),
        ("", "such as 20 or 12.50"),
        ("   ", "such as 20 or 12.50"),
        ("$", "such as 20 or 12.50"),
        (".", "such as 20 or 12.50"),
        ("20.", "such as 20 or 12.50"),
        ("1.2.3", "such as 20 or 12.50"),
        ("12.x", "such as 20 or 12.50"),
        ("abc", "such as 20 or 12.50"),
        ("1 000", "such as 20 or 12.50"),
        ("$$5", "such as 20 or 12.50"),
        ("9" * 40, "such as 20 or 12.50"),
        ("１", "digits 0 to 9"),
        ("²", "digits 0 to 9"),
        ("1.²", "digits 0 to 9"),
        ("٣", "digits 0 to 9"),
    ],
)
def test_anything_else_is_refused_with_what_to_type(typed, says):
    with pytest.raises(DomainError) as refused:
        parse_amount(typed)
    assert refused.value.code == "bad_amount"
    assert says in refused.value.message
