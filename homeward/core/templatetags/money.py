"""Money on screen: ``{{ cents|dollars }}`` ("-$1.20", the sign in front) and
``{{ basis_points|percent }}`` (250 → "2.5%")."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def dollars(cents: int | None) -> str:
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


@register.filter
def percent(basis_points: int) -> str:
    return f"{basis_points / 100:g}%"
