"""The ledger's memos and payout reasons are kept in English, as the code writes them, and
read in the reader's language (``ledger.words``): every form the code writes is made here
through the service that writes it, then read in Spanish with its names, amounts and
receipt numbers, and in English exactly as stored. A memo the code does not write is shown
as it was stored."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from homeward import builders as t
from homeward.core import clock
from homeward.ledger import payments, pricing, statements, words
from homeward.ledger import services as ledger
from homeward.ledger import stamps as stamp_packs
from homeward.ledger.models import Account, Payment, Payout, Transaction
from homeward.ledger.providers import sandbox
from homeward.messaging import services as messaging
from homeward.messaging import words as message_words
from homeward.people import account
from homeward.personas import BASE, client_for
from homeward.review import intake
from homeward.roster.services import release_resident
from homeward.web.views import wallet as wallet_views

K = Account.Kind
T = Transaction.Kind


def shown(txn: Transaction, language: str) -> str:
    with translation.override(language):
        return words.shown_memo(txn)


def reads(txn: Transaction, english: str, spanish: str) -> None:
    """``txn`` was written ``english`` and reads ``spanish`` in Spanish."""
    assert txn.memo == english
    assert shown(txn, "en") == english
    assert shown(txn, "es") == spanish


def reason_reads(payout: Payout, english: str, spanish: str) -> None:
    assert payout.reason == english
    with translation.override("en"):
        assert words.shown_payout_reason(payout) == english
    with translation.override("es"):
        assert words.shown_payout_reason(payout) == spanish


def post(kind: str, memo: str) -> Transaction:
    """A transaction with ``memo``, between two of the platform's accounts."""
    return ledger.post(
        key=f"posted-{Transaction.objects.count()}",
        kind=kind,
        postings=[
            (ledger.account_for(kind=K.PAYMENT_CLEARING), -1),
            (ledger.account_for(kind=K.REFUNDS_PAYABLE), 1),
        ],
        memo=memo,
    )


def memo_of(**filters) -> Transaction:
    return Transaction.objects.get(**filters)


def described(contact, language: str) -> list[str]:
    with translation.override(language):
        return [line.what for line in statements.statement(contact)]


def send(world, body="Hello Maria", **kw):
    return messaging.send_message(
        sender=world.contact_a, connection_id=world.connection.pk, body=body, **kw
    ).message


def reply(world, body="Thank you"):
    return messaging.send_message(
        sender=world.resident, connection_id=world.connection.pk, body=body
    ).message


def deliver(world, message) -> None:
    intake.screen_and_route(message_id=message.pk)
    messaging.approve(message_id=message.pk, actor=world.reviewer_1)
    messaging.deliver(message_id=message.pk)


@pytest.fixture
def prepaid(world):
    """Greenhaven: 40 cents a stamp, replies can be paid ahead; Ana has $10 in her wallet."""
    t.set_prices(world.facility_1, model="stamps", stamp_cents=40, payer="sender_prepays_reply")
    world.connection = world.contact_a.connections.get()
    world.payment = t.pay_in(world.contact_a, world.facility_1, 1000)
    return world


# --- messages ------------------------------------------------------------------------------


def test_a_deposit_a_message_and_its_refund_read_in_spanish(stamps):
    payment = t.pay_in(stamps.contact_a, stamps.facility_1, 1000)
    number = payment.receipt_number
    reads(memo_of(payment=payment, kind=T.DEPOSIT), f"Receipt {number}", f"Recibo {number}")
    message = send(stamps)
    reads(memo_of(message=message, kind=T.MESSAGE_CHARGE), "Message to Maria", "Mensaje a Maria")
    intake.screen_and_route(message_id=message.pk)
    messaging.block(message_id=message.pk, actor=stamps.reviewer_1, category="threats")
    reads(
        memo_of(message=message, kind=T.MESSAGE_REFUND),
        "Refund: the message was not delivered",
        "Reembolso: el mensaje no fue entregado",
    )


