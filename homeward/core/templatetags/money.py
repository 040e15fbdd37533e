"""``{{ cents|dollars }}``: integer cents as dollars, the minus sign in front ("-$1.20")."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def dollars(cents: int | None) -> str:
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
