"""The facility directory and finding a resident by number."""

from __future__ import annotations

from homeward import builders as t
from homeward.people.models import Resident
from homeward.personas import error_of


def test_directory_lists_facilities_with_their_policy_words(world, anon):
    response = anon.get("/directory")
    assert response.status_code == 200
    assert response.json()["next_page"] is None
    by_code = {f["code"]: f for f in response.json()["facilities"]}
    assert set(by_code) == {"greenhaven", "travis-jail"}
    travis = by_code["travis-jail"]
    assert travis == {
        "code": "travis-jail",
        "name": "Travis County Jail",
        "type": "jail",
        "state": "TX",
        "city": "Austin",
        "services": ["messaging"],
        "connection_policy": "contact_requests",
        "review_mode": "flagged",
        "message_length_limit": 6000,
    }


def _codes(anon, **asked) -> list[str]:
    return [f["code"] for f in anon.get("/directory", asked).json()["facilities"]]


def test_directory_filters_by_state_and_words(world, anon):
    assert _codes(anon, state="tx") == ["travis-jail"]
    assert _codes(anon, q="green") == ["greenhaven"]
    assert _codes(anon, state="TX", q="green") == []


def test_directory_rejects_a_bad_state_naming_the_field(world, anon):
    for path in ("/directory", "/facilities"):
        response = anon.get(path, {"state": "Texas"})
        assert response.status_code == 422
        assert "state" in error_of(response)["message"]


def test_the_directory_comes_in_pages_by_name_each_facility_once(world, anon):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ohio = t.make_agency("ohio", state="OH")
    for number in range(123):
        t.make_facility(f"county-{number:03}", agency=ohio, name=f"County Jail {number:03}")
    pages, number = [], 1
    while number is not None:
        answer = anon.get("/directory", {"state": "oh", "page": number}).json()
        pages.append([f["code"] for f in answer["facilities"]])
        number = answer["next_page"]
    assert [len(p) for p in pages] == [50, 50, 23]
    assert sum(pages, []) == [f"county-{number:03}" for number in range(123)]
    ohio.facilities.update(name="County Jail")  # one name: pages by code, each once
    names = [anon.get("/directory", {"state": "oh", "page": p}).json() for p in (1, 2, 3)]
    assert sum(([f["code"] for f in n["facilities"]] for n in names), []) == sum(pages, [])
    with_07 = [f"county-{n:03}" for n in range(123) if "07" in f"{n:03}"]
    assert _codes(anon, state="oh", q="jail 07", limit=200) == with_07

    def queries(number: int) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert anon.get("/directory", {"page": number}).status_code == 200
        return len(seen)

    assert queries(1) == queries(3)  # a page costs the same wherever it is
    whole = anon.get("/directory", {"limit": 200}).json()
    assert len(whole["facilities"]) == 125 and whole["next_page"] is None
    assert anon.get("/directory", {"page": 9}).json() == {"facilities": [], "next_page": None}
    for bad in ({"limit": 0}, {"limit": 201}, {"page": 0}, {"page": "two"}):
        response = anon.get("/directory", bad)
        assert response.status_code == 422 and error_of(response)["code"] == "invalid_input"


def test_the_old_address_lists_every_facility_and_says_it_is_deprecated(world, anon):
    ohio = t.make_agency("ohio", state="OH")
    for number in range(60):
        t.make_facility(f"county-{number:03}", agency=ohio, name=f"County Jail {number:03}")
    old = anon.get("/facilities")
    assert old["Deprecation"].startswith("@")
    assert old["Link"] == '</api/v1/directory>; rel="successor-version"'
    assert len(old.json()) == 62
    assert old.json() == anon.get("/directory", {"limit": 200}).json()["facilities"]
    assert "Deprecation" not in anon.get("/directory")


def test_facility_detail_shows_policy_in_machine_words(world, anon):
    body = anon.get("/facilities/greenhaven").json()
    assert body["agency"] == {"code": "nydocs", "name": "New York Department of Corrections"}
    policy = body["policy"]
    assert policy["connection_policy"] == "contact_requests"
    assert policy["review_mode"] == "everything"
    assert policy["show_block_reasons"] is True
    assert policy["kiosk_hours"] == ["00:00", "23:59"]
    assert policy["business_hours"]["mon"] == ["08:00", "17:00"]


def test_unknown_facility_is_404(world, anon):
    response = anon.get("/facilities/nowhere")
    assert response.status_code == 404
    assert error_of(response)["code"] == "facility_not_found"


def test_contact_finds_their_resident_with_the_connection(world, api_a, connection_a):
    response = api_a.get("/facilities/greenhaven/residents/NY1001")
    assert response.status_code == 200
    assert response.json() == {
        "number": "NY1001",
        "display_name": "Maria L.",
        "facility": {"code": "greenhaven", "name": "Greenhaven Correctional"},
        "in_custody": True,
        "connection": {"id": connection_a.pk, "status": "active"},
    }


def test_another_contact_sees_no_connection(world, api_b):
    body = api_b.get("/facilities/greenhaven/residents/ny1001").json()
    assert body["number"] == "NY1001" and body["connection"] is None


def test_resident_at_another_facility_is_not_found(world, api_a):
    response = api_a.get("/facilities/greenhaven/residents/TX2002")
    assert response.status_code == 404
    assert error_of(response)["code"] == "resident_not_found"
    assert "TX2002" in error_of(response)["message"]


def test_unknown_number_is_not_found(world, api_a):
    response = api_a.get("/facilities/greenhaven/residents/NY9999")
    assert error_of(response)["code"] == "resident_not_found"


def test_released_resident_is_shown_out_of_custody(world, api_a):
    Resident.objects.filter(pk=world.resident.pk).update(status=Resident.Status.RELEASED)
    body = api_a.get("/facilities/greenhaven/residents/NY1001").json()
    assert body["in_custody"] is False


def test_the_resident_number_matches_whatever_its_case(world, api_a):
    t.make_resident(world.facility_1, "TC30001", first_name="Jorge", last_name="Ramírez")
    for asked in ("tc30001", "Tc30001", "TC30001"):
        response = api_a.get(f"/facilities/greenhaven/residents/{asked}")
        assert response.status_code == 200, asked
        assert response.json()["number"] == "TC30001"
    # Matched whole: a part of the number is not it.
    assert api_a.get("/facilities/greenhaven/residents/tc3000").status_code == 404


def test_the_spec_says_the_number_is_matched_without_regard_to_case():
    from homeward.api.api import api

    spec = api.get_openapi_schema()
    described = spec["paths"]["/api/v1/facilities/{code}/residents/{number}"]["get"]
    assert "without regard to case" in " ".join(described["description"].split())
    assert "Exact" not in described["description"]
