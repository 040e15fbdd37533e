"""An archive speaks its reader's language: the PDF's and the mbox's words (written as the
response streams, after the request is over), the labels of the JSON (its keys and codes stay
English); a released resident's code is emailed in the language they chose at the kiosk."""

from __future__ import annotations

import email.header
import io
import json
import mailbox

import pypdf
import pytest
from django.utils import translation

from homeward.jobs import services as jobs
from homeward.messaging import archive_codes
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.people.models import Resident
from homeward.personas import client_for


@pytest.fixture
def delivered(world):  # type: ignore[no-untyped-def]
    """Ana wrote to Maria, and it was delivered; Ana reads Spanish."""
    connection = world.contact_a.connections.get()
    sent = messaging.send_message(
        sender=world.contact_a, connection_id=connection.pk, body="Hola Maria"
    ).message
    jobs.run_pending("test")
    sent.refresh_from_db()
    if sent.status == Message.Status.IN_REVIEW:
        messaging.approve(message_id=sent.pk, actor=world.reviewer_1)
    messaging.deliver(message_id=sent.pk)
    world.contact_a.user.language = "es"
    world.contact_a.user.save(update_fields=["language"])
    world.message = Message.objects.get(pk=sent.pk)
    return world


def download(client, format: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(f"/account/archive.{format}")
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)  # read after the request is over


def test_the_mbox_of_a_spanish_reader_is_in_spanish(delivered, tmp_path):
    path = tmp_path / "archive.mbox"
    path.write_bytes(download(client_for(delivered.contact_a.user), "mbox"))
    box = mailbox.mbox(str(path))
    try:
        [mail] = list(box)
    finally:
        box.close()
    subject = str(email.header.make_header(email.header.decode_header(mail["Subject"])))
    assert subject == f"Mensaje {delivered.message.pk} (Entregado)"
    assert mail["X-Homeward-Timeline"].startswith("submitted ")  # the record's words


def test_the_pdf_of_a_spanish_reader_is_in_spanish(delivered):
    data = download(client_for(delivered.contact_a.user), "pdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Archivo de Homeward de Ana Lopez" in text
    assert "Mensajes de Ana Lopez (a@example.org), generado el" in text
    assert "De Ana Lopez para Maria Lopez (#NY1001)" in text
    assert "En Greenhaven Correctional. Entregado." in text
    assert "enviado" in text and "entregado" in text
    assert "Estado de cuenta del monedero" in text
    assert "Statement" not in text and "Messages of" not in text


def test_the_json_keeps_english_keys_and_codes_and_labels_the_status_in_spanish(delivered):
    data = json.loads(download(client_for(delivered.contact_a.user), "json"))
    [message] = data["messages"]
    assert message["status"] == "delivered" and message["status_label"] == "Entregado"
    assert [stage["stage"] for stage in message["timeline"]][0] == "submitted"
    assert data["statement_of"] == "wallet"


def test_an_english_readers_archive_stays_english(delivered):
    delivered.contact_a.user.language = "en"
    delivered.contact_a.user.save(update_fields=["language"])
    data = download(client_for(delivered.contact_a.user), "pdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Homeward archive of Ana Lopez" in text
    assert "At Greenhaven Correctional. Delivered." in text


def released(world, language: str) -> Resident:  # type: ignore[no-untyped-def]
    resident = world.resident
    resident.status = Resident.Status.RELEASED
    resident.language = language
    resident.save(update_fields=["status", "language"])
    return resident


def test_the_archive_code_is_emailed_in_the_residents_language(world, run_jobs, mailoutbox):
    resident = released(world, "es")
    with translation.override("en"):  # the console, in English
        issued = archive_codes.issue(resident=resident, staff=None, email="maria@example.org")
    run_jobs()
    [sent] = mailoutbox
    assert sent.subject == "Su código para descargar sus mensajes de Homeward"
    assert sent.body.startswith("Hola, Maria:")
    assert archive_codes.shown(issued.code) in sent.body
    # The download form asks for the facility's code, not its name: the email gives it.
    assert f"el código del centro ({resident.facility.code})" in sent.body
    assert "Funciona hasta el " in sent.body and " de 20" in sent.body


def test_a_resident_with_no_language_gets_the_code_in_english(world, run_jobs, mailoutbox):
    resident = released(world, "")
    with translation.override("es"):
        archive_codes.issue(resident=resident, staff=None, email="maria@example.org")
    run_jobs()
    [sent] = mailoutbox
    assert sent.subject == "Your code to download your Homeward messages"
    assert sent.body.startswith("Hello Maria,")
    assert f"the facility code ({resident.facility.code})" in sent.body
    assert "It works until " in sent.body
