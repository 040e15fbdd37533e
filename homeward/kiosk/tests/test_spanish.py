"""The kiosk speaks Spanish when the session's language is Spanish (chosen at the kiosk or
saved on the resident's record), or when the kiosk browser asks for it."""

from __future__ import annotations

from django.test import Client

from homeward.core.language import KIOSK_SESSION_KEY
from homeward.personas import device_client, kiosk_client_for, sign_in


def in_spanish(client: Client) -> Client:
    session = client.session
    session[KIOSK_SESSION_KEY] = "es"
    session.save()
    return client


def test_the_sign_in_page_in_spanish(world):
    page = in_spanish(device_client(world.facility_1)).get("/kiosk/signin/").content.decode()
    assert '<html lang="es">' in page
    assert '<body class="kiosk">' in page and '<a class="brand" href="/kiosk/">' in page
    assert "Iniciar sesión en Homeward" in page
    assert "¿Olvidó su PIN o quedó bloqueado?" in page
    assert "abierto de 00:00 a 23:59" in page
    for english in ("Sign in to Homeward", "Forgot your PIN", "Kiosk at", " to 23:59"):
        assert english not in page


def test_the_browser_asks_for_spanish_before_anyone_chooses(world):
    client = device_client(world.facility_1)
    page = client.get("/kiosk/signin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Iniciar sesión en Homeward" in page
    assert "Sign in to Homeward" in client.get("/kiosk/signin/").content.decode()


def test_a_wrong_pin_is_refused_in_spanish(world):
    client = in_spanish(device_client(world.facility_1))
    page = sign_in(client, world.resident.number, "0000").content.decode()
    assert "El número de residente y el PIN no coinciden." in page


def test_the_inbox_in_spanish(world, deliver):
    deliver(world.contact_a, "Hola Maria")
    page = in_spanish(kiosk_client_for(world.resident)).get("/kiosk/").content.decode()
    assert "Hola, Maria" in page
    assert "Sus conversaciones" in page and "1 sin leer" in page
    assert "Bandeja de entrada" in page and "Cerrar sesión" in page
    for english in ("Hello,", "Your conversations", "unread", "Inbox", "Sign out"):
        assert english not in page


def test_a_conversation_dates_its_messages_in_spanish(world, deliver):
    message = deliver(world.contact_a, "Hola Maria")
    client = in_spanish(kiosk_client_for(world.resident))
    page = client.get(f"/kiosk/conversations/{message.connection_id}/").content.decode()
    assert "Ana Lopez escribió" in page
    assert " de 20" in page  # "3 de diciembre de 2026, 17:40"
    assert "Enviar respuesta" in page and "Send reply" not in page


def test_signing_out_says_so_in_the_language_of_the_page_that_follows(world):
    # The resident's language leaves with their session: the sign-in page is the kiosk's
    # own language again, and so is the sentence on it.
    client = in_spanish(kiosk_client_for(world.resident))
    page = client.post("/kiosk/signout/", follow=True).content.decode()
    assert "You are signed out." in page and "Sign in to Homeward" in page
    client = in_spanish(kiosk_client_for(world.resident))
    page = client.post("/kiosk/signout/", follow=True, HTTP_ACCEPT_LANGUAGE="es").content
    assert "Iniciar sesión en Homeward" in page.decode()
    assert "You are signed out." not in page.decode()


def test_a_refused_character_is_explained_in_the_browser_language(world):
    page = Client().get("/kiosk/signin/?q=%00", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 400
    assert "No pudimos leer lo que se envió" in page.content.decode()
    answer = Client().get("/api/v1/facilities/?q=%00", HTTP_ACCEPT_LANGUAGE="es").json()
    assert answer["error"]["code"] == "invalid_characters"
    assert answer["error"]["message"].startswith("Hay un carácter no permitido en la consulta")
