"""The facility directory (facilities/selectors.py): a family member finds the facility
by state and by words of its name or city, and an unknown code is "not found"."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from homeward import builders as t
from homeward.core.errors import NotFound
from homeward.facilities import selectors
from homeward.facilities.models import Facility


@pytest.fixture
def directory(db: None) -> dict[str, Facility]:
    """Three states, two agencies in New York; one city with a letter outside ASCII."""
    ny = t.make_agency("nydoc", state="NY")
    co = t.make_agency("codoc", state="CO")
    return {
        "greenhaven": t.make_facility(
            "greenhaven", agency=ny, name="Green Haven Correctional", city="Stormville"
        ),
        "sing-sing": t.make_facility(
            "sing-sing", agency=ny, name="Sing Sing Correctional", city="Ossining"
        ),
        "fremont": t.make_facility(
            "fremont", agency=co, name="Fremont Correctional", city="Cañon City"
        ),
        "travis": t.make_facility(
            "travis",
            agency=t.make_agency("tx", state="TX"),
            name="Travis County Jail",
            city="Austin",
            type=Facility.Type.JAIL,
        ),
    }


def codes(facilities: Iterable[Facility]) -> list[str]:
    return [facility.code for facility in facilities]


def test_no_filter_lists_every_facility_by_name(directory: dict[str, Facility]) -> None:
    assert codes(selectors.search_facilities()) == [
        "fremont",
        "greenhaven",
        "sing-sing",
        "travis",
    ]


@pytest.mark.parametrize("state", ["NY", "ny", " Ny "])
def test_state_filter_ignores_case_and_spaces(directory: dict[str, Facility], state: str) -> None:
    assert codes(selectors.search_facilities(state=state)) == ["greenhaven", "sing-sing"]


def test_a_state_with_no_facility_finds_nothing(directory: dict[str, Facility]) -> None:
    assert codes(selectors.search_facilities(state="WY")) == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("haven", ["greenhaven"]),  # part of the name
        ("OSSINING", ["sing-sing"]),  # the city, in any case
        ("correctional", ["fremont", "greenhaven", "sing-sing"]),
        ("sing ossining", ["sing-sing"]),  # every word must match, name or city
        ("sing austin", []),
        ("   ", ["fremont", "greenhaven", "sing-sing", "travis"]),  # blank is no filter
        ("Cañon", ["fremont"]),  # typed as written, with its accent
    ],
)
def test_query_words_match_name_or_city(
    directory: dict[str, Facility], query: str, found: list[str]
) -> None:
    assert codes(selectors.search_facilities(query=query)) == found


def test_state_and_words_narrow_together(directory: dict[str, Facility]) -> None:
    assert codes(selectors.search_facilities(state="ny", query="correctional")) == [
        "greenhaven",
        "sing-sing",
    ]
    assert codes(selectors.search_facilities(state="TX", query="correctional")) == []


def test_a_capital_accented_letter_matches_its_small_letter(
    directory: dict[str, Facility],
) -> None:
    assert codes(selectors.search_facilities(query="CAÑON")) == ["fremont"]


def test_a_city_typed_without_its_accent_is_found(directory: dict[str, Facility]) -> None:
    assert codes(selectors.search_facilities(query="canon city")) == ["fremont"]


def test_a_facility_is_found_by_its_exact_code(directory: dict[str, Facility]) -> None:
    found = selectors.facility_by_code("sing-sing")
    assert found == directory["sing-sing"]
    assert found.policy.review_mode  # the policy comes with it


@pytest.mark.parametrize("code", ["nowhere", "SING-SING", "sing", ""])
def test_any_other_code_is_not_found(directory: dict[str, Facility], code: str) -> None:
    with pytest.raises(NotFound) as err:
        selectors.facility_by_code(code)
    assert err.value.code == "facility_not_found"
    assert err.value.status == 404


def test_states_offered_are_those_with_facilities_once_each(
    directory: dict[str, Facility],
) -> None:
    assert selectors.states_with_facilities() == ["CO", "NY", "TX"]


def test_an_empty_directory_offers_no_state_and_finds_nothing(db: None) -> None:
    assert selectors.states_with_facilities() == []
    assert not selectors.search_facilities(query="anything").exists()
