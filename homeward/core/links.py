"""Addresses of pages, for links in emails: the domain names what a link is for, and the
surface that serves the page says where it is.

A domain service never builds a surface's URL itself (that would make it import the
surface). The surface registers a builder for each purpose when Django starts, in its
``AppConfig.ready``; ``absolute`` then gives the full address under ``SITE_URL``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

_BUILDERS: dict[str, Callable[[str], str]] = {}


def register(purpose: str, builder: Callable[[str], str]) -> None:
    """``builder`` turns a value (such as a token) into a path on this site."""
    _BUILDERS[purpose] = builder


def absolute(purpose: str, value: str) -> str:
    try:
        builder = _BUILDERS[purpose]
    except KeyError:
        raise LookupError(f"No page is registered for links to {purpose!r}.") from None
    return f"{settings.SITE_URL}{builder(value)}"
