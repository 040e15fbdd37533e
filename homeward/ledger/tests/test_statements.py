"""What people read about money: a contact's statement (every line, with the wallet balance
after it, per facility), its CSV (safe to open in a spreadsheet), and a facility's monthly
report (in the facility's own months)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from homeward import builders as t
from homeward.core import clock
from homeward.kiosk import sessions
from homeward.kiosk.models import KioskDevice, KioskSession
from homeward.kiosk.services import register_device
from homeward.ledger import charges, payments, statements
from homeward.ledger.models import Posting, PriceSchedule
from homeward.messaging import services as messaging
from homeward.review import intake

UTC = dt.UTC
CARD = "4242 4242 4242 4242"
T0 = dt.datetime(2025, 1, 10, 15, 0, tzinfo=UTC)


def at(minutes: int = 0, moment: dt.datetime = T0):
    return clock.frozen_at(moment + dt.timedelta(minutes=minutes))


def deposit(world, amount, key, *, facility=None, **kw):
    payment = payments.start(
        contact=world.contact_a,
        facility=facility or world.facility_1,
        amount=amount,
        key=key,
        card=CARD,
        **kw,
    ).payment
    return payment


def revenue_gained(facility, *, since: dt.datetime, until: dt.datetime) -> int:
    """What the facility's revenue account gained between two moments, from its postings."""
    postings = Posting.objects.filter(
        account=charges.revenue(facility),
        transaction__created_at__gte=since,
        transaction__created_at__lt=until,
    )
    return sum(postings.values_list("amount", flat=True))


def send_and_block(world, body="Hello"):
    message = send(world, body)
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=world.reviewer_1, category="threats")
    return message


def send(world, body="Hello"):
    return messaging.send_message(
        sender=world.contact_a, connection_id=world.connection.pk, body=body
    ).message


@pytest.fixture
def priced(world):
    """From 2020, Greenhaven sells 40-cent stamps and takes $1.00 plus 2.5% per deposit;
    Travis County is free and takes no fee."""
    since_2020 = dt.datetime(2020, 1, 1, tzinfo=UTC)
    PriceSchedule.objects.filter(facility=world.facility_1).delete()
    t.set_prices(
        world.facility_1,
        effective_from=since_2020,
        stamp_cents=40,
        deposit_fee_flat_cents=100,
        deposit_fee_bp=250,
    )
    t.set_prices(world.facility_2, model="free", effective_from=since_2020)
    world.connection = world.contact_a.connections.get()
    return world


def money_history(priced, run_jobs):
    """Two deposits at two facilities, a message blocked and refunded, trust money, and the
    wallet at the first facility refunded to the card."""
    with at(0):
        first = deposit(priced, 2000, "d1")
    with at(1):
        send(priced)
    with at(2):
        intake.screen_and_route(message_id=priced.connection.messages.get().pk)
    with at(3):
        messaging.block(
            message_id=priced.connection.messages.get().pk,
            actor=priced.reviewer_1,
            category="threats",
        )
    with at(4):
        trust = deposit(priced, 1000, "t1", connection_id=priced.connection.pk)
    with at(5):
        elsewhere = deposit(priced, 500, "d2", facility=priced.facility_2)
    with at(6):
        payments.refund_wallet(
            contact=priced.contact_a,
            facility=priced.facility_1,
            reason="closing my account",
            key="close",
        )[0]
        run_jobs()  # the refund reaching the card is not another line for the contact
    return first, trust, elsewhere


def test_the_statement_lists_every_money_line_with_the_balance_after(priced, run_jobs):
    first, trust, elsewhere = money_history(priced, run_jobs)
    lines = statements.statement(priced.contact_a)
    here, there = "Greenhaven Correctional", "Travis County Jail"
    rows = [(x.facility, x.what, x.card_cents, x.wallet_cents, x.wallet_after) for x in lines]
    assert rows == [
        (here, f"Deposit, receipt {first.receipt_number} (fee $1.50)", 2150, 2000, 2000),
        (here, "Message to Maria", None, -40, 1960),
        (here, "Refund: the message was not delivered", None, 40, 2000),
        (
            here,
            f"Money to Maria's trust account, receipt {trust.receipt_number} (fee $1.25)",
            1125,
            0,
            2000,
        ),
        (there, f"Deposit, receipt {elsewhere.receipt_number}", 500, 500, 500),
        (here, "Refund to your card: closing my account", -2000, -2000, 0),
    ]
    assert [x.receipt for x in lines] == [first, None, None, trust, elsewhere, None]
    assert lines[0].at == T0
    assert statements.statement(priced.contact_b) == []

    table = list(csv.reader(io.StringIO(statements.statement_csv(lines))))
    assert table[0] == ["date (UTC)", "facility", "description", "card", "wallet", "wallet balance"]
    assert table[1] == [
        "2025-01-10 15:00",
        here,
        f"Deposit, receipt {first.receipt_number} (fee $1.50)",
        "21.50",
        "20.00",
        "20.00",
    ]
    assert table[2][3:] == ["", "-0.40", "19.60"]
    assert table[6][3:] == ["-20.00", "-20.00", "0.00"]


