"""Business calendar: when is a review due, counting only a facility's working hours.

Hours are facility-local: ``{"mon": ["08:00", "17:00"], ...}``; a weekday that is missing
is closed. Holidays are ISO dates. Results are aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = {day: ["08:00", "17:00"] for day in WEEKDAYS[:5]}


def _parse_hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def validate_hours(hours: dict[str, list[str]]) -> None:
    if not isinstance(hours, dict):
        raise TypeError("hours are a mapping of weekday to [opening, closing]")
    for day, span in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}")
        start, end = (_parse_hhmm(v) for v in span)
        if start >= end:
            raise ValueError(f"{day}: opening time must be before closing time")


def validate_holidays(holidays: list[str]) -> None:
    """Holidays are a list of dates written YYYY-MM-DD."""
    if not isinstance(holidays, list):
        raise TypeError("holidays are a list of dates written YYYY-MM-DD")
    for day in holidays:
        try:
            dt.date.fromisoformat(day)
        except (TypeError, ValueError):
            raise ValueError(f"{day!r} is not a date written YYYY-MM-DD") from None


def validate_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"{name!r} is not a time zone name such as America/New_York") from None


def add_business_hours(
    start: dt.datetime,
    hours: float,
    *,
    tz: str,
    business_hours: dict[str, list[str]],
    holidays: list[str],
) -> dt.datetime:
    """Return the moment ``hours`` working hours after ``start``.

    With no working hours at all, time counts around the clock.
    """
    if not business_hours:
        return start + dt.timedelta(hours=hours)
    zone = ZoneInfo(tz)
    closed = {dt.date.fromisoformat(d) for d in holidays}
    remaining = dt.timedelta(hours=hours)
    cursor = start.astimezone(zone)
    for _ in range(3660):  # ten years of days is far past any real target
        day = cursor.date()
        span = business_hours.get(WEEKDAYS[day.weekday()])
        if span and day not in closed:
            open_at = dt.datetime.combine(day, _parse_hhmm(span[0]), zone)
            close_at = dt.datetime.combine(day, _parse_hhmm(span[1]), zone)
            begin = max(cursor, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(dt.UTC)
                remaining -= available
        cursor = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone)
    raise ValueError("business hours never open")