def test_a_prepaid_reply_and_the_replies_read_in_spanish(prepaid):
    message = send(prepaid, prepaid_reply=True)
    reads(
        memo_of(message=message),
        "Message to Maria with a prepaid reply",
        "Mensaje a Maria con respuesta prepagada",
    )
    paid_ahead = reply(prepaid)
    reads(
        memo_of(message=paid_ahead),
        "Reply from Maria, paid by a prepaid reply",
        "Respuesta de Maria, pagada con una respuesta prepagada",
    )
    t.fund_trust(prepaid.resident, 100)
    from_trust = reply(prepaid, "And again")
    reads(memo_of(message=from_trust), "Reply from Maria", "Respuesta de Maria")


@pytest.mark.parametrize(
    "reason", sorted(message_words.RETURN_REASONS), ids=lambda reason: reason.replace(" ", "_")
)
def test_every_reason_a_message_is_returned_for_reads_in_spanish_on_its_refund(world, reason):
    stored = words.REFUND.stored(reason=reason)
    posted = post(T.MESSAGE_REFUND, stored)
    with translation.override("es"):
        spanish = str(message_words.RETURN_REASONS[reason])
    assert spanish != reason
    reads(posted, stored, f"Reembolso: {spanish}")


# --- stamps --------------------------------------------------------------------------------


def packs(world, pack: dict[str, int]) -> Payment:
    """Greenhaven sells ``pack`` (replies can be paid ahead); Ana pays in $10 and buys it."""
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        payer="sender_prepays_reply",
        stamp_packs=[pack],
    )
    world.connection = world.contact_a.connections.get()
    payment = t.pay_in(world.contact_a, world.facility_1, 1000)
    stamp_packs.purchase_pack(contact=world.contact_a, facility=world.facility_1, pack=0, key="p")
    return payment


def test_a_pack_and_the_messages_it_pays_for_read_in_spanish(world):
    packs(world, {"stamps": 10, "cents": 350})
    reads(
        memo_of(idempotency_key="p:money"),
        "Stamp pack: 10 stamps for $3.50 ($0.350 each)",
        "Paquete de estampillas: 10 estampillas por $3.50 ($0.350 cada una)",
    )
    reads(memo_of(idempotency_key="p:stamps"), "10 stamps", "10 estampillas")
    message = send(world)
    for charge in Transaction.objects.filter(message=message):
        reads(
            charge,
            "Message to Maria (1 of your stamps)",
            "Mensaje a Maria (1 de sus estampillas)",
        )
    with_reply = send(world, "Write back", prepaid_reply=True)
    used = 1 + pricing.schedule_in_force(world.facility_1.pk, clock.now()).reply_stamps
    for charge in Transaction.objects.filter(message=with_reply):
        reads(
            charge,
            f"Message to Maria with a prepaid reply ({used} of your stamps)",
            f"Mensaje a Maria con respuesta prepagada ({used} de sus estampillas)",
        )


@pytest.mark.parametrize(
    ("pack", "english", "spanish"),
    [
        (
            {"stamps": 10, "cents": 350},
            [
                "10 stamps",
                "10 unused stamps returned",
                "10 unused stamps returned at what they cost",
            ],
            [
                "10 estampillas",
                "10 estampillas sin usar devueltas",
                "10 estampillas sin usar devueltas por lo que costaron",
            ],
        ),
        (
            {"stamps": 1, "cents": 40},
            ["1 stamp", "1 unused stamp returned", "1 unused stamp returned at what it cost"],
            [
                "1 estampilla",
                "1 estampilla sin usar devuelta",
                "1 estampilla sin usar devuelta por lo que costó",
            ],
        ),
    ],
    ids=["ten", "one"],
)
def test_unused_stamps_and_the_refund_to_the_card_read_in_spanish(
    world, run_jobs, pack, english, spanish
):
    payment = packs(world, pack)
    payouts, _ = payments.refund_wallet(
        contact=world.contact_a,
        facility=world.facility_1,
        reason=wallet_views.REFUND_REASON,
        key="refund",
    )
    written = [
        memo_of(idempotency_key=key)
        for key in ("p:stamps", "refund:stamps:stamps", "refund:stamps:money")
    ]
    for txn, said_en, said_es in zip(written, english, spanish, strict=True):
        reads(txn, said_en, said_es)
    [payout] = payouts
    reason_reads(payout, "Refund requested by you", "Reembolso solicitado por usted")
    reads(
        memo_of(idempotency_key="refund"),
        "Refund requested by you",
        "Reembolso solicitado por usted",
    )
    assert described(world.contact_a, "es")[-1] == (
        "Reembolso a su tarjeta: Reembolso solicitado por usted"
    )
    assert described(world.contact_a, "en")[-1] == "Refund to your card: Refund requested by you"
    run_jobs()  # the card company pays the refund
    number = payment.receipt_number
    reads(
        memo_of(kind=T.PAYOUT_SENT),
        f"Refund to card for receipt {number}",
        f"Reembolso a la tarjeta del recibo {number}",
    )


