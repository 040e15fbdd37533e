"""A facility's policy: what a new facility does before anyone changes it, and what an
administrator is stopped from saving (the admin form runs ``full_clean``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.db.migrations.executor import MigrationExecutor

from homeward import builders as t
from homeward.facilities.models import Facility, FacilityPolicy

Policy = FacilityPolicy
BEFORE_THE_BOUND = [("facilities", "0009_photo_decisions")]


def test_a_new_facility_takes_requests_reviews_everything_and_refunds_blocks(db: None) -> None:
    facility = t.make_agency("nydoc").facilities.create(
        code="new", name="New", type=Facility.Type.PRISON, state="NY", city="Albany", address="1"
    )
    policy = Policy.objects.create(facility=facility)
    policy.refresh_from_db()
    assert policy.connection_policy == Policy.ConnectionPolicy.CONTACT_REQUESTS
    assert policy.staff_approval is False
    assert policy.review_mode == Policy.ReviewMode.EVERYTHING
    assert policy.refund_on_block is True
    assert policy.show_block_reasons is True
    assert (policy.contact_cap, policy.invite_days, policy.appeal_window_days) == (30, 14, 14)
    assert (policy.sample_percent, policy.review_target_hours) == (10, 8)
    assert policy.message_length_limit == 6000
    weekdays = {day: ["08:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    assert policy.business_hours == weekdays  # closed at weekends
    assert policy.holidays == []
    assert policy.kiosk_hours == ["06:00", "22:00"]
    assert policy.detector_actions == {}
    assert facility.timezone == "America/New_York"
    policy.full_clean()  # the defaults are themselves valid


def test_each_policy_gets_its_own_business_hours(db: None) -> None:
    first = t.make_facility().policy
    second = t.make_facility().policy
    first.business_hours["sat"] = ["09:00", "12:00"]
    first.save()
    second.refresh_from_db()
    assert "sat" not in second.business_hours
    assert "sat" not in Policy().business_hours


def valid(**fields: Any) -> Policy:
    return Policy(facility=Facility(pk=1), **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"business_hours": {"sat": ["10:00", "14:00"]}},
        {"business_hours": {}},  # never open: review time counts around the clock
        {"kiosk_hours": ["00:00", "23:59"]},
        {"sample_percent": 0},
        {"sample_percent": 100},
        {"message_length_limit": 1},
        {"message_length_limit": 20_000},
        {"detector_actions": {"phone": "block", "url": "off", "email": "flag"}},
        {"holidays": ["2026-12-25", "2027-01-01"]},
    ],
)
def test_a_sensible_policy_is_accepted(fields: dict[str, Any]) -> None:
    valid(**fields).clean()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"business_hours": {"monday": ["08:00", "17:00"]}}, "unknown weekday"),
        ({"business_hours": {"mon": ["17:00", "08:00"]}}, "opening time must be before"),
        ({"business_hours": {"mon": ["09:00", "09:00"]}}, "opening time must be before"),
        ({"business_hours": {"mon": ["8am", "5pm"]}}, ""),
        ({"business_hours": {"mon": ["25:00", "26:00"]}}, ""),
        ({"kiosk_hours": ["22:00", "06:00"]}, "opening time must be before"),
        ({"kiosk_hours": ["06:00"]}, ""),
        ({"sample_percent": 101}, "percentage from 0 to 100"),
        ({"message_length_limit": 0}, "at least one character"),
        ({"message_length_limit": 20_001}, "at most 20,000 characters"),
        ({"detector_actions": {"phone": "allow"}}, "flag, block or off"),
        ({"detector_actions": ["phone"]}, "flag, block or off"),
    ],
)
def test_a_policy_that_cannot_work_is_refused_with_a_reason(
    fields: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValidationError) as err:
        valid(**fields).clean()
    assert words in " ".join(err.value.messages)


@pytest.mark.parametrize("holiday", ["25/12/2026", "2026-02-30", "Christmas"])
def test_a_holiday_that_is_not_a_date_is_refused(holiday: str) -> None:
    with pytest.raises(ValidationError):
        valid(holidays=[holiday]).clean()


def test_business_hours_that_are_not_a_mapping_are_refused() -> None:
    with pytest.raises(ValidationError):
        valid(business_hours=["08:00", "17:00"]).clean()


def test_a_facility_with_an_unknown_timezone_is_refused(db: None) -> None:
    facility = t.make_facility()
    facility.timezone = "America/NewYork"
    with pytest.raises(ValidationError):
        facility.full_clean()


def test_no_facility_allows_messages_longer_than_the_longest_there_may_be(db: None) -> None:
    """Not through the admin form (``full_clean``) nor by writing the row directly."""
    policy = t.make_facility().policy
    policy.message_length_limit = 20_001
    with pytest.raises(ValidationError):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Policy.objects.filter(pk=policy.pk).update(message_length_limit=50_000)
    policy.refresh_from_db()
    assert policy.message_length_limit == 6000


@pytest.mark.django_db(transaction=True)
def test_upgrading_bounds_a_longer_limit_and_keeps_every_other() -> None:
    long, usual = t.make_facility("long-a"), t.make_facility("usual-a")
    executor = MigrationExecutor(db)
    executor.migrate(BEFORE_THE_BOUND)
    old = executor.loader.project_state(BEFORE_THE_BOUND).apps.get_model(
        "facilities", "FacilityPolicy"
    )
    old.objects.filter(facility_id=long.pk).update(message_length_limit=100_000)
    old.objects.filter(facility_id=usual.pk).update(message_length_limit=1_500)
    executor = MigrationExecutor(db)
    executor.migrate(executor.loader.graph.leaf_nodes())
    limits = dict(Policy.objects.values_list("facility_id", "message_length_limit"))
    assert (limits[long.pk], limits[usual.pk]) == (20_000, 1_500)
