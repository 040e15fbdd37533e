"""What enforcement says to the people it concerns about their appeals."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from homeward.core.words import moment
from homeward.enforcement.models import Appeal, EnforcementPolicy
from homeward.screening import categories


def decided(appeal: Appeal) -> str:
    """One sentence on the outcome, to the person who appealed."""
    of_message = appeal.message is not None
    if appeal.status == Appeal.Status.OVERTURNED:
        if of_message:
            return _(
                "The facility overturned the block (your appeal of a blocked message): the "
                "message is being delivered."
            )
        return _(
            "The facility accepted your appeal of the suspension of your messaging: your "
            "messaging is back."
        )
    if of_message:
        return _("The facility upheld the decision (your appeal of a blocked message); it stands.")
    return _(
        "The facility upheld the decision (your appeal of the suspension of your messaging); "
        "it stands."
    )


def state(appeal: Appeal) -> str:
    """Where an appeal stands, for the page it was made from."""
    if appeal.status == Appeal.Status.OPEN:
        due = moment(appeal.due_at, appeal.facility.timezone)
        return _("You appealed. The facility aims to decide by %(due)s.") % {"due": due}
    return _("%(decided)s Reason: “%(reason)s”") % {
        "decided": decided(appeal),
        "reason": appeal.decision_reason,
    }


# --- a facility's enforcement policy in plain words --------------------------------------

# "A second suspension within 180 days is a revocation instead": the ordinal with its
# article, as said of a suspension (feminine in Spanish).
_ORDINALS = (
    pgettext_lazy("of a suspension", "a first"),
    pgettext_lazy("of a suspension", "a second"),
    pgettext_lazy("of a suspension", "a third"),
    pgettext_lazy("of a suspension", "a fourth"),
    pgettext_lazy("of a suspension", "a fifth"),
    pgettext_lazy("of a suspension", "a sixth"),
    pgettext_lazy("of a suspension", "a seventh"),
    pgettext_lazy("of a suspension", "an eighth"),
    pgettext_lazy("of a suspension", "a ninth"),
    pgettext_lazy("of a suspension", "a tenth"),
    pgettext_lazy("of a suspension", "an eleventh"),
    pgettext_lazy("of a suspension", "a twelfth"),
    pgettext_lazy("of a suspension", "a thirteenth"),
    pgettext_lazy("of a suspension", "a fourteenth"),
    pgettext_lazy("of a suspension", "a fifteenth"),
    pgettext_lazy("of a suspension", "a sixteenth"),
    pgettext_lazy("of a suspension", "a seventeenth"),
    pgettext_lazy("of a suspension", "an eighteenth"),
    pgettext_lazy("of a suspension", "a nineteenth"),
    pgettext_lazy("of a suspension", "a twentieth"),
)


def _a_nth(number: int) -> str:
    """ "a second", "an eighth", "a 21st" (counts go up to policies.MAX_COUNT, 50)."""
    if 1 <= number <= len(_ORDINALS):
        return str(_ORDINALS[number - 1])
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    if str(number).startswith("8"):  # "an 81st", "an 800th"
        words = {
            "st": pgettext("of a suspension", "an %(number)sst"),
            "nd": pgettext("of a suspension", "an %(number)snd"),
            "rd": pgettext("of a suspension", "an %(number)srd"),
            "th": pgettext("of a suspension", "an %(number)sth"),
        }
    else:
        words = {
            "st": pgettext("of a suspension", "a %(number)sst"),
            "nd": pgettext("of a suspension", "a %(number)snd"),
            "rd": pgettext("of a suspension", "a %(number)srd"),
            "th": pgettext("of a suspension", "a %(number)sth"),
        }
    return words[suffix] % {"number": number}


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": f"{count:,}"}


def _labels(codes: list[str]) -> list[str]:
    """Category labels in the categories' own order (unknown codes last, as themselves)."""
    order = {code: index for index, code in enumerate(categories.CODES)}
    ordered = sorted(codes, key=lambda code: (order.get(code, len(order)), code))
    return [str(categories.label(code)) for code in ordered]


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
            return _("Violations never add up to a suspension.")
        if count == 1:
            return _("Every violation suspends messaging for %(days)s.") % {
                "days": _days(p.suspension_days)
            }
        return _("%(count)s violations within %(window)s suspend messaging for %(days)s.") % {
            "count": count,
            "window": _days(p.violation_window_days),
            "days": _days(p.suspension_days),
        }

    @property
    def revokes(self) -> str:
        # The service: when the suspensions started within the window, plus the new one,
        # reach ``suspensions_to_revoke``, the new one is a revocation.
        p = self.policy
        count = p.suspensions_to_revoke
        if count == 0:
            return _("A suspension never becomes a revocation.")
        if count == 1:
            return _("Every suspension is a revocation instead: messaging is revoked, with no end.")
        return _(
            "%(nth)s suspension within %(within)s is a revocation instead: messaging is "
            "revoked, with no end."
        ) % {"nth": _a_nth(count).capitalize(), "within": _days(p.suspension_window_days)}

    @property
    def suspend_at_once(self) -> list[str]:
        return _labels(self.policy.suspend_at_once)

    @property
    def revoke_at_once(self) -> list[str]:
        return _labels(self.policy.revoke_at_once)

    @property
    def blocks_counted(self) -> str:
        if self.policy.automatic_blocks_count:
            return _(
                "Blocks by screening alone count as violations, as do blocks a reviewer confirmed."
            )
        return _("Only blocks a reviewer confirmed count; a block by screening alone does not.")

    @property
    def on_the_way(self) -> str:
        if self.policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD:
            return _(
                "Messages on their way when a suspension starts are held, and delivered when it "
                "ends. On a revocation they are returned undelivered, and refunded."
            )
        return _(
            "Messages on their way when a suspension or revocation starts are returned "
            "undelivered, and refunded."
        )

    @property
    def on_the_way_short(self) -> str:
        if self.policy.on_the_way == EnforcementPolicy.OnTheWay.HOLD:
            return _("Held")
        return _("Returned")

    @property
    def author(self) -> str:
        by = self.policy.created_by
        return by.username if by is not None else ""


def public_facts(policy: EnforcementPolicy) -> list[tuple[str, str]]:
    """What a facility's public page says of its enforcement, as (heading, sentence)."""
    said = PolicyInWords(policy)
    at_once = said.suspend_at_once
    repeated = [_("A blocked message counts as a violation."), said.suspends, said.revokes]
    if at_once:
        repeated.append(
            _("One violation suspends at once for: %(categories)s.")
            % {"categories": "; ".join(at_once)}
        )
    if said.revoke_at_once:
        repeated.append(
            _("One violation revokes at once for: %(categories)s.")
            % {"categories": "; ".join(said.revoke_at_once)}
        )
    return [
        (_("Repeated violations"), " ".join(repeated)),
        (
            _("While suspended"),
            " ".join([_("Nothing can be sent or is charged."), said.on_the_way]),
        ),
    ]
