"""Plain words for families: what a facility's policy means, where a connection or a
message stands, and what happens next. Kept out of templates so every page says the same."""

from __future__ import annotations

from homeward.connections.models import Connection
from homeward.core import features
from homeward.core.calendar import WEEKDAYS
from homeward.facilities.models import Facility, FacilityPolicy
from homeward.messaging.models import Message
from homeward.people.models import Resident
from homeward.screening import categories

C = Connection.Status
S = Message.Status
Policy = FacilityPolicy.ConnectionPolicy
Review = FacilityPolicy.ReviewMode

DAY_NAMES = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))


def short_name(resident: Resident) -> str:
    """What a stranger may see of a resident: first name and last initial."""
    initial = f" {resident.last_name[:1]}." if resident.last_name else ""
    return f"{resident.first_name}{initial}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


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


def _connecting(policy: FacilityPolicy) -> str:
    if policy.connection_policy == Policy.OPEN:
        return "Anyone with a Homeward account can connect with a resident and start writing."
    if policy.connection_policy == Policy.CONTACT_REQUESTS:
        return (
            "You ask to connect with a resident. The resident accepts or declines on the "
            "kiosk; you can write once they accept."
        )
    days = plural(policy.invite_days, "day")
    if features.INVITATION_EMAILS:
        return (
            "Only residents can add contacts. The resident invites you by email, and you have "
            f"{days} to accept the invitation."
        )
    return (
        "Only residents can add contacts. The resident adds you by the email address of your "
        "Homeward account; sign in with that address to see the invitation, and accept it "
        f"within {days}."
    )


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
        ("How connections work", _connecting(policy)),
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
    ]
    if features.APPEALS:  # a promise only once families can appeal
        facts.append(
            (
                "Appeals",
                f"You can appeal a message that was not delivered within "
                f"{plural(policy.appeal_window_days, 'day')}.",
            )
        )
    return facts


def connection_words(connection: Connection) -> str:
    """Where this connection stands, said to the contact."""
    name = connection.resident.first_name
    facility = connection.facility.name
    status = connection.status
    if status == C.DECLINED:
        if connection.initiated_by == Connection.Side.CONTACT:
            return f"{name} declined your request."
        return "You declined this invitation."
    if status == C.BLOCKED:
        if connection.blocked_by == Connection.Side.CONTACT:
            return "You blocked this connection. Messaging has stopped."
        return "This connection is blocked. Messaging has stopped."
    words = {
        C.REQUESTED: f"Waiting for {name} to accept your request.",
        C.INVITED: f"{name} invited you to connect.",
        C.PENDING_STAFF: f"Waiting for staff at {facility} to approve the connection.",
        C.ACTIVE: "Connected. You can write to each other.",
        C.DENIED: f"Staff at {facility} did not approve this connection.",
        C.EXPIRED: "The invitation expired.",
        C.ENDED: f"Staff at {facility} ended this connection. Messaging has stopped.",
    }
    return words.get(status, connection.get_status_display())


def connection_next_step(connection: Connection) -> str:
    """What the contact can do about it now, or '' if nothing."""
    name = connection.resident.first_name
    if not connection.resident.in_custody:
        return f"{name} has been released, so messaging here has ended."
    status = connection.status
    if status == C.DECLINED and connection.initiated_by == Connection.Side.CONTACT:
        return "You can ask again from the facility page."
    steps = {
        C.REQUESTED: f"Nothing to do yet. {name} will see your request at the kiosk.",
        C.INVITED: "Accept to start writing, or decline.",
        C.PENDING_STAFF: "Nothing to do yet. You can write as soon as staff approve.",
        C.ACTIVE: "Open the conversation to write.",
        C.EXPIRED: f"Ask {name} to invite you again.",
    }
    return steps.get(status, "")


def after_request_words(connection: Connection) -> str:
    """The flash shown right after asking to connect: what happens next."""
    name = connection.resident.first_name
    if connection.status == C.ACTIVE:
        return f"You are connected with {name}. You can write now."
    if connection.status == C.PENDING_STAFF:
        return (
            f"Your request is waiting for staff at {connection.facility.name} to approve it. "
            "You can write as soon as they do."
        )
    if connection.status == C.REQUESTED:
        return (
            f"Your request was sent. It is waiting for {name} to accept it at the kiosk; "
            "you can write once they do."
        )
    return connection_words(connection)


def message_outcome(message: Message, *, show_reasons: bool) -> str:
    """Why a message did not arrive, when it did not; '' otherwise."""
    if message.status == S.BLOCKED:
        if show_reasons and message.block_category:
            return f"Not delivered. Reason: {categories.label(message.block_category)}."
        return "Not delivered. This facility does not say why."
    if message.status == S.RETURNED:
        reason = message.return_reason or "it could not be delivered"
        return f"Returned without being delivered, because {reason}."
    return ""


def sent_words(message: Message) -> str:
    """The flash shown after sending: where the message goes next."""
    policy = message.facility.policy
    if policy.review_mode == Review.EVERYTHING:
        return (
            "Sent. Staff will read it before it is delivered, "
            f"{review_time(policy)}. Follow its progress below."
        )
    return "Sent. It is being checked and will be delivered soon. Follow its progress below."


def ask_hint(facility: Facility, resident: Resident) -> str:
    """Said under the "Ask to connect" button: what the press will start."""
    policy = facility.policy
    name = resident.first_name
    if policy.connection_policy == Policy.OPEN:
        if policy.staff_approval:
            return f"Staff at {facility.name} approve each connection; you can write once they do."
        return "You can write as soon as you connect."
    if policy.staff_approval:
        return f"{name} will be asked to accept, then staff approve. You can write after both."
    return f"{name} will be asked to accept. You can write once they do."


# Prices, said the same way on the facility page and next to the Send button.
