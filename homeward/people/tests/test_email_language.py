"""The emails about an account are written in its owner's language: the one they chose (or
signed up in), else the language of the request that asked for the email, else English."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from homeward import builders as t
from homeward.people import account, emails, services


def speaks(contact, language: str) -> None:  # type: ignore[no-untyped-def]
    contact.user.language = language
    contact.user.save(update_fields=["language"])


def test_a_spanish_contacts_reset_link_comes_in_spanish_whatever_the_request_speaks(
    world, run_jobs, mailoutbox
):
    speaks(world.contact_a, "es")
    with translation.override("en"):
        account.request_password_reset(email="a@example.org")
    run_jobs()
    [sent] = mailoutbox
    assert sent.subject == "Restablezca su contraseña de Homeward"
    assert "Para elegir una contraseña nueva, abra este enlace dentro de 2 horas." in sent.body
    assert "/password/reset/" in sent.body
    assert "Someone" not in sent.body


def test_an_english_contacts_emails_stay_english_when_asked_in_spanish(world, run_jobs, mailoutbox):
    speaks(world.contact_a, "en")
    with translation.override("es"):
        account.request_password_reset(email="a@example.org")
    run_jobs()
    [sent] = mailoutbox
    assert sent.subject == "Reset your Homeward password"
    assert sent.body.startswith(
        "Someone asked to reset the password of the Homeward account that uses this email"
    )


def test_no_saved_language_follows_the_request_and_signing_up_saves_it(db, run_jobs, mailoutbox):
    with translation.override("es"):
        contact = services.create_contact(
            email="rosa@example.org",
            password="a-long-secret-77",
            display_name="Rosa Diaz",
            accepted_notice_version=settings.MONITORING_NOTICE_VERSION,
        )
    assert contact.user.language == "es"
    run_jobs()
    [sent] = mailoutbox
    assert sent.subject == "Confirme su correo electrónico para Homeward"
    assert 'Usted (o alguien que usa el nombre "Rosa Diaz") creó una cuenta en Homeward' in (
        sent.body
    )
    assert "Abra este enlace dentro de 3 días para confirmar que esta dirección es suya:" in (
        sent.body
    )
    # An email for someone with no saved choice: the request's language, else English.
    with translation.override("es"):
        subject, _body = emails.render("password_changed", ours={}, theirs={})
    assert subject == "Se cambió su contraseña de Homeward"
    subject, _body = emails.render("password_changed", ours={}, theirs={}, language="en")
    assert subject == "Your Homeward password was changed"


def test_an_account_closed_in_spanish_is_confirmed_in_spanish(world, run_jobs, mailoutbox):
    speaks(world.contact_a, "es")
    account.close_account(contact=world.contact_a, password=t.PASSWORD)
    run_jobs()
    [closed] = [m for m in mailoutbox if m.to == ["a@example.org"]]
    assert closed.subject == "Su cuenta de Homeward está cerrada"
    assert "La cuenta de Homeward que usaba este correo electrónico se cerró." in closed.body
