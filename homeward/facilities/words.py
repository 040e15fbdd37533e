"""What a facility's policy means, in plain words for families (the facility page, and
wherever a policy is explained). Kept here, not in a surface, so every page says the same."""

from __future__ import annotations

from homeward.core import features
from homeward.core.calendar import WEEKDAYS
from homeward.core.words import plural
from homeward.facilities.connection_policies import rule_of
from homeward.facilities.models import Facility, FacilityPolicy

Review = FacilityPolicy.ReviewMode

DAY_NAMES = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def review_time(policy: FacilityPolicy) -> str:
    return f"usually within {plural(policy.review_target_hours, 'business hour')}"


def business_hours_words(hours: dict[str, list[str]]) -> str:
    """``{"mon": ["08:00", "17:00"], ...}`` → "Mon–Fri 08:00–17:00"; days in a row with the
    same hours are joined."""
    if not hours:
        return "Around the clock"
    groups: list[tuple[list[str], list[str]]] = []
    for day in WEEKDAYS:
        span = hours.get(day)
        if not span:
            continue
        last = groups[-1] if groups else None
        follows = last and WEEKDAYS.index(last[0][-1]) == WEEKDAYS.index(day) - 1
        if last and follows and last[1] == span:
            last[0].append(day)
        else:
            groups.append(([day], span))
    parts = []
    for days, span in groups:
        label = DAY_NAMES[days[0]]
        if len(days) > 1:
            label += f"–{DAY_NAMES[days[-1]]}"
        parts.append(f"{label} {span[0]}–{span[1]}")
    return ", ".join(parts)


def _review(policy: FacilityPolicy) -> str:
    when = review_time(policy)
    if policy.review_mode == Review.EVERYTHING:
        return f"Staff read every message before it is delivered, {when}."
    if policy.review_mode == Review.FLAGGED:
        return (
            "Every message is checked automatically. Staff read the ones the check flags "
            f"before they are delivered ({when}); the others are delivered straight away."
        )
    if policy.review_mode == Review.FLAGGED_SAMPLE:
        return (
            "Every message is checked automatically. Staff read the ones the check flags and "
            f"about {policy.sample_percent}% of the others before they are delivered ({when}); "
            "the rest are delivered straight away."
        )
    return (
        "Every message is checked automatically and delivered straight away. Only messages "
        f"the check is unsure about wait for staff, {when}."
    )


def retention_words(days: int | None) -> str:
    """How long an agency keeps message text (its retention period, None: no end set)."""
    if not days:
        return "The agency keeps messages with no end date set."
    return (
        f"The agency keeps the text of messages for {plural(days, 'day')}, then removes it "
        "(a legal hold can keep it longer); the record that a message was sent stays."
    )


def attorney_words(*, offered: bool) -> str:
    """Whether an agency offers verified attorneys a privileged channel."""
    if offered:
        return (
            "Attorneys verified by the agency can have a privileged channel: their messages are "
            "not screened, reviewed, searched or read by staff."
        )
    return (
        "This agency does not offer a privileged channel for attorneys: their messages "
        "are monitored like every other."
    )


def policy_facts(facility: Facility) -> list[tuple[str, str]]:
    """(heading, sentence) pairs describing a facility's messaging policy."""
    policy = facility.policy
    zone = facility.timezone.replace("_", " ")
    kiosk_open, kiosk_close = policy.kiosk_hours
    approval = (
        "Staff approve each new connection before messaging starts."
        if policy.staff_approval
        else "Staff do not need to approve new connections."
    )
    if policy.show_block_reasons:
        blocked = "If a message is not delivered, you are told which kind of rule it broke."
    else:
        blocked = "If a message is not delivered, you are told, but this facility does not say why."
    refund = (
        "If a message is not delivered, any charge for it is refunded."
        if policy.refund_on_block
        else "Charges for messages that are not delivered are not refunded."
    )
    facts = [
        ("How connections work", rule_of(policy).how_it_works(policy)),
        ("Staff approval", approval),
        (
            "Contacts per resident",
            f"Each resident can have up to {plural(policy.contact_cap, 'active contact')}.",
        ),
        ("Review", _review(policy)),
        (
            "Staff working hours",
            f"{business_hours_words(policy.business_hours)} ({zone} time). Review time counts "
            "only these hours.",
        ),
        (
            "Messaging hours",
            f"Residents use the kiosks from {kiosk_open} to {kiosk_close} ({zone} time).",
        ),
        (
            "Message length",
            f"Up to {plural(policy.message_length_limit, 'character')} per message.",
        ),
        ("Messages not delivered", blocked),
        ("Refunds", refund),
        ("Keeping messages", retention_words(facility.agency.message_retention_days)),
        ("Attorneys", attorney_words(offered=facility.agency.privileged_channel)),
    ]
    if features.APPEALS:  # a promise only once families can appeal
        facts.append(
            (
                "Appeals",
                f"You can appeal a blocked message, or a suspension of your messaging, "
                f"within {plural(policy.appeal_window_days, 'day')}: someone other than "
                "the person who decided looks again.",
            )
        )
    return facts
