"""What enforcement says to the people it concerns about their appeals."""

from __future__ import annotations

from dataclasses import dataclass

from homeward.core.words import moment
from homeward.enforcement.models import Appeal, EnforcementPolicy
from homeward.screening import categories


def _what(appeal: Appeal) -> str:
    if appeal.message is not None:
        return "your appeal of a blocked message"
    return "your appeal of the suspension of your messaging"


def decided(appeal: Appeal) -> str:
    """One sentence on the outcome, to the person who appealed."""
    what = _what(appeal)
    if appeal.status == Appeal.Status.OVERTURNED:
        if appeal.message is not None:
            return f"The facility overturned the block ({what}): the message is being delivered."
        return f"The facility accepted {what}: your messaging is back."
    return f"The facility upheld the decision ({what}); it stands."


def state(appeal: Appeal) -> str:
    """Where an appeal stands, for the page it was made from."""
    if appeal.status == Appeal.Status.OPEN:
        due = moment(appeal.due_at, appeal.facility.timezone)
        return f"You appealed. The facility aims to decide by {due}."
    return f"{decided(appeal)} Reason: “{appeal.decision_reason}”"


# --- a facility's enforcement policy in plain words --------------------------------------

_ORDINALS = (
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
    + ("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth")
    + ("seventeenth", "eighteenth", "nineteenth", "twentieth")
)


def _a_nth(number: int) -> str:
    """ "a second", "an eighth", "a 21st" (counts go up to policies.MAX_COUNT, 50)."""
    if 1 <= number <= len(_ORDINALS):
        word = _ORDINALS[number - 1]
        return f"an {word}" if word[0] in "aeiou" else f"a {word}"
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{'an' if str(number).startswith('8') else 'a'} {number}{suffix}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count:,} days"


def _labels(codes: list[str]) -> list[str]:
    """Category labels in the categories' own order (unknown codes last, as themselves)."""
    order = {code: index for index, code in enumerate(categories.CODES)}
    ordered = sorted(codes, key=lambda code: (order.get(code, len(order)), code))
    return [categories.label(code) for code in ordered]


@dataclass(frozen=True)
class PolicyInWords:
    """One version of a facility's enforcement policy (or the defaults), as the console
    and the facility's public page say it."""

    policy: EnforcementPolicy
    in_force: bool = False

    @property
    def suspends(self) -> str:
        p = self.policy
        count = p.violations_to_suspend
        if count == 0:
            return "Violations never add up to a suspension."
        if count == 1:
            return f"Every violation suspends messaging for {_days(p.suspension_days)}."
        return (
            f"{count} violations within {_days(p.violation_window_days)} suspend messaging "
            f"for {_days(p.suspension_days)}."
        )

    @property
    def revokes(self) -> str:
        # The service: when the suspensions started within the window, plus the new one,
        # reach ``suspensions_to_revoke``, the new one is a revocation.
        p = self.policy
        count = p.suspensions_to_revoke
        if count == 0:
            return "A suspension never becomes a revocation."
        if count == 1:
            return "Every suspension is a revocation instead: messaging is revoked, with no end."
        within = _days(p.suspension_window_days)
        return (
            f"{_a_nth(count).capitalize()} suspension within {within} is a revocation instead: "
            "messaging is revoked, with no end."
        )

    @property
    def suspend_at_once(self) -> list[str]:
        return _labels(self.policy.suspend_at_once)

    @property
    def revoke_at_once(self) -> list[str]:
        return _labels(self.policy.revoke_at_once)

    @property
    def blocks_counted(self) -> str:
        if self.policy.automatic_blocks_count:
            return (
                "Blocks by screening alone count as violations, as do blocks a reviewer confirmed."
            )
        return "Only blocks a reviewer confirmed count; a block by screening alone does not."

    @property
    def on_the_way(self) -> str:
        if self.policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD:
            return (
                "Messages on their way when a suspension starts are held, and delivered when it "
                "ends. On a revocation they are returned undelivered, and refunded."
            )
        return (
            "Messages on their way when a suspension or revocation starts are returned "
            "undelivered, and refunded."
        )

    @property
    def on_the_way_short(self) -> str:
        return "Held" if self.policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD else "Returned"

    @property
    def author(self) -> str:
        by = self.policy.created_by
        return by.username if by is not None else ""


def public_facts(policy: EnforcementPolicy) -> list[tuple[str, str]]:
    """What a facility's public page says of its enforcement, as (heading, sentence)."""
    said = PolicyInWords(policy)
    at_once = said.suspend_at_once
    repeated = f"{said.suspends} {said.revokes}"
    if at_once:
        repeated += f" One violation suspends at once for: {'; '.join(at_once)}."
    if said.revoke_at_once:
        repeated += f" One violation revokes at once for: {'; '.join(said.revoke_at_once)}."
    return [
        ("Repeated violations", f"A blocked message counts as a violation. {repeated}"),
        ("While suspended", f"Nothing can be sent or is charged. {said.on_the_way}"),
    ]
