"""Reading the ledger: a contact's statement and a facility's money report.

Both are read from postings, never from a second copy of the numbers, so they always agree
with ``ledger_check``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from homeward.core import keyset
from homeward.facilities.models import Facility
from homeward.ledger import words
from homeward.ledger.models import Account, Payment, Posting, Transaction
from homeward.people.models import Contact, Resident

K = Account.Kind
T = Transaction.Kind


@dataclass(frozen=True)
class StatementLine:
    at: dt.datetime
    facility: str  # its name
    what: str
    card_cents: int | None  # charged to (or, negative, refunded to) a card
    wallet_cents: int  # change to the wallet at that facility
    wallet_after: int
    receipt: Payment | None = None
    zone: str = "UTC"  # the facility's time zone, in which the line is shown
    facility_code: str = ""


def _moved(contact: Contact) -> QuerySet[Transaction]:
    """The transactions that moved the contact's money: their wallets, prepaid replies and
    stamps, and what they paid by card."""
    mine = Q(
        account__contact=contact,
        account__kind__in=(K.CONTACT_WALLET, K.REPLY_CREDIT, K.STAMPS_HELD),
    )
    paid_by_card = Q(payment__contact=contact, kind__in=(T.DEPOSIT, T.TRUST_DEPOSIT))
    return (
        Transaction.objects.filter(Q(postings__in=Posting.objects.filter(mine)) | paid_by_card)
        .distinct()
        .select_related("facility", "payment", "payment__resident", "message")
        .prefetch_related("postings__account")
    )


def _wallet_change(txn: Transaction, contact: Contact) -> int:
    return sum(
        p.amount
        for p in txn.postings.all()
        if p.account.kind == K.CONTACT_WALLET and p.account.contact_id == contact.pk
    )


def _line(txn: Transaction, wallet: int, wallet_after: int) -> StatementLine:
    card = None
    if txn.kind in (T.DEPOSIT, T.TRUST_DEPOSIT) and txn.payment:
        card = txn.payment.total_cents
    elif txn.kind == T.PAYOUT:
        card = wallet  # negative: on its way back to the card
    return StatementLine(
        at=txn.created_at,
        facility=txn.facility.name if txn.facility else "",
        facility_code=txn.facility.code if txn.facility else "",
        what=_describe(txn),
        card_cents=card,
        wallet_cents=wallet,
        wallet_after=wallet_after,
        receipt=txn.payment if txn.kind in (T.DEPOSIT, T.TRUST_DEPOSIT) else None,
        zone=txn.facility.timezone if txn.facility else "UTC",
    )


def statement(contact: Contact) -> list[StatementLine]:
    """Everything that moved the contact's money, oldest first, with the wallet balance at
    each facility after each line. A closed wallet keeps every line. (The whole of it, for
    the API and the archive; a page shows it a page at a time, ``statement_page``, and the
    CSV reads it a chunk at a time, ``statement_lines``.)"""
    return list(statement_lines(contact))


# Transactions read at once by ``statement_lines``.
CHUNK = 500


def statement_lines(contact: Contact, *, chunk: int = CHUNK) -> Iterator[StatementLine]:
    """``statement``'s lines, read from the database ``chunk`` transactions at a time
    (keyset on the transactions): a statement of any length is written out in the memory
    of one chunk."""
    running: dict[int, int] = defaultdict(int)
    rows = _moved(contact).order_by("created_at", "id")
    found = list(rows[:chunk])
    while found:
        for txn in found:
            wallet = _wallet_change(txn, contact)
            running[txn.facility_id or 0] += wallet
            yield _line(txn, wallet, running[txn.facility_id or 0])
        if len(found) < chunk:
            return
        last = found[-1]
        found = list(
            rows.filter(
                Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, pk__gt=last.pk)
            )[:chunk]
        )


# Lines on one page of the statement.
PAGE_LINES = 100


@dataclass(frozen=True)
class StatementPage:
    lines: list[StatementLine]  # newest first
    earlier: str | None  # the cursor of the page of older lines, if there are any
    newest: bool  # the page of the newest lines (no cursor, or one that names no line)


def statement_page(contact: Contact, *, before: str = "", size: int = PAGE_LINES) -> StatementPage:
    """One page of ``statement``, newest first: the ``size`` lines just older than the
    cursor ``before`` (``keyset``), or the newest ones. The database reads one page of
    transactions; the wallet balances after its lines come from the wallets' balances now,
    less what the lines newer than the page moved (nothing to add up for the newest page)."""
    rows = _moved(contact)
    key = keyset.parse(before)
    if key is not None:
        at, pk = key
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    found = list(rows.order_by("-created_at", "-id")[: size + 1])
    page = found[:size]
    # The wallet balance at each facility after the page's newest line: its balance now,
    # less what the lines newer than the page moved.
    after: defaultdict[int, int] = defaultdict(int)
    wallets = Account.objects.filter(contact=contact, kind=K.CONTACT_WALLET)
    for facility_id, balance in wallets.values_list("facility_id", "balance"):
        after[facility_id or 0] += balance
    if key is not None:
        at, pk = key
        newer = Posting.objects.filter(
            Q(transaction__created_at__gt=at)
            | Q(transaction__created_at=at, transaction_id__gte=pk),
            account__in=wallets,
        )
        for facility_id, moved in (
            newer.values_list("account__facility_id").annotate(moved=Sum("amount")).order_by()
        ):
            after[facility_id or 0] -= moved or 0
    lines = []
    for txn in page:
        wallet = _wallet_change(txn, contact)
        facility_id = txn.facility_id or 0
        lines.append(_line(txn, wallet, after[facility_id]))
        after[facility_id] -= wallet
    more = len(found) > size
    return StatementPage(lines, keyset.cursor_of(page[-1]) if more else None, key is None)


def trust_statement(resident: Resident) -> list[StatementLine]:
    """Everything that moved the resident's trust account, oldest first, with its balance
    after each line (the wallet fields hold the trust account's change and balance)."""
    postings = (
        Posting.objects.filter(account__resident=resident, account__kind=K.TRUST)
        .select_related("transaction__facility", "transaction__payment__resident")
        .order_by("transaction__created_at", "transaction_id", "id")
    )
    balance = 0
    lines = []
    for posting in postings:
        txn = posting.transaction
        balance += posting.amount
        lines.append(
            StatementLine(
                at=txn.created_at,
                facility=txn.facility.name if txn.facility else "",
                facility_code=txn.facility.code if txn.facility else "",
                what=_describe(txn),
                card_cents=None,
                wallet_cents=posting.amount,
                wallet_after=balance,
                zone=txn.facility.timezone if txn.facility else "UTC",
            )
        )
    return lines


def _describe(txn: Transaction) -> str:
    """What a line of a statement was, in the reader's language (a memo is kept as it was
    written, in English, and said again by ``words.shown_memo``)."""
    payment = txn.payment
    if payment and txn.kind in (T.DEPOSIT, T.TRUST_DEPOSIT):
        said = {"receipt": payment.receipt_number, "fee": f"${payment.fee_cents / 100:.2f}"}
        if txn.kind == T.DEPOSIT:
            if payment.fee_cents:
                return _("Deposit, receipt %(receipt)s (fee %(fee)s)") % said
            return _("Deposit, receipt %(receipt)s") % said
        if payment.resident:
            said["name"] = payment.resident.first_name
            if payment.fee_cents:
                return (
                    _("Money to %(name)s's trust account, receipt %(receipt)s (fee %(fee)s)") % said
                )
            return _("Money to %(name)s's trust account, receipt %(receipt)s") % said
        if payment.fee_cents:
            return (
                _("Money to a resident's trust account, receipt %(receipt)s (fee %(fee)s)") % said
            )
        return _("Money to a resident's trust account, receipt %(receipt)s") % said
    if txn.kind == T.PAYOUT and not words.is_refund_to_your_card(txn):
        # A wallet's refund keeps only why as its memo.
        return words.REFUND_TO_YOUR_CARD.said(reason=words.shown_memo(txn))
    return words.shown_memo(txn) or str(dict(T.choices).get(txn.kind, txn.kind))


def statement_csv(lines: Iterable[StatementLine]) -> str:
    return "".join(statement_csv_rows(lines))


class _Echo:
    """What a csv.writer writes to when each row is wanted as it is written."""

    def write(self, text: str) -> str:
        return text


def statement_csv_rows(lines: Iterable[StatementLine]) -> Iterator[str]:
    """The statement as CSV, a row at a time (for a response that streams it)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(
        ["date (UTC)", "facility", "description", "card", "wallet", "wallet balance"]
    )
    for line in lines:
        yield writer.writerow(
            [
                line.at.strftime("%Y-%m-%d %H:%M"),
                _safe(line.facility),
                _safe(line.what),
                "" if line.card_cents is None else _dollars(line.card_cents),
                _dollars(line.wallet_cents),
                _dollars(line.wallet_after),
            ]
        )


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote stops it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass
class ReportRow:
    """One month of a facility's money. Its revenue is the month's change in the facility's
    revenue account: messages charged less refunds, kiosk time, and deposit fees."""

    month: dt.date
    messages: int = 0  # messages charged
    charged: int = 0  # cents charged for messages (to anyone, the agency included)
    refunded: int = 0  # cents given back for blocked or returned messages
    kiosk_sessions: int = 0  # kiosk sessions charged (per-minute pricing)
    kiosk_time: int = 0  # cents residents paid from trust accounts for time at the kiosk
    fees: int = 0  # deposit fees
    agency_funded: int = 0  # cents the agency paid (free messaging, or agency-paid)
    deposits: int = 0  # cents paid into wallets and trust accounts

    @property
    def revenue(self) -> int:
        return self.charged - self.refunded + self.kiosk_time + self.fees


def facility_report(facility: Facility, *, start: dt.date, end: dt.date) -> list[ReportRow]:
    """Per month (facility-local), from ``start`` up to but not including ``end``. Every
    posting to the facility's revenue account lands in one column, so the revenue of a
    period is what that account gained in it."""
    zone = ZoneInfo(facility.timezone)
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end, dt.time(), tzinfo=zone)
    postings = (
        Posting.objects.filter(
            transaction__facility=facility,
            transaction__created_at__gte=since,
            transaction__created_at__lt=until,
        )
        .annotate(month=TruncMonth("transaction__created_at", tzinfo=zone))
        .values("month", "transaction__kind", "account__kind")
        .annotate(total=Sum("amount"), count=Count("transaction", distinct=True))
    )
    rows: dict[dt.date, ReportRow] = {}
    for item in postings:
        month = item["month"].date() if isinstance(item["month"], dt.datetime) else item["month"]
        row = rows.setdefault(month, ReportRow(month))
        kind, account, total = item["transaction__kind"], item["account__kind"], item["total"]
        if account == K.PLATFORM_REVENUE:
            if kind == T.MESSAGE_CHARGE:
                row.charged += total
                row.messages += item["count"]
            elif kind == T.MESSAGE_REFUND:
                row.refunded -= total
            elif kind == T.KIOSK_TIME:
                row.kiosk_time += total
                row.kiosk_sessions += item["count"]
            elif kind in (T.DEPOSIT, T.TRUST_DEPOSIT):
                row.fees += total
        elif account == K.AGENCY_FUNDING:
            row.agency_funded -= total
        elif account in (K.CONTACT_WALLET, K.TRUST) and kind in (T.DEPOSIT, T.TRUST_DEPOSIT):
            row.deposits += total
    return [rows[month] for month in sorted(rows)]


def report_csv(facility: Facility, rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "month",
            "messages charged",
            "charged",
            "refunded",
            "kiosk sessions charged",
            "kiosk time",
            "deposit fees",
            "revenue",
            "agency funded",
            "deposits",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.month.strftime("%Y-%m"),
                row.messages,
                _dollars(row.charged),
                _dollars(row.refunded),
                row.kiosk_sessions,
                _dollars(row.kiosk_time),
                _dollars(row.fees),
                _dollars(row.revenue),
                _dollars(row.agency_funded),
                _dollars(row.deposits),
            ]
        )
    return out.getvalue()
