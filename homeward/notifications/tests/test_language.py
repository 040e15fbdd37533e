"""Notifications are written in the language of the person told: a contact's saved choice
for their emails, a resident's for their kiosk notices, whatever language the request the
event happened in was speaking; an invitation to an address with no account follows the
request that sent it."""

from __future__ import annotations

import datetime as dt
import email.header

from django.utils import translation

from homeward import builders as t
from homeward.notifications import services
from homeward.notifications.models import Notification
from homeward.notifications.tests.test_notifications import reply_to_ana
from homeward.personas import body_of, emails_to

ANA = "a@example.org"


def subject_of(sent) -> str:  # type: ignore[no-untyped-def]
    return str(email.header.make_header(email.header.decode_header(sent["Subject"])))


def speaks(contact, language: str) -> None:  # type: ignore[no-untyped-def]
    contact.user.language = language
    contact.user.save(update_fields=["language"])


def test_a_contact_who_chose_spanish_is_told_of_a_reply_in_spanish(world, run_jobs, smtp):
    speaks(world.contact_a, "es")
    reply_to_ana(world, run_jobs)
    run_jobs()
    [sent] = emails_to(smtp, ANA)
    assert subject_of(sent) == "Tiene una respuesta esperando en Homeward"
    body = body_of(sent)
    assert body.startswith("Hola:")
    assert 'Tiene un mensaje nuevo de "Maria Lopez" esperando. Inicie sesión para leerlo:' in body
    assert "Por privacidad, nunca ponemos el texto de un mensaje en un correo." in body
    assert "Recibe este correo porque tiene una cuenta de Homeward." in body  # the footer
    assert "Sign in" not in body and "Hello" not in body
    assert "secret" not in body and "stairs" not in body  # never the message's words


def test_an_english_contact_stays_english_when_the_event_happens_in_spanish(world, run_jobs, smtp):
    speaks(world.contact_a, "en")
    with translation.override("es"):  # the resident's kiosk speaks Spanish
        reply_to_ana(world, run_jobs)
        run_jobs()
    [sent] = emails_to(smtp, ANA)
    assert subject_of(sent) == "A reply is waiting for you on Homeward"
    body = body_of(sent)
    assert body.startswith("Hello,")
    assert 'A new message from "Maria Lopez" is waiting for you. Sign in to read it:' in body
    assert "You get this email because you have a Homeward account." in body
    assert "Hola" not in body


def test_a_contact_with_no_saved_language_is_told_in_english(world, run_jobs, smtp):
    speaks(world.contact_a, "")
    with translation.override("es"):  # someone else's request, in Spanish
        reply_to_ana(world, run_jobs)
        run_jobs()
    [sent] = emails_to(smtp, ANA)
    assert subject_of(sent) == "A reply is waiting for you on Homeward"


def test_a_spanish_contacts_receipt_is_in_spanish_and_an_english_ones_in_english(
    world, run_jobs, smtp
):
    t.set_prices(
        world.facility_1,
        model="stamps",
        stamp_cents=40,
        deposit_fee_flat_cents=100,
        deposit_fee_bp=250,
    )
    speaks(world.contact_a, "es")
    speaks(world.contact_b, "en")
    paid_a = t.pay_in(world.contact_a, world.facility_1, 2000)
    with translation.override("es"):
        paid_b = t.pay_in(world.contact_b, world.facility_1, 2000)
    run_jobs()
    [spanish] = emails_to(smtp, ANA)
    assert subject_of(spanish) == f"Su recibo de Homeward {paid_a.receipt_number}"
    body = body_of(spanish)
    assert f"Su pago se realizó. Recibo {paid_a.receipt_number}:" in body
    assert 'A su monedero en "Greenhaven Correctional": $20.00' in body
    assert "Cargos: $1.50" in body
    assert "Total cobrado a la tarjeta terminada en 4242: $21.50" in body
    assert "Vea el recibo:" in body
    [english] = emails_to(smtp, "b@example.org")
    assert subject_of(english) == f"Your Homeward receipt {paid_b.receipt_number}"
    body = body_of(english)
    assert 'To your wallet at "Greenhaven Correctional": $20.00' in body
    assert "Total charged to the card ending 4242: $21.50" in body


def test_the_digest_is_written_in_the_contacts_language(world, run_jobs, smtp):
    speaks(world.contact_a, "es")
    services.set_digest(contact=world.contact_a, on=True)
    for number in (1, 2):
        services.notify(
            event="connection_ended",
            key=f"connection:{number}:ended:x",
            contact=world.contact_a,
            theirs={"name": "Maria Lopez"},
        )
    digest = Notification.objects.get(event=services.DIGEST)
    services.send(notification_id=digest.pk)
    [sent] = emails_to(smtp, ANA)
    assert subject_of(sent) == "Su resumen de Homeward: 2 novedades"
    body = body_of(sent)
    assert "Esto es lo que pasó en Homeward desde su último resumen." in body
    assert body.count('El centro terminó su conexión con "Maria Lopez".') == 2


def test_a_kiosk_notice_is_kept_in_the_residents_language(world):
    world.resident.language = "es"
    world.resident.save(update_fields=["language"])
    with translation.override("en"):  # told from an English request
        row = services.notify(
            event="connection_started",
            key="connection:1:active:x",
            resident=world.resident,
            theirs={"name": "Ana Lopez"},
        )
    assert row.subject == "Comenzó una conexión"
    assert row.body == "Ya puede escribirle a “Ana Lopez”."
    english = services.notify(
        event="connection_started",
        key="connection:2:active:x",
        resident=world.resident_2,
        theirs={"name": "Ben Ortiz"},
    )
    assert english.body == "You can now write to “Ben Ortiz”."


def test_an_invitation_to_a_new_address_speaks_the_language_of_the_request_that_sent_it(
    world,
):
    def invite(address: str) -> Notification:
        return services.notify(
            event="invitation",
            key=f"connection:9:invited:{address}",
            address=address,
            ours={
                "link": "https://homeward.example/invitations/x/",
                "expires": dt.date(2026, 3, 5),
            },
            theirs={"name": "Maria Lopez", "facility": "Greenhaven Correctional"},
        )

    with translation.override("es"):  # the kiosk the resident invited from
        spanish = invite("new@example.org")
    assert spanish.subject == "Una invitación para escribirse en Homeward"
    assert "a más tardar el 5 de marzo de 2026" in spanish.body
    english = invite("other@example.org")  # no request: English
    assert english.subject == "An invitation to write on Homeward"
    assert "open this link by March 5, 2026." in english.body
    # An address that has an account: the account's language, whatever the kiosk speaks.
    speaks(world.contact_b, "en")
    with translation.override("es"):
        known = invite("b@example.org")
    assert known.subject == "An invitation to write on Homeward"
