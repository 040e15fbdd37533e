"""Which messages a person must read before delivery: one routing function per review mode.

A facility's review mode (``FacilityPolicy.ReviewMode``) is data; what it means is the
function registered for it here. Adding a mode is a choice on the policy and one function
in ``ROUTES``. Each function answers the reason a clear message goes to review (recorded on
its review task: ``ReviewTask.Reason``), or "" to deliver it without a person.

A flag always goes to a person, whatever the mode: a flag means screening is not sure, and
"automatic only" decides only what screening is sure of.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from homeward.facilities.models import FacilityPolicy
from homeward.review.models import ReviewTask

Mode = FacilityPolicy.ReviewMode
Reason = ReviewTask.Reason
Route = Callable[[FacilityPolicy], str]


def _every_message(policy: FacilityPolicy) -> str:
    return Reason.ALL


def _a_random_sample(policy: FacilityPolicy) -> str:
    return Reason.SAMPLE if random.randrange(100) < policy.sample_percent else ""


def _none(policy: FacilityPolicy) -> str:
    return ""


ROUTES: dict[str, Route] = {
    Mode.EVERYTHING: _every_message,
    Mode.FLAGGED: _none,
    Mode.FLAGGED_SAMPLE: _a_random_sample,
    Mode.AUTOMATIC: _none,
}


def reason_for(*, verdict: str, policy: FacilityPolicy, watched: bool = False) -> str:
    """Why a person must look at this message, or '' if none needs to. A message of
    someone on a watch list always goes to a person (``review.watches``)."""
    if verdict == "flag":
        return Reason.FLAGGED
    if watched:
        return Reason.WATCHED
    return ROUTES[policy.review_mode](policy)
