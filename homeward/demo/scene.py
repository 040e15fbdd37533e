"""The demo deployment: two agencies, four facilities with different policies, residents,
staff of every role, contacts with connections and some history.

Everything is built through the same services the product uses, so the demo history has
real screening results, review decisions, timelines and audit events.
"""

from __future__ import annotations

from django.db import transaction

from homeward import builders as build
from homeward.connections import services as connections
from homeward.facilities.models import Facility
from homeward.jobs import services as jobs
from homeward.ledger import payments
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.people import second_factor
from homeward.people.models import StaffMembership, User
from homeward.review import services as review
from homeward.screening import rules
from homeward.screening.library.loader import LANGUAGES, LIBRARY_DIR
from homeward.screening.rule_sync import checked_library, load_library

PASSWORD = "homeward-demo"
PIN = "1234"
Role = StaffMembership.Role

DEMO_RULES = [
    ("break out", "escape", "block"),
    ("escape plan", "escape", "block"),
    ("kill you", "violence", "block"),
    ("hurt him", "violence", "flag"),
    ("gun", "weapons", "flag"),
    ("send drugs", "drugs", "block"),
    ("k2", "drugs", "flag"),
    ("three-way call", "relay", "flag"),
    ("call this number", "relay", "flag"),
    ("cash app", "fraud", "flag"),
    ("gift card", "fraud", "flag"),
]

CONTENT_RULES = (
    "No plans to escape or to harm anyone; no weapons, drugs or contraband; no gang "
    "signs or codes; no sexually explicit content; no contact with victims or witnesses; "
    "no passing messages or calls to other people; write in plain language."
)

# Kiosks at Greenhaven and Travis County Jail are open all day, so the demo works at any hour;
# the other two keep real hours.
FACILITIES: list[tuple[str, str, str, str, str, dict[str, object]]] = [
    # agency, code, name, type, city, policy
    (
        "nydocs",
        "greenhaven",
        "Greenhaven Correctional Facility",
        "prison",
        "Stormville",
        # Photos: one stamp each, every photo looked at by a reviewer (the photo queue).
        {
            "connection_policy": "contact_requests",
            "review_mode": "everything",
            "photos_allowed": True,
        },
    ),
    (
        "nydocs",
        "bedford-hills",
        "Bedford Hills Correctional Facility",
        "prison",
        "Bedford Hills",
        {
            "connection_policy": "resident_invites",
            "staff_approval": True,
            "review_mode": "everything",
            "contact_cap": 30,
            "kiosk_hours": ["06:00", "22:00"],
        },
    ),
    (
        "travis",
        "travis-jail",
        "Travis County Jail",
        "jail",
        "Austin",
        # Photos at $0.50 each, up to 5 with a message, looked at only when the check finds
        # something in them.
        {
            "connection_policy": "open",
            "review_mode": "flagged",
            "review_target_hours": 4,
            "photos_allowed": True,
            "photos_per_message": 5,
            "photos_reviewed": False,
        },
    ),
    (
        "travis",
        "travis-complex",
        "Travis County Correctional Complex",
        "jail",
        "Del Valle",
        {
            "connection_policy": "contact_requests",
            "staff_approval": True,
            "review_mode": "flagged_sample",
            "sample_percent": 20,
            "kiosk_hours": ["06:00", "22:00"],
        },
    ),
]

# Prices: Greenhaven sells stamps as JPay does (the reply can be prepaid), Travis County Jail
# charges per message, Bedford Hills is free (paid by its agency), and the Travis County
# Correctional Complex charges residents $0.05 a minute at the kiosk, as TRULINCS does.
PRICES = {
    "greenhaven": {
        "model": "stamps",
        "payer": "sender_prepays_reply",
        "stamp_cents": 40,
        "chars_per_stamp": 2000,
        "deposit_fee_flat_cents": 100,
        "deposit_fee_bp": 250,
        "deposit_fee_cap_cents": 300,
        "message_cap_cents": 200,
        "stamp_packs": [{"stamps": 10, "cents": 350}, {"stamps": 25, "cents": 800}],
    },
    "bedford-hills": {"model": "free", "per_message_cents": 15},
    "travis-jail": {
        "model": "per_message",
        "per_message_cents": 25,
        "photo_cents": 50,
        "deposit_fee_flat_cents": 50,
    },
    "travis-complex": {"model": "per_minute", "per_minute_cents": 5},
}

