"""Every page, in a real browser: accessible, fitting a phone, and easy to press at the kiosk.

The pages come from the permission matrix, whose rows cover every URL of the web, kiosk
and console surfaces (``test_every_page_url_has_a_row``), so a new page is walked here as
soon as it has its row. Each page is opened as the first persona allowed to see it (an
agency admin for the agency's pages, a released resident with a code for theirs) and:

- axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) finds no serious or critical violation;
- a contact's page does not scroll sideways on a 320 px or a 390 px wide phone;
- every control a finger presses at the kiosk is at least 44 × 44 px;
- no label or description points at an element that is not on the page.

Downloads (CSV, JSON) are not pages and are left to their own tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Error as BrowserError

from homeward import builders as t
from homeward.people.models import StaffMembership
from homeward.personas import browser_cookies, client_for
from homeward.roster import services as roster
from homeward.tests.test_journey_browser import browser  # noqa: F401  (the fixture)
from homeward.tests.test_permission_matrix import PERSONAS, ROWS, Row, client_as, scene_ids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ASSETS = Path(__file__).resolve().parent / "assets" / "axe-core"
AXE = ASSETS / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONES = (320, 390)
FINGER = 44  # px, each way
DESKTOP = {"width": 1280, "height": 900}

# The pages no persona of the matrix may open, and who opens them here instead.
AGENCY_ADMIN = "agency_admin"
RELEASED = "released_resident"
NOBODYS = {
    "web:released_archive": RELEASED,
    "web:released_download": RELEASED,
    "console:audit": AGENCY_ADMIN,
    "console:audit_export": AGENCY_ADMIN,
    "console:attorneys": AGENCY_ADMIN,
    "console:retention": AGENCY_ADMIN,
}

SERIOUS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  const where = (v) => v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ');
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${where(v)}`);
}"""
# How far the page, or anything on it (even inside a box that hides or scrolls what
# overflows it), reaches past the right edge of the screen; and the worst element.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  let worst = [document.documentElement.scrollWidth - width, 'the page'];
  for (const e of document.body.querySelectorAll('*')) {
    const box = e.getBoundingClientRect();
    const placed = getComputedStyle(e).position !== 'absolute';
    if (box.width > 0 && box.right - width > worst[0] && placed)
      worst = [Math.ceil(box.right - width), `${e.tagName.toLowerCase()}.${e.className}`];
  }
  return worst;
}"""
SMALL_TARGETS = """(finger) => {
  const pressable = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button]';
  return [...document.querySelectorAll(pressable)].filter(e => {
    const box = e.getBoundingClientRect();
    const shown = box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden';
    return shown && (box.width < finger || box.height < finger);
  }).map(e => {
    const box = e.getBoundingClientRect();
    const words = (e.innerText || e.value || e.name || '').trim().slice(0, 30);
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    return `${e.tagName.toLowerCase()} "${words}" ${size}`;
  });
}"""


# Parts of a page served alone, not pages: checked as part of the page that shows them.
# Not pages: the price box and the compose form's photos, refreshed on the conversation page,
# and the pictures of photos.
FRAGMENTS = {
    "web:price",
    "web:unsent_photos",
    "web:photo_file",
    "kiosk:photo_file",
    "console:photo_file",
}


# What axe does not check: a description or label pointing at an element that is not there
# (a field's help or error text a screen reader would never read).
DANGLING = """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')]
  .flatMap(e => ['aria-describedby', 'aria-labelledby'].flatMap(name =>
    (e.getAttribute(name) || '').split(/\\s+/).filter(id => id && !document.getElementById(id))
      .map(id => `${e.tagName.toLowerCase()}#${e.id} ${name}=${id}`)))"""


def pages() -> list[Row]:
    return [row for row in ROWS if row.method == "GET" and row.name not in FRAGMENTS]


def visitor(row: Row) -> str:
    """Who opens the page: the first persona allowed, else the one named in NOBODYS."""
    for persona in PERSONAS:
        if persona in row.allowed:
            return persona
    return NOBODYS[row.name]


def test_axe_is_the_package_from_the_registry() -> None:
    """The script is the one the README names (so nothing was edited or fetched)."""
    said = (ASSETS / "README.md").read_text()
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() in said
    version = re.search(r"axe-core` (\d+\.\d+\.\d+)", said)
    assert version and f"axe v{version.group(1)}" in AXE.read_text()[:200]


def test_every_page_without_a_persona_says_who_opens_it() -> None:
    nobody = {row.name for row in pages() if not row.allowed}
    assert nobody == set(NOBODYS)


def released_client(world) -> Client:
    """A browser holding a released resident's archive, as after typing their code."""
    resident = t.make_resident(world.facility_1, "RX9001", first_name="Luis")
    code = roster.release_resident(staff=world.facility_admin, resident_id=resident.pk).archive
    client = Client()
    answer = client.post(
        "/released/",
        {"facility": world.facility_1.code, "number": resident.number, "code": code.code},
    )
    assert answer.status_code == 302, answer.content[:300]
    return client


def agency_admin_client(world) -> Client:
    admin = t.make_staff(
        "walk-agency-admin",
        role=StaffMembership.Role.AGENCY_ADMIN,
        agency=world.facility_1.agency,
    )
    return client_for(admin)


def test_every_page_is_accessible_fits_a_phone_and_is_easy_to_press(browser, live_server, world):  # noqa: F811
    ids = scene_ids(world)
    axe = AXE.read_text()
    contexts = {}

    def page_of(persona: str):
        if persona not in contexts:
            if persona == RELEASED:
                client = released_client(world)
            elif persona == AGENCY_ADMIN:
                client = agency_admin_client(world)
            else:
                client = client_as(world, persona)
            context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
            context.add_cookies(browser_cookies(client, live_server.url))
            contexts[persona] = context.new_page()
            contexts[persona].set_default_timeout(20_000)
        return contexts[persona]

    problems: dict[str, list[str]] = {}
    walked = downloads = 0
    for row in pages():
        page = page_of(visitor(row))
        url = live_server.url + row.path.format(**ids)
        try:
            answer = page.goto(url)
        except BrowserError as error:
            if "Download is starting" in str(error):
                downloads += 1
                continue
            raise
        assert answer is not None and answer.status == 200, (row.name, answer and answer.status)
        assert page.url.split("?")[0] == url.split("?")[0], (row.name, "sent on to", page.url)
        walked += 1
        found = problems.setdefault(f"{row.name} ({visitor(row)})", [])
        page.set_viewport_size(DESKTOP)
        page.evaluate(axe)
        found += [f"axe: {v}" for v in page.evaluate(SERIOUS, WCAG)]
        found += [f"points at nothing: {ref}" for ref in page.evaluate(DANGLING)]
        if row.name.startswith("web:"):
            for width in PHONES:
                page.set_viewport_size({"width": width, "height": 800})
                sideways, where = page.evaluate(SIDEWAYS)
                if sideways > 0:
                    found.append(f"{where}: {sideways} px past a {width} px phone's edge")
        if row.name.startswith("kiosk:"):
            found += [f"under {FINGER} px: {s}" for s in page.evaluate(SMALL_TARGETS, FINGER)]
    for page in contexts.values():
        page.context.close()
    problems = {name: found for name, found in problems.items() if found}
    assert walked + downloads == len(pages())
    assert walked > 60
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