@pytest.mark.parametrize("size", [1, 2, 4, 6, 7])
def test_the_statement_page_by_page_is_the_whole_statement_newest_first(priced, run_jobs, size):
    """Pages of any size, each after the last line of the one before, are the statement
    newest first, every line once, with the same wallet balances after each."""
    money_history(priced, run_jobs)
    whole = list(reversed(statements.statement(priced.contact_a)))
    paged, before = [], ""
    for _ in range(len(whole) + 1):
        page = statements.statement_page(priced.contact_a, before=before, size=size)
        assert len(page.lines) <= size
        paged += page.lines
        if page.earlier is None:
            break
        before = page.earlier
    assert paged == whole
    empty = statements.statement_page(priced.contact_b)
    assert (empty.lines, empty.earlier, empty.newest) == ([], None, True)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 500])
def test_the_statement_read_a_chunk_at_a_time_is_the_whole_statement(priced, run_jobs, chunk):
    """The CSV reads the statement ``chunk`` transactions at a time: every line once, in
    order, with the same balances, whatever the chunk."""
    money_history(priced, run_jobs)
    whole = statements.statement(priced.contact_a)
    assert len(whole) > 5
    assert list(statements.statement_lines(priced.contact_a, chunk=chunk)) == whole
    rows = list(
        statements.statement_csv_rows(statements.statement_lines(priced.contact_a, chunk=chunk))
    )
    assert len(rows) == len(whole) + 1
    assert "".join(rows) == statements.statement_csv(whole)


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1"]
)
def test_the_csv_never_hands_a_spreadsheet_a_formula(priced, name):
    priced.facility_1.name = name
    priced.facility_1.save()
    priced.resident.first_name = '=HYPERLINK("http://evil.example")'
    priced.resident.save()
    priced.contact_a.display_name = "=1+1"
    priced.contact_a.save()
    deposit(priced, 2000, "d1")
    deposit(priced, 1000, "t1", connection_id=priced.connection.pk)
    send(priced)
    text = statements.statement_csv(statements.statement(priced.contact_a))
    cells = [cell for row in list(csv.reader(io.StringIO(text)))[1:] for cell in row]
    assert "'" + name in cells  # shown as text, with a leading quote
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain negative amount may start with a minus


def test_the_facility_report_adds_up_each_month_in_local_time(priced):
    with at(0):  # January
        deposit(priced, 2000, "d1")
        send(priced)
        send(priced)
    # 03:00 UTC on 1 February is still 31 January in New York: a January message.
    with at(0, dt.datetime(2025, 2, 1, 3, 0, tzinfo=UTC)):
        send(priced)
    with at(0, dt.datetime(2025, 2, 10, 15, 0, tzinfo=UTC)):  # February
        send_and_block(priced)
        deposit(priced, 1000, "t1", connection_id=priced.connection.pk)
    t.set_prices(
        priced.facility_1,
        model="free",
        per_message_cents=25,
        effective_from=dt.datetime(2025, 3, 1, 5, 0, tzinfo=UTC),
    )
    with at(0, dt.datetime(2025, 3, 10, 15, 0, tzinfo=UTC)):  # March: the agency pays
        send(priced)
        deposit(priced, 500, "other", facility=priced.facility_2)  # not this facility's

    rows = statements.facility_report(
        priced.facility_1, start=dt.date(2025, 1, 1), end=dt.date(2025, 4, 1)
    )
    got = [
        (r.month, r.messages, r.charged, r.refunded, r.fees, r.agency_funded, r.deposits)
        for r in rows
    ]
    assert got == [
        (dt.date(2025, 1, 1), 3, 120, 0, 150, 0, 2000),
        (dt.date(2025, 2, 1), 1, 40, 40, 125, 0, 1000),
        (dt.date(2025, 3, 1), 1, 25, 0, 0, 25, 0),
    ]
    assert [r.revenue for r in rows] == [270, 125, 25]
    assert statements.report_csv(priced.facility_1, rows).splitlines() == [
        "month,messages charged,charged,refunded,kiosk sessions charged,kiosk time,"
        "deposit fees,revenue,agency funded,deposits",
        "2025-01,3,1.20,0.00,0,0.00,1.50,2.70,0.00,20.00",
        "2025-02,1,0.40,0.40,0,0.00,1.25,1.25,0.00,10.00",
        "2025-03,1,0.25,0.00,0,0.00,0.00,0.25,0.25,0.00",
    ]
    assert sum(r.revenue for r in rows) == revenue_gained(
        priced.facility_1,
        since=T0 - dt.timedelta(days=30),
        until=dt.datetime(2025, 4, 2, tzinfo=UTC),
    )

    february = statements.facility_report(
        priced.facility_1, start=dt.date(2025, 2, 1), end=dt.date(2025, 3, 1)
    )
    assert [(r.month, r.messages, r.deposits) for r in february] == [(dt.date(2025, 2, 1), 1, 1000)]
    other = statements.facility_report(
        priced.facility_2, start=dt.date(2025, 1, 1), end=dt.date(2025, 4, 1)
    )
    assert [(r.month, r.deposits, r.fees) for r in other] == [(dt.date(2025, 3, 1), 500, 0)]