RESIDENTS = {
    "greenhaven": [
        ("NY10001", "Marcus", "Williams"),
        ("NY10002", "Luis", "Ortega"),
        ("NY10003", "Darnell", "Price"),
    ],
    "bedford-hills": [("NY20001", "Alicia", "Moreno"), ("NY20002", "Keisha", "Grant")],
    "travis-jail": [("TC30001", "Jorge", "Ramírez"), ("TC30002", "Tyler", "Brooks")],
    "travis-complex": [("TC40001", "Andre", "Jackson"), ("TC40002", "Sofia", "Nguyen")],
}

STAFF = [
    # username, role, agency, facility (None: whole agency)
    ("reviewer.greenhaven", Role.REVIEWER, "nydocs", "greenhaven"),
    ("reviewer.bedford", Role.REVIEWER, "nydocs", "bedford-hills"),
    ("admin.greenhaven", Role.FACILITY_ADMIN, "nydocs", "greenhaven"),
    ("investigator.ny", Role.INVESTIGATOR, "nydocs", None),
    ("admin.ny", Role.AGENCY_ADMIN, "nydocs", None),
    ("reviewer.travis", Role.REVIEWER, "travis", "travis-jail"),
    ("admin.travis", Role.AGENCY_ADMIN, "travis", None),
]

CONTACTS = [
    ("rosa@example.org", "Rosa Williams"),
    ("dana@example.org", "Dana Ortega"),
    ("kim@example.org", "Kim Brooks"),
]


def logins() -> str:
    lines = [
        f"Demo logins (every password: {PASSWORD}; every resident PIN: {PIN})",
        "  Contacts  (/signin/):         " + ", ".join(email for email, _ in CONTACTS),
        "  Staff     (/console/signin/): " + ", ".join(name for name, *_ in STAFF),
        "  Staff also type a second-factor code: `.venv/bin/python manage.py demo_code USERNAME`",
        "  prints the current one (as an authenticator app would; demo accounts only).",
        "  Residents (/kiosk/):          "
        + ", ".join(f"{n} at {code}" for code, people in RESIDENTS.items() for n, *_ in people[:1]),
        "  Payments use the sandbox: card 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is",
        "  declined, 4000 0000 0000 3220 is paid a few seconds later (the worker applies it).",
        "  A kiosk must be a registered device: sign in to /kiosk/device/ as admin.greenhaven",
        "  (or admin.travis), register this browser, then sign in as a resident.",
    ]
    return "\n".join(lines)


def enrol_demo_staff() -> int:
    """Staff sign in with a second factor; `manage.py demo_code USERNAME` shows the code an
    authenticator app would. Also run on a demo loaded before staff had one (and still on
    the demo password), so an old demo database keeps working. Returns how many were enrolled."""
    enrolled = 0
    for user in User.objects.filter(username__in=[name for name, *_ in STAFF]):
        if not second_factor.has_app(user) and user.check_password(PASSWORD):
            second_factor.enrol_demo(user=user)
            enrolled += 1
    return enrolled