# --- closing an account, and a release ------------------------------------------------------


def test_closing_an_account_reads_in_spanish(prepaid):
    deliver(prepaid, send(prepaid, prepaid_reply=True))
    account.close_account(contact=prepaid.contact_a, password=t.PASSWORD)
    reads(
        memo_of(kind=T.MESSAGE_REFUND, message=None),
        "Unused prepaid replies returned: your account was closed",
        "Respuestas prepagadas sin usar devueltas: su cuenta fue cerrada",
    )
    [payout] = Payout.objects.all()
    reason_reads(payout, "Your account was closed", "Su cuenta fue cerrada")
    reads(memo_of(kind=T.PAYOUT), "Your account was closed", "Su cuenta fue cerrada")


def test_a_release_reads_in_spanish(prepaid):
    deliver(prepaid, send(prepaid, "With a reply", prepaid_reply=True))
    waiting = send(prepaid, "Still on its way")
    t.pay_in(prepaid.contact_a, prepaid.facility_1, 1500, connection=prepaid.connection)
    release_resident(staff=prepaid.facility_admin, resident_id=prepaid.resident.pk)
    reads(
        memo_of(message=waiting, kind=T.MESSAGE_REFUND),
        "Refund: resident released",
        "Reembolso: residente liberado",
    )
    reads(
        memo_of(kind=T.RELEASE, contact=prepaid.contact_a),
        "Unused prepaid replies returned at release",
        "Respuestas prepagadas sin usar devueltas por la liberación",
    )
    day = f"{clock.now():%Y-%m-%d}"
    reads(
        memo_of(kind=T.RELEASE, contact=None),
        f"Trust account paid to Maria Lopez at release on {day}",
        f"Cuenta de fondos pagada a Maria Lopez en su liberación, el {day}",
    )
    for payout in Payout.objects.all():
        reason_reads(payout, "Maria was released", "Maria obtuvo su liberación")
    reads(memo_of(kind=T.PAYOUT), "Maria was released", "Maria obtuvo su liberación")
    assert described(prepaid.contact_a, "es")[-1] == (
        "Reembolso a su tarjeta: Maria obtuvo su liberación"
    )
    with translation.override("es"):
        trust = [line.what for line in statements.trust_statement(prepaid.resident)]
    assert trust[-1] == f"Cuenta de fondos pagada a Maria Lopez en su liberación, el {day}"


def test_trust_money_that_arrives_after_the_release_reads_in_spanish(prepaid):
    late = payments.start(
        contact=prepaid.contact_a,
        facility=prepaid.facility_1,
        amount=1500,
        key="late",
        card=sandbox.SUCCEEDS_LATE,
        connection_id=prepaid.connection.pk,
    ).payment
    assert late.status == Payment.Status.PENDING
    release_resident(staff=prepaid.facility_admin, resident_id=prepaid.resident.pk)
    payments.sandbox_settle(payment_ref=Payment.objects.get(pk=late.pk).provider_ref)
    returned = memo_of(payment=late, kind=T.PAYOUT)
    reads(
        returned,
        "Refund to your card: Maria was released",
        "Reembolso a su tarjeta: Maria obtuvo su liberación",
    )
    reason_reads(late.payouts.get(), "Maria was released", "Maria obtuvo su liberación")
    # Said once, not "Refund to your card: Refund to your card: …".
    with translation.override("en"):
        trust = [line.what for line in statements.trust_statement(prepaid.resident)]
    assert trust[-1] == "Refund to your card: Maria was released"


