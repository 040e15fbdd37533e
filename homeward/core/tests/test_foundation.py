"""Settings helpers, the business calendar, and the tamper-evident audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from homeward.core import audit
from homeward.core.calendar import add_business_hours
from homeward.core.env import env_bool, env_int, env_list
from homeward.core.models import AuditEvent


def test_env_helpers_reject_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_BOOL", "Yes")
    assert env_bool("X_BOOL", False) is True
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("X_INT", 10, minimum=5)
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", ["d"]) == ["d"]


HOURS = {day: ["08:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_review_due_time_counts_only_business_hours():
    # Friday 2026-11-27 15:00 New York (20:00 UTC); 8 business hours: 2 on Friday, 6 on Monday.
    due = add_business_hours(
        utc(2026, 11, 27, 20, 0), 8, tz="America/New_York", business_hours=HOURS, holidays=[]
    )
    assert due == utc(2026, 11, 30, 19, 0)  # Monday 14:00 New York


def test_holidays_are_skipped_and_night_starts_at_opening():
    # Wednesday 2026-12-23 at 23:00 New York; Thursday the 24th and Friday the 25th closed.
    due = add_business_hours(
        utc(2026, 12, 24, 4, 0),
        1,
        tz="America/New_York",
        business_hours=HOURS,
        holidays=["2026-12-24", "2026-12-25"],
    )
    assert due == utc(2026, 12, 28, 14, 0)  # Monday 09:00 New York


def test_no_business_hours_means_around_the_clock():
    start = utc(2026, 11, 28, 3, 0)
    assert add_business_hours(start, 5, tz="UTC", business_hours={}, holidays=[]) == utc(
        2026, 11, 28, 8, 0
    )


def test_audit_chain_detects_an_edited_or_deleted_event(db):
    events = [
        audit.record(actor="system", action="test.event", object_type="x", object_id=i)
        for i in range(5)
    ]
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 5  # written without a lock
    assert audit.seal() == 5
    assert audit.seal() == 0  # nothing new
    assert audit.verify_chain() is None
    AuditEvent.objects.filter(pk=events[1].pk).update(data={"changed": True})
    assert audit.verify_chain() == events[1].pk
    AuditEvent.objects.filter(pk=events[1].pk).update(data={})
    assert audit.verify_chain() is None
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    assert audit.verify_chain() == events[3].pk


def test_deleting_the_newest_sealed_events_is_detected(db):
    for i in range(3):
        audit.record(actor="system", action="test.event", object_type="x", object_id=i)
    audit.seal()
    AuditEvent.objects.order_by("-seq").first().delete()
    assert audit.verify_chain() == -1


def test_events_written_after_a_seal_join_the_chain_at_the_next(db):
    audit.record(actor="system", action="first", object_type="x", object_id=1)
    audit.seal()
    late = audit.record(actor="system", action="second", object_type="x", object_id=2)
    assert late.seq is None
    audit.seal()
    late.refresh_from_db()
    assert late.seq == 2
    assert audit.verify_chain() is None
