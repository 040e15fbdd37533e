"""The contact's money pages: a wallet per facility, paying in (to a wallet or to a
resident's trust account), refunds to the card, receipts and the statement.

Every amount and fee comes from the ledger services; these views parse, call and render.
Paying takes two steps so that the full price, every fee itemised, is on screen before the
card is asked for.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.connections import access as connection_access
from homeward.connections.models import Connection
from homeward.core.errors import Conflict, DomainError, NotFound
from homeward.core.templatetags.money import dollars
from homeward.core.views import show_error
from homeward.facilities.models import Facility
from homeward.ledger import access as money
from homeward.ledger import payments, stamps, statements, words
from homeward.ledger.models import Account, Payment
from homeward.ledger.providers import sandbox
from homeward.people.models import Contact
from homeward.people.words import short_name
from homeward.web.access import contact_required
from homeward.web.forms import AmountForm, CardForm
from homeward.web.requests import ContactRequest

K = Account.Kind
TOKEN = re.compile(r"^[0-9a-f]{32}$")
# Why the money goes back, kept in English on the payout (said in the reader's language).
REFUND_REASON = words.REFUND_REQUESTED.stored()
SANDBOX_CARDS = [
    (" ".join(re.findall("....", number)), what)
    for number, what in (
        (sandbox.SUCCEEDS, gettext_lazy("paid at once")),
        (sandbox.DECLINES, gettext_lazy("declined")),
        (
            sandbox.SUCCEEDS_LATE,
            gettext_lazy("waits a few seconds for the card company, then is paid"),
        ),
    )
]


def _token(text: str) -> str:
    """The form's token if we could have made it; otherwise a fresh one (which still
    makes the action happen once)."""
    text = text.strip().lower()
    return text if TOKEN.match(text) else uuid.uuid4().hex


def _payment_key(contact: Contact, token: str) -> str:
    # Scoped to the contact: one person's form token can never name another's payment.
    return f"web-payment:{contact.pk}:{token}"


def _facility(contact: Contact, code: str, *, wallet_only: bool = False) -> Facility:
    """A facility where the contact may pay in (a connection there, in any status), or with
    ``wallet_only`` one where they have a wallet. Anywhere else does not exist for them."""
    find = money.facility_with_wallet if wallet_only else money.facility_for_deposits
    try:
        return find(contact, code)
    except NotFound as error:
        raise Http404(error.message) from None


@require_GET
@contact_required
def wallets(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    # Back from a hosted checkout: the return address carries the form token, because the
    # payment did not exist yet when the address was made.
    returning = request.GET.get("payment", "")
    if returning:
        paid = money.payment_with_key(contact, _payment_key(contact, _token(returning)))
        if paid is not None:
            return redirect("web:receipt", paid.pk)
    rows = []
    for wallet in money.wallets_of_contact(contact):
        payouts, waiting = money.on_the_way(contact, wallet.facility)
        rows.append(
            {"wallet": wallet, "payouts": payouts, "waiting": waiting, "token": uuid.uuid4().hex}
        )
    recipients = [
        {"connection": c, "short_name": short_name(c.resident)}
        for c in connection_access.connections_of_contact(contact)
        if c.is_active and c.resident.in_custody
    ]
    return render(request, "web/wallet.html", {"rows": rows, "recipients": recipients})


@require_http_methods(["GET", "POST"])
@contact_required
def deposit(request: ContactRequest, code: str) -> HttpResponse:
    contact = request.contact
    facility = _facility(contact, code)
    return _payment_steps(request, contact, facility=facility)


@require_http_methods(["GET", "POST"])
@contact_required
def send_money(request: ContactRequest, connection_id: int) -> HttpResponse:
    contact = request.contact
    try:
        connection = connection_access.connection_for_contact(contact, connection_id)
    except NotFound:
        raise Http404("No such connection.") from None
    return _payment_steps(request, contact, facility=connection.facility, connection=connection)


def _payment_steps(
    request: HttpRequest,
    contact: Contact,
    *,
    facility: Facility,
    connection: Connection | None = None,
) -> HttpResponse:
    """Amount → itemised quote and card → pay. Nothing is created before the last step."""
    resident = connection.resident if connection else None
    ask_card = settings.PAYMENT_PROVIDER == "sandbox"  # otherwise typed at the card company
    context: dict[str, Any] = {
        "facility": facility,
        "connection": connection,
        "short_name": short_name(resident) if resident else "",
        "sandbox_cards": SANDBOX_CARDS if ask_card else [],
    }

    def page(status: int = 200, **more: Any) -> HttpResponse:
        return render(request, "web/deposit.html", {**context, **more}, status=status)

    if connection:
        try:
            payments.trust_recipient(contact, connection.pk)
        except Conflict as error:
            return page(status=409, closed=error.message)
    amount_form = AmountForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return page(amount_form=amount_form)
    if not amount_form.is_valid():
        return page(status=400, amount_form=amount_form)
    try:
        amount = amount_form.cleaned_data["amount"]  # cents, read by AmountForm
        quoted = payments.quote(
            facility=facility, amount=amount, resident=resident, contact=contact
        )
    except DomainError as error:
        amount_form.add_error("amount" if error.code == "bad_amount" else None, error.message)
        return page(
            status=400 if error.code == "bad_amount" else error.status, amount_form=amount_form
        )
    shown = {
        "amount": f"{amount // 100}.{amount % 100:02d}",
        "total": quoted.total,
        "token": uuid.uuid4().hex,
    }

    def card_step(form: CardForm | None = None, status: int = 200, error: str = "") -> HttpResponse:
        form = form or CardForm(initial=shown, ask_card=ask_card)
        return page(status=status, quote=quoted, card_form=form, error=error)

    if request.POST.get("step") != "pay":
        return card_step()
    data = request.POST.copy()
    data["token"] = token = _token(data.get("token", ""))
    card_form = CardForm(data, ask_card=ask_card)
    if not card_form.is_valid():
        if set(card_form.errors) == {"card"}:
            return card_step(card_form, status=400)
        # The hidden fields were lost or altered: show the quote afresh rather than guess.
        return card_step(status=400, error=_("Check the total, then pay."))
    try:
        # The total shown must still be the total (409 total_changed otherwise), and a
        # declined card is an error (402 card_declined): the same rules as the API's.
        started = payments.start(
            contact=contact,
            facility=facility,
            amount=amount,
            key=_payment_key(contact, token),
            card=card_form.cleaned_data.get("card", ""),
            connection_id=connection.pk if connection else None,
            expected_total=card_form.cleaned_data["total"],
            return_url=request.build_absolute_uri(f"{reverse('web:wallets')}?payment={token}"),
        )
        if started.redirect_url:
            return redirect(started.redirect_url)
        started.refuse_if_declined()
    except DomainError as error:
        if isinstance(error, NotFound):
            raise Http404(error.message) from None
        # Nothing moved; the next try gets a fresh token so it is a new payment.
        return card_step(status=error.status, error=payments.nothing_charged(error.message))
    payment = started.payment
    if not started.created:  # the same form sent again (Back, a double tap, a retry)
        messages.info(request, _("This payment was already made; nothing more was charged."))
    elif payment.status == Payment.Status.SUCCEEDED:
        messages.success(
            request, _("Paid. Receipt %(number)s.") % {"number": payment.receipt_number}
        )
    return redirect("web:receipt", payment.pk)


@require_POST
@contact_required
def refund(request: ContactRequest, code: str) -> HttpResponse:
    contact = request.contact
    facility = _facility(contact, code, wallet_only=True)
    key = f"web-wallet-refund:{contact.pk}:{_token(request.POST.get('token', ''))}"
    try:
        payouts, asked_now = payments.refund_wallet(
            contact=contact, facility=facility, reason=REFUND_REASON, key=key
        )
    except DomainError as error:
        show_error(request, error)
        return redirect("web:wallets")
    if not asked_now:  # the same form sent again: nothing more moved
        messages.info(request, _("This refund was already asked for; it is on its way."))
    elif payouts:
        total = dollars(sum(p.amount_cents for p in payouts))
        messages.success(
            request,
            _("%(amount)s is on its way back to your card. Refunds carry no fee.")
            % {"amount": total},
        )
    else:
        messages.info(
            request,
            _("Your wallet at %(facility)s is empty: nothing to refund.")
            % {"facility": facility.name},
        )
    return redirect("web:wallets")


@require_POST
@contact_required
def buy_pack(request: ContactRequest, code: str) -> HttpResponse:
    """Buy a stamp pack with money already in the wallet at this facility."""
    contact = request.contact
    facility = _facility(contact, code)
    key = f"web-pack:{contact.pk}:{_token(request.POST.get('token', ''))}"
    try:
        pack, bought = stamps.purchase_pack(
            contact=contact, facility=facility, pack=int(request.POST.get("pack", "-1")), key=key
        )
    except ValueError:
        messages.error(request, _("Choose one of the packs on sale."))
    except DomainError as error:
        show_error(request, error)
    else:
        if bought:
            messages.success(
                request,
                _("Bought %(pack)s. Your messages here use them first.") % {"pack": pack.words},
            )
        else:  # the same form sent again: nothing more was bought
            messages.info(
                request,
                _("You already bought %(pack)s; nothing more was taken.") % {"pack": pack.words},
            )
    return redirect("web:wallets")


@require_GET
@contact_required
def receipt(request: ContactRequest, payment_id: int) -> HttpResponse:
    contact = request.contact
    try:
        payment = money.payment_of_contact(contact, payment_id)
    except NotFound as error:
        raise Http404(error.message) from None
    context = {
        "payment": payment,
        "failure": payments.failure_words(payment),
        "payouts": [
            (payout, words.shown_payout_reason(payout))
            for payout in payment.payouts.order_by("created_at", "id")
        ],
        "zone_name": payment.facility.timezone.replace("_", " "),
    }
    return render(request, "web/receipt.html", context)


@require_GET
@contact_required
def statement(request: ContactRequest) -> HttpResponse:
    contact = request.contact
    # A page of lines, newest first, each in its facility's local time; older pages follow
    # the last line seen (the CSV has every line).
    before = request.GET.get("before", "")
    page = statements.statement_page(contact, before=before, size=statements.PAGE_LINES)
    rows = [{"line": line, "zone": line.zone} for line in page.lines]
    context = {"rows": rows, "earlier": page.earlier, "paged": not page.newest}
    return render(request, "web/statement.html", context)


@require_GET
@contact_required
def statement_csv(request: ContactRequest) -> StreamingHttpResponse:
    """The whole statement, streamed as it is read a chunk at a time (in the language of
    the request, which the rows are written in after the view has returned)."""
    rows = statements.statement_csv_rows(statements.statement_lines(request.contact))
    response = StreamingHttpResponse(
        _in_language(translation.get_language(), rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="homeward-statement.csv"'
    return response


def _in_language(language: str, rows: Iterator[str]) -> Iterator[str]:
    with translation.override(language):
        yield from rows