# --- kiosk time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "held", "english", "spanish"),
    [
        (
            50,
            100,
            "Kiosk time: 1 minute at Greenhaven Correctional",
            "Tiempo en el quiosco: 1 minuto en Greenhaven Correctional",
        ),
        (
            121,
            7,
            "Kiosk time: 3 minutes at Greenhaven Correctional ($0.08 not covered)",
            "Tiempo en el quiosco: 3 minutos en Greenhaven Correctional ($0.08 sin cubrir)",
        ),
    ],
    ids=["covered", "short"],
)
def test_kiosk_time_reads_in_spanish(world, seconds, held, english, spanish):
    schedule = t.set_prices(world.facility_1, model="per_minute", per_minute_cents=5)
    t.fund_trust(world.resident, held)
    pricing.model_of(schedule).charge_kiosk_session(
        schedule,
        resident=world.resident,
        facility=world.facility_1,
        seconds=seconds,
        key="session",
        ended_at=clock.now(),
    )
    reads(memo_of(kind=T.KIOSK_TIME), english, spanish)


# --- what the code does not write -------------------------------------------------------------


def test_a_memo_or_reason_the_code_does_not_write_is_shown_as_stored(world):
    for memo in ["Adjusted by the facility", "Refund", "Stamp pack", "Receipt", "3 minutes", ""]:
        reads(post(T.DEPOSIT, memo), memo, memo)
    reads(post(T.PAYOUT, "Goodwill"), "Goodwill", "Goodwill")
    payment = t.pay_in(world.contact_a, world.facility_1, 1000)
    odd = Payout.objects.create(
        payment=payment,
        amount_cents=100,
        reason="Goodwill",
        refund_key="odd",
        created_at=clock.now(),
    )
    reason_reads(odd, "Goodwill", "Goodwill")


# --- on the pages and in the API ---------------------------------------------------------------


def test_a_spanish_statement_shows_a_message_charge_in_spanish(prepaid):
    send(prepaid, prepaid_reply=True)
    client = client_for(prepaid.contact_a.user)
    client.post("/language/", {"language": "es"})
    page = client.get("/wallet/statement/").content.decode()
    assert "Mensaje a Maria con respuesta prepagada" in page
    assert "Message to Maria" not in page
    client.post("/language/", {"language": "en"})
    assert (
        "Message to Maria with a prepaid reply" in client.get("/wallet/statement/").content.decode()
    )


def test_a_spanish_receipt_says_why_the_money_went_back(prepaid):
    payments.refund_wallet(
        contact=prepaid.contact_a,
        facility=prepaid.facility_1,
        reason=wallet_views.REFUND_REASON,
        key="refund",
    )
    client = client_for(prepaid.contact_a.user)
    client.post("/language/", {"language": "es"})
    page = client.get(f"/receipts/{prepaid.payment.pk}/").content.decode()
    assert "Reembolso solicitado por usted" in page
    assert "Refund requested by you" not in page


def test_the_api_says_memos_and_reasons_in_the_language_asked(prepaid, api_a):
    send(prepaid)
    payments.refund_wallet(
        contact=prepaid.contact_a,
        facility=prepaid.facility_1,
        reason=wallet_views.REFUND_REASON,
        key="refund",
    )
    spanish = {"Accept-Language": "es", **api_a._headers()}
    lines = api_a.client.get(f"{BASE}/statement", headers=spanish).json()
    said = [line["description"] for line in lines]
    assert "Mensaje a Maria" in said
    assert said[-1] == "Reembolso a su tarjeta: Reembolso solicitado por usted"
    payment = api_a.client.get(f"{BASE}/payments/{prepaid.payment.pk}", headers=spanish).json()
    assert [p["reason"] for p in payment["payouts"]] == ["Reembolso solicitado por usted"]
    english = api_a.get(f"/payments/{prepaid.payment.pk}").json()
    assert [p["reason"] for p in english["payouts"]] == ["Refund requested by you"]
    assert re.fullmatch(r"Receipt HW-\d+", memo_of(payment=prepaid.payment).memo)
