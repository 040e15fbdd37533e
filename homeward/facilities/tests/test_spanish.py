"""A facility's policy, said to families in Spanish: the facility page's facts, its type,
the block reasons' categories, and the API's "no such facility"."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from homeward import builders as t
from homeward.facilities.models import Facility
from homeward.facilities.words import policy_facts, retention_words
from homeward.screening import categories


def test_the_facility_page_explains_the_policy_in_spanish(db: None) -> None:
    facility = t.make_facility("greenhaven", type=Facility.Type.JAIL)
    page = Client().get("/facilities/greenhaven/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cárcel del condado" in page
    assert "Cómo funcionan las conexiones" in page and "Horario de trabajo del personal" in page
    assert "lun–vie 08:00–17:00 (hora de America/New York)" in page
    assert (
        "El personal lee cada mensaje antes de que se entregue, normalmente en un plazo de "
        "8 horas hábiles." in page
    )
    assert "Hasta 6,000 caracteres por mensaje." in page
    for english in ("County jail", "How connections work", "Mon–Fri", "business hours"):
        assert english not in page
    english = Client().get("/facilities/greenhaven/").content.decode()
    assert "County jail" in english and "Mon–Fri 08:00–17:00 (America/New York time)" in english
    assert facility.policy.review_target_hours == 8


def test_one_of_a_count_is_said_in_the_singular(db: None) -> None:
    facility = t.make_facility(policy={"contact_cap": 1, "message_length_limit": 1})
    with translation.override("es"):
        facts = dict(policy_facts(facility))
        assert (
            facts["Contactos por residente"]
            == "Cada residente puede tener hasta 1 contacto activo."
        )
        assert facts["Longitud de los mensajes"] == "Hasta 1 carácter por mensaje."
        assert retention_words(1).startswith(
            "La agencia conserva el texto de los mensajes durante 1 día "
        )
    with translation.override("en"):
        assert dict(policy_facts(facility))["Message length"] == "Up to 1 character per message."


def test_a_block_reason_is_said_in_the_readers_language() -> None:
    with translation.override("es"):
        assert categories.label("weapons") == "Armas"
        assert categories.label("old_reason") == "Old reason"  # a code this build does not know
    assert categories.label("weapons") == "Weapons"


def test_the_api_says_there_is_no_such_facility_in_spanish(db: None) -> None:
    answer = Client().get("/api/v1/facilities/nowhere", HTTP_ACCEPT_LANGUAGE="es").json()
    assert answer["error"] == {
        "code": "facility_not_found",
        "message": "No hay ningún centro con el código 'nowhere'.",
    }