def kiosk_session(world, *, opened: dt.datetime, seconds: int) -> KioskSession:
    """Maria signs in at a Greenhaven kiosk at ``opened`` and signs out ``seconds`` later."""
    device = KioskDevice.objects.filter(facility=world.facility_1).first()
    if device is None:
        device, _ = register_device(
            staff=world.facility_admin, facility=world.facility_1, name="Hall tablet"
        )
    with clock.frozen_at(opened):
        session = sessions.open_session(resident=world.resident, device=device)
    assert session is not None
    with clock.frozen_at(opened + dt.timedelta(seconds=seconds)):
        closed, _ = sessions.close(session_id=session.pk, end=KioskSession.End.SIGNED_OUT)
    return closed


def test_kiosk_time_is_revenue_in_the_facility_month_it_was_charged(priced):
    """Greenhaven charges 5 cents a kiosk minute from February 2025 (New York time). A
    session that ends at 04:30 UTC on 1 March is still February there."""
    t.set_prices(
        priced.facility_1,
        model="per_minute",
        per_minute_cents=5,
        effective_from=dt.datetime(2025, 2, 1, 5, 0, tzinfo=UTC),
    )
    with at(0):  # January, stamps: Ana pays $20 into Maria's trust account ($1.50 fee)
        deposit(priced, 2000, "t1", connection_id=priced.connection.pk)
    feb = kiosk_session(priced, opened=dt.datetime(2025, 2, 10, 15, 0, tzinfo=UTC), seconds=121)
    late = kiosk_session(priced, opened=dt.datetime(2025, 3, 1, 4, 28, tzinfo=UTC), seconds=90)
    march = kiosk_session(priced, opened=dt.datetime(2025, 3, 5, 15, 0, tzinfo=UTC), seconds=30)
    assert [(s.units, s.charged_cents) for s in (feb, late, march)] == [(3, 15), (2, 10), (1, 5)]

    rows = statements.facility_report(
        priced.facility_1, start=dt.date(2025, 1, 1), end=dt.date(2025, 4, 1)
    )
    got = [(r.month, r.kiosk_sessions, r.kiosk_time, r.fees, r.revenue) for r in rows]
    assert got == [
        (dt.date(2025, 1, 1), 0, 0, 150, 150),
        (dt.date(2025, 2, 1), 2, 25, 0, 25),
        (dt.date(2025, 3, 1), 1, 5, 0, 5),
    ]
    # The trust deposit is not revenue, and messages are free: kiosk time is the revenue.
    assert [r.deposits for r in rows] == [2000, 0, 0]
    assert sum(r.revenue for r in rows) == revenue_gained(
        priced.facility_1,
        since=dt.datetime(2024, 12, 1, tzinfo=UTC),
        until=dt.datetime(2025, 4, 2, tzinfo=UTC),
    )
    lines = statements.report_csv(priced.facility_1, rows).splitlines()
    assert lines[2] == "2025-02,0,0.00,0.00,2,0.25,0.00,0.25,0.00,0.00"
