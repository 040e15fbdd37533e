"""Which language people are answered in: the browser's, then the switch, then their own
saved choice; the kiosk's per resident; the console always English.

Each page is checked for a sentence of the site's foot in the language expected (its
Spanish taken from the catalogue, and checked to differ from the English), so the tests
follow the words rather than repeat them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from homeward import builders as t
from homeward.people.models import Resident, User
from homeward.personas import client_for, device_client, kiosk_client_for, sign_in, sign_up

pytestmark = pytest.mark.django_db

FOOT = "Every message is read and kept by the facility. Nothing sent here is private."


def foot_in(language: str) -> str:
    with translation.override(language):
        return translation.gettext(FOOT)


def speaks(response, language: str) -> bool:
    page = response.content.decode()
    return f'<html lang="{language}">' in page and foot_in(language) in page


def test_the_catalogue_has_the_foot_in_spanish() -> None:
    assert foot_in("es") != FOOT


def test_the_browser_language_is_followed_and_an_unknown_one_is_english() -> None:
    client = Client()
    assert speaks(client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5"), "es")
    assert speaks(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,de;q=0.8"), "en")
    assert speaks(client.get("/"), "en")
    answer = client.get("/facilities/", HTTP_ACCEPT_LANGUAGE="es")
    assert answer["Content-Language"] == "es"
    assert "Accept-Language" in answer["Vary"]


def test_the_switch_is_remembered_over_the_browser_language() -> None:
    client = Client()
    answer = client.post("/language/", {"language": "es", "next": "/facilities/"})
    assert answer.status_code == 302 and answer["Location"] == "/facilities/"
    assert speaks(client.get("/facilities/", HTTP_ACCEPT_LANGUAGE="en"), "es")
    client.post("/language/", {"language": "en"})
    assert speaks(client.get("/", HTTP_ACCEPT_LANGUAGE="es"), "en")


def test_a_language_not_offered_is_refused_and_nothing_changes(world) -> None:
    client = client_for(world.contact_a.user)
    answer = client.post("/language/", {"language": "fr", "next": "/connections/"})
    assert answer.status_code == 400
    assert "That language is not offered here" in answer.content.decode()
    assert "homeward_language" not in answer.cookies
    assert User.objects.get(pk=world.contact_a.user.pk).language == ""
    # A cookie naming a language we do not offer (an old one, or a forged one) is passed over.
    client.cookies["homeward_language"] = "xx"
    assert speaks(client.get("/connections/", HTTP_ACCEPT_LANGUAGE="es"), "es")
    client.cookies["homeward_language"] = "es<script>"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert speaks(page, "en") and "es<script>" not in page.content.decode()


def test_the_switch_goes_back_only_to_our_own_pages() -> None:
    client = Client()
    for elsewhere in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        answer = client.post("/language/", {"language": "es", "next": elsewhere})
        assert answer.status_code == 302 and answer["Location"] == "/", elsewhere


def test_a_contacts_choice_follows_them_to_another_browser_and_to_their_emails(world) -> None:
    phone = client_for(world.contact_a.user)
    phone.post("/language/", {"language": "es"})
    assert User.objects.get(pk=world.contact_a.user.pk).language == "es"
    laptop = client_for(world.contact_a.user)  # no cookie, an English browser
    assert speaks(laptop.get("/connections/", HTTP_ACCEPT_LANGUAGE="en"), "es")


def test_signing_up_in_spanish_keeps_spanish_for_the_account(world) -> None:
    client = Client()
    answer = sign_up(client, "lucia@example.org", name="Lucía Pérez", HTTP_ACCEPT_LANGUAGE="es")
    assert answer.status_code == 302
    assert User.objects.get(email="lucia@example.org").language == "es"


def test_the_console_stays_english(world) -> None:
    client = Client()
    page = client.get("/console/signin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in page


def test_the_kiosk_keeps_each_residents_choice_and_not_the_last_ones(world) -> None:
    kiosk = kiosk_client_for(world.resident)
    answer = kiosk.post("/kiosk/language/", {"language": "es", "next": "/kiosk/"})
    assert answer.status_code == 302 and answer["Location"] == "/kiosk/"
    assert Resident.objects.get(pk=world.resident.pk).language == "es"
    assert speaks(kiosk.get("/kiosk/", HTTP_ACCEPT_LANGUAGE="en"), "es")
    kiosk.post("/kiosk/signout/")
    # The next resident at the same kiosk is answered in the kiosk's language, not hers.
    other = t.make_resident(world.facility_1, "NY2002", first_name="Ana", last_name="Ruiz")
    sign_in(kiosk, other.number)
    assert speaks(kiosk.get("/kiosk/", HTTP_ACCEPT_LANGUAGE="en"), "en")
    kiosk.post("/kiosk/signout/")
    # Hers comes back when she signs in again, on any kiosk.
    again = device_client(world.facility_1, "Dayroom tablet")
    sign_in(again, world.resident.number)
    assert speaks(again.get("/kiosk/", HTTP_ACCEPT_LANGUAGE="en"), "es")


def test_a_choice_made_before_signing_in_at_the_kiosk_becomes_the_residents(world) -> None:
    kiosk = device_client(world.facility_1)
    kiosk.post("/kiosk/language/", {"language": "es"})
    assert speaks(kiosk.get("/kiosk/signin/"), "es")
    sign_in(kiosk, world.resident.number)
    assert Resident.objects.get(pk=world.resident.pk).language == "es"


def test_the_kiosk_refuses_a_language_not_offered(world) -> None:
    kiosk = kiosk_client_for(world.resident)
    answer = kiosk.post("/kiosk/language/", {"language": "klingon"})
    assert answer.status_code == 400
    assert Resident.objects.get(pk=world.resident.pk).language == ""
    assert speaks(kiosk.get("/kiosk/"), "en")


def test_in_spanish_amounts_keep_the_point_and_dates_are_written_the_spanish_way(world):
    for _ in range(3):
        t.pay_in(world.contact_a, world.facility_1, 41150)  # three make $1,234.50
    client = client_for(world.contact_a.user)
    client.post("/language/", {"language": "es"})
    page = client.get("/wallet/statement/").content.decode()
    assert "$1,234.50" in page and "1.234,50" not in page and "411,50" not in page
    today = timezone.localtime(timezone.now(), ZoneInfo(world.facility_1.timezone))
    with translation.override("es"):
        spanish_day = date_format(today, "DATE_FORMAT")
    assert spanish_day.endswith(f" de {today.year}") and spanish_day in page
    with translation.override("en"):
        assert date_format(today, "DATE_FORMAT") not in page
