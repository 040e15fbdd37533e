from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from homeward.core.errors import NotFound
from homeward.facilities.models import Facility, fold_for_search


def search_facilities(*, state: str = "", query: str = "") -> QuerySet[Facility]:
    """The facilities of a state (any, where empty) whose name or city holds every word of
    ``query``, by name (then code: two facilities may share a name, and pages must not)."""
    facilities = Facility.objects.select_related("agency", "policy").order_by("name", "code")
    if state:
        facilities = facilities.filter(state__iexact=state.strip())
    for word in fold_for_search(query).split():
        facilities = facilities.filter(search_text__contains=word)
    return facilities


def facility_by_code(code: str) -> Facility:
    try:
        return Facility.objects.select_related("agency", "policy").get(code=code)
    except Facility.DoesNotExist:
        raise NotFound(
            _("There is no facility with the code %(code)s.") % {"code": repr(code)},
            "facility_not_found",
        ) from None


def states_with_facilities() -> list[str]:
    return sorted(set(Facility.objects.values_list("state", flat=True)))
