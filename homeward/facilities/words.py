"""What a facility's policy means, in plain words for families (the facility page, and
wherever a policy is explained). Kept here, not in a surface, so every page says the same.

Every sentence is made in the language of the request that asks for it."""

from __future__ import annotations

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeward.core import features
from homeward.core.calendar import WEEKDAYS
from homeward.facilities.connection_policies import rule_of
from homeward.facilities.models import Facility, FacilityPolicy

Review = FacilityPolicy.ReviewMode

# Django's own short day names ("Mon", in Spanish "lun"), Monday first as WEEKDAYS.
DAY_NAMES = {day: WEEKDAYS_ABBR[index] for index, day in enumerate(WEEKDAYS)}


def _count(number: int) -> str:
    return f"{number:,}"


def review_time(policy: FacilityPolicy) -> str:
    hours = policy.review_target_hours
    return ngettext(
        "usually within %(count)s business hour", "usually within %(count)s business hours", hours
    ) % {"count": _count(hours)}


def business_hours_words(hours: dict[str, list[str]]) -> str:
    """``{"mon": ["08:00", "17:00"], ...}`` → "Mon–Fri 08:00–17:00"; days in a row with the
    same hours are joined."""
    if not hours:
        return _("Around the clock")
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
        label = str(DAY_NAMES[days[0]])
        if len(days) > 1:
            label += f"–{DAY_NAMES[days[-1]]}"
        parts.append(f"{label} {span[0]}–{span[1]}")
    return ", ".join(parts)


def _review(policy: FacilityPolicy) -> str:
    said = {"when": review_time(policy), "percent": policy.sample_percent}
    if policy.review_mode == Review.EVERYTHING:
        return _("Staff read every message before it is delivered, %(when)s.") % said
    if policy.review_mode == Review.FLAGGED:
        return (
            _(
                "Every message is checked automatically. Staff read the ones the check flags "
                "before they are delivered (%(when)s); the others are delivered straight away."
            )
            % said
        )
    if policy.review_mode == Review.FLAGGED_SAMPLE:
        return (
            _(
                "Every message is checked automatically. Staff read the ones the check flags and "
                "about %(percent)s%% of the others before they are delivered (%(when)s); "
                "the rest are delivered straight away."
            )
            % said
        )
    return (
        _(
            "Every message is checked automatically and delivered straight away. Only messages "
            "the check is unsure about wait for staff, %(when)s."
        )
        % said
    )


def retention_words(days: int | None) -> str:
    """How long an agency keeps message text (its retention period, None: no end set)."""
    if not days:
        return _("The agency keeps messages with no end date set.")
    return ngettext(
        "The agency keeps the text of messages for %(count)s day, then removes it (a legal "
        "hold can keep it longer); the record that a message was sent stays.",
        "The agency keeps the text of messages for %(count)s days, then removes it (a legal "
        "hold can keep it longer); the record that a message was sent stays.",
        days,
    ) % {"count": _count(days)}


def attorney_words(*, offered: bool) -> str:
    """Whether an agency offers verified attorneys a privileged channel."""
    if offered:
        return _(
            "Attorneys verified by the agency can have a privileged channel: their messages are "
            "not screened, reviewed, searched or read by staff."
        )
    return _(
        "This agency does not offer a privileged channel for attorneys: their messages "
        "are monitored like every other."
    )


def photo_words(policy: FacilityPolicy) -> str:
    """What a facility's photo rules mean for a family."""
    if not (features.PHOTOS and policy.photos_allowed):
        return _("This facility does not take photos.")
    kinds = (
        _("JPEG, PNG, WebP, HEIC or GIF")
        if policy.photo_gif_allowed
        else _("JPEG, PNG, WebP or HEIC")
    )
    most = ngettext(
        "Up to %(count)s photo with a message (%(kinds)s).",
        "Up to %(count)s photos with a message (%(kinds)s).",
        policy.photos_per_message,
    ) % {"count": policy.photos_per_message, "kinds": kinds}
    if policy.photos_reviewed:
        seen = _("Staff look at every photo before it is delivered.")
    else:
        seen = _(
            "Staff look at a photo before it is delivered when the check finds something in it."
        )
    if policy.photo_block_keeps_text:
        blocked = _(
            "A photo that is not delivered is refunded; the rest of the message still goes."
        )
    else:
        blocked = _("If a photo is not delivered, neither is its message; both are refunded.")
    return f"{most} {seen} {blocked}"


def policy_facts(facility: Facility) -> list[tuple[str, str]]:
    """(heading, sentence) pairs describing a facility's messaging policy."""
    policy = facility.policy
    zone = facility.timezone.replace("_", " ")
    kiosk_open, kiosk_close = policy.kiosk_hours
    approval = (
        _("Staff approve each new connection before messaging starts.")
        if policy.staff_approval
        else _("Staff do not need to approve new connections.")
    )
    if policy.show_block_reasons:
        blocked = _("If a message is not delivered, you are told which kind of rule it broke.")
    else:
        blocked = _(
            "If a message is not delivered, you are told, but this facility does not say why."
        )
    refund = (
        _("If a message is not delivered, any charge for it is refunded.")
        if policy.refund_on_block
        else _("Charges for messages that are not delivered are not refunded.")
    )
    cap = policy.contact_cap
    length = policy.message_length_limit
    facts = [
        (_("How connections work"), rule_of(policy).how_it_works(policy)),
        (_("Staff approval"), approval),
        (
            _("Contacts per resident"),
            ngettext(
                "Each resident can have up to %(count)s active contact.",
                "Each resident can have up to %(count)s active contacts.",
                cap,
            )
            % {"count": _count(cap)},
        ),
        (_("Review"), _review(policy)),
        (
            _("Staff working hours"),
            _("%(hours)s (%(zone)s time). Review time counts only these hours.")
            % {"hours": business_hours_words(policy.business_hours), "zone": zone},
        ),
        (
            _("Messaging hours"),
            _("Residents use the kiosks from %(open)s to %(close)s (%(zone)s time).")
            % {"open": kiosk_open, "close": kiosk_close, "zone": zone},
        ),
        (
            _("Message length"),
            ngettext(
                "Up to %(count)s character per message.",
                "Up to %(count)s characters per message.",
                length,
            )
            % {"count": _count(length)},
        ),
        (_("Photos"), photo_words(policy)),
        (_("Messages not delivered"), blocked),
        (_("Refunds"), refund),
        (_("Keeping messages"), retention_words(facility.agency.message_retention_days)),
        (_("Attorneys"), attorney_words(offered=facility.agency.privileged_channel)),
    ]
    if features.APPEALS:  # a promise only once families can appeal
        window = policy.appeal_window_days
        facts.append(
            (
                _("Appeals"),
                ngettext(
                    "You can appeal a blocked message, or a suspension of your messaging, "
                    "within %(count)s day: someone other than the person who decided looks "
                    "again.",
                    "You can appeal a blocked message, or a suspension of your messaging, "
                    "within %(count)s days: someone other than the person who decided looks "
                    "again.",
                    window,
                )
                % {"count": _count(window)},
            )
        )
    return facts
