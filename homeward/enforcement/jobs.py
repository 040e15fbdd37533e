from homeward.enforcement import restrictions
from homeward.jobs.registry import handler


@handler("settle_restriction")
def settle_restriction(*, restriction_id: int) -> None:
    restrictions.settle_on_the_way(restriction_id=restriction_id)


@handler("restriction_begins_or_ends")
def restriction_begins_or_ends(*, restriction_id: int, at: str) -> None:
    restrictions.begins_or_ends(restriction_id=restriction_id, at=at)