@transaction.atomic
def build_demo() -> None:
    agencies = {
        "nydocs": build.make_agency(
            "nydocs", name="New York State Department of Corrections", state="NY"
        ),
        "travis": build.make_agency("travis", name="Travis County Sheriff's Office", state="TX"),
    }
    facilities: dict[str, Facility] = {}
    for agency, code, name, kind, city, policy in FACILITIES:
        tz = "America/New_York" if agency == "nydocs" else "America/Chicago"
        facilities[code] = build.make_facility(
            code,
            agency=agencies[agency],
            name=name,
            type=kind,
            city=city,
            address=f"1 Correction Way, {city}",
            timezone=tz,
            services=["messaging"],
            policy={"content_rules": CONTENT_RULES, **policy},
            prices=PRICES[code],
        )
    residents = {
        number: build.make_resident(
            facilities[code], number, pin=PIN, first_name=first, last_name=last
        )
        for code, people in RESIDENTS.items()
        for number, first, last in people
    }
    staff = {
        name: build.make_staff(
            name,
            role=role,
            agency=agencies[agency],
            facility=facilities[code] if code else None,
            password=PASSWORD,
        )
        for name, role, agency, code in STAFF
    }
    enrol_demo_staff()
    contacts = {
        email: build.make_contact(email, name=name, password=PASSWORD) for email, name in CONTACTS
    }
    # The whole baseline library screens from the start, as in any deployment; the demo's
    # own phrases are each agency's rules on top of it.
    load_library(checked_library(LANGUAGES, LIBRARY_DIR), LANGUAGES)
    for owner in agencies.values():
        for phrase, category, action in DEMO_RULES:
            rules.create_rule(
                actor=None,
                kind="phrase",
                pattern=phrase,
                category=category,
                action=action,
                agency=owner,
            )

    rosa, dana, kim = contacts.values()
    # Rosa pays into her Greenhaven wallet with the sandbox card, then writes to Marcus and
    # prepays his reply: an approved history with a reply, all on her statement.
    marcus = residents["NY10001"]
    link = build.connect(rosa, marcus)
    payments.start(
        contact=rosa,
        facility=facilities["greenhaven"],
        amount=2000,
        key="demo-rosa-deposit",
        card=sandbox.SUCCEEDS,
    )
    first = messaging.send_message(
        sender=rosa,
        connection_id=link.pk,
        body="Hi Marcus! The kids made the honor roll. We'll visit on the 14th. Love, Mom",
        prepaid_reply=True,
    ).message
    jobs.run_pending("demo")
    task = review.claim(staff=staff["reviewer.greenhaven"], task_id=first.review_task.pk)
    review.decide(staff=staff["reviewer.greenhaven"], task_id=task.pk, decision="approve")
    jobs.run_pending("demo")
    messaging.mark_read(reader=marcus, message_id=first.pk)
    reply = messaging.send_message(
        sender=marcus,
        connection_id=link.pk,
        body="Mom, that is great news. Tell them I'm proud. See you on the 14th.",
    ).message
    jobs.run_pending("demo")
    task = review.claim(staff=staff["reviewer.greenhaven"], task_id=reply.review_task.pk)
    review.decide(staff=staff["reviewer.greenhaven"], task_id=task.pk, decision="approve")
    messaging.send_message(
        sender=rosa, connection_id=link.pk, body="Did you get the book I ordered for you?"
    )
    # Dana asked to connect with Luis; Luis has not answered yet.
    connections.request_connection(
        contact=dana, facility=facilities["greenhaven"], number="NY10002"
    )
    # Kim writes to Tyler at the open, flagged-only Travis County Jail: delivered at once.
    tyler = build.connect(kim, residents["TC30002"])
    payments.start(
        contact=kim,
        facility=facilities["travis-jail"],
        amount=500,
        key="demo-kim-deposit",
        card=sandbox.SUCCEEDS,
    )
    messaging.send_message(
        sender=kim, connection_id=tyler.pk, body="Court date moved to Monday. Hang in there."
    )
    # Alicia at Bedford Hills invited Dana, who has not answered; staff approval follows.
    connections.invite_contact(resident=residents["NY20001"], email="dana@example.org")
    jobs.run_pending("demo")
