"""The facility directory (public) and finding a resident (signed in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from homeward.api import deprecation, present
from homeward.api.auth import contact_of
from homeward.api.errors import can_answer
from homeward.api.schemas import FacilityDetail, FacilityPageOut, FacilitySummary, ResidentOut
from homeward.connections import access as connection_access
from homeward.connections import services as connections
from homeward.facilities import selectors as facilities

router = Router(tags=["facilities"])
directory_router = Router(tags=["facilities"])


class FacilityFilter(Schema):
    state: str = Field("", max_length=2, description="Two-letter state code.")
    q: str = Field("", max_length=100, description="Words in the facility's name or city.")


class FacilityPageQuery(FacilityFilter):
    page: int = Field(1, ge=1, le=10_000, description="Which page: 1, the first by name.")
    limit: int = Field(50, ge=1, le=200, description="Facilities per page (at most 200).")


# The directory is public, as on the website: people look up a facility before they have an
# account. Everything about residents needs a token.
@directory_router.get("", auth=None, response=FacilityPageOut, operation_id="facilities_pages")
def facility_pages(request: HttpRequest, asked: Query[FacilityPageQuery]) -> FacilityPageOut:
    """The facility directory a page at a time, by name (a deployment may serve hundreds
    of facilities): those of a state, or whose name or city holds every word of ``q``."""
    found = facilities.search_facilities(state=asked.state, query=asked.q)
    first = (asked.page - 1) * asked.limit
    rows = list(found[first : first + asked.limit + 1])  # one more: is there a next page?
    return FacilityPageOut(
        facilities=[present.facility_summary(facility) for facility in rows[: asked.limit]],
        next_page=asked.page + 1 if len(rows) > asked.limit else None,
    )


@router.get(
    "",
    auth=None,
    response=list[FacilitySummary],
    summary="The facility directory (deprecated: GET /directory)",
    operation_id="facilities_list",
    deprecated=True,
)
def list_facilities(
    request: HttpRequest, response: HttpResponse, filters: Query[FacilityFilter]
) -> list[FacilitySummary]:
    """Every facility found as one list, as GET /directory gives them a page at a time;
    kept for one release."""
    deprecation.mark(response, successor="/api/v1/directory")
    found = facilities.search_facilities(state=filters.state, query=filters.q)
    return [present.facility_summary(facility) for facility in found]


@router.get("/{code}", auth=None, response=FacilityDetail, operation_id="facilities_get")
@can_answer("facility_not_found")
def facility_detail(request: HttpRequest, code: str) -> FacilityDetail:
    return present.facility_detail(facilities.facility_by_code(code))


@router.get(
    "/{code}/residents/{number}",
    response=ResidentOut,
    summary="Find a resident by number",
    operation_id="residents_find",
)
@can_answer("facility_not_found", "resident_not_found")
def find_resident(request: HttpRequest, code: str, number: str) -> ResidentOut:
    """The resident with this number at this facility, matched whole but without regard to
    case (`tc30001` finds `TC30001`); anything else is 404 resident_not_found."""
    contact = contact_of(request)
    facility = facilities.facility_by_code(code)
    resident = connections.find_resident(facility=facility, number=number)
    connection = connection_access.connection_between(contact, resident)
    return present.resident_out(resident, connection)
