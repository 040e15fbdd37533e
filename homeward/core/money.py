"""The one reader of amounts that people type: dollars as text → integer cents.

Homeward's money is US dollars, and dollars are written with "." before the cents in every
language the product speaks ("1.50", never "1,50"). A comma is accepted only where it
groups thousands ("1,000.50", "12,345"); "1,50" is refused with a message that says how to
write it, because reading it as $150.00 or as $1.50 would both be a guess about money.
Every form that takes an amount (wallet and trust deposits, the console's prices, fees,
caps and stamp packs) reads it here; callers check their own limits on the cents.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from homeward.core.errors import DomainError

CODE = "bad_amount"
# Long enough for any real amount with grouping; longer text is not an amount.
MAX_LENGTH = 32
# Marked here, translated when said.
EXAMPLE = gettext_noop("Enter an amount in dollars, such as 20 or 12.50.")

# Whole dollars, plain ("1000") or grouped in threes ("1,000"), then up to two decimals.
AMOUNT = re.compile(r"(?P<whole>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)?(?:\.(?P<cents>[0-9]*))?")
# "1,50", "0,4", "1,000,50": a comma used for cents (with "." or "," for thousands).
DECIMAL_COMMA = re.compile(r"(?P<whole>[0-9]{1,3}(?:[.,][0-9]{3})*|[0-9]+)?,(?P<cents>[0-9]{1,2})")


def _refuse(message: str) -> DomainError:
    return DomainError(CODE, message)


def _decimal_comma_hint(typed: str) -> str | None:
    """What to write instead of an amount with a decimal comma, or None if it is not one."""
    match = DECIMAL_COMMA.fullmatch(typed)
    if match is None:
        return None
    whole = (match.group("whole") or "0").replace(".", "").replace(",", "")
    cents = match.group("cents").ljust(2, "0")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{cents}"


def parse_amount(text: str) -> int:
    """Dollars as typed ("20", "$12.50", " 3.5 ", "1,000.50", ".25") → cents.

    Raises DomainError("bad_amount") with a sentence that says what to type instead for
    anything else: an empty amount, a decimal comma ("1,50"), grouping that is not in
    threes ("10,0000"), more than two decimals, a sign, an exponent, digits other than
    0-9. Zero is an amount; whether it is allowed is the caller's rule.
    """
    typed = text.strip()
    if len(typed) > MAX_LENGTH:
        raise _refuse(_(EXAMPLE))
    if typed.startswith("$"):
        typed = typed[1:].lstrip()
    if not typed:
        raise _refuse(_(EXAMPLE))
    if not typed.isascii():
        raise _refuse(_("Write the amount with the digits 0 to 9, such as 12.50."))
    if typed[0] == "-":  # "-5", "-$5" and "$-5"
        raise _refuse(_("An amount cannot be negative."))
    hint = _decimal_comma_hint(typed)
    if hint is not None:
        raise _refuse(
            _("Use a point for cents: write %(hint)s, not %(typed)s.")
            % {"hint": hint, "typed": typed}
        )
    match = AMOUNT.fullmatch(typed)
    if match is None or not (match.group("whole") or match.group("cents")):
        if "," in typed and re.fullmatch(r"[0-9.,]+", typed):
            raise _refuse(_("Commas may only group thousands, as in 1,000.50."))
        raise _refuse(_(EXAMPLE))
    whole = (match.group("whole") or "0").replace(",", "")
    cents = match.group("cents")
    if cents is not None:
        if not cents:
            raise _refuse(_(EXAMPLE))  # "20." or "."
        if len(cents) > 2:
            raise _refuse(_("Amounts go to the cent: at most two digits after the point."))
    return int(whole) * 100 + int((cents or "").ljust(2, "0"))
