"""An investigation in a real browser: one phone number written three ways in three
conversations at two facilities of an agency (and once at another agency's) is found from a
search, opened as an entity, gathered into a case and exported; the bundle verifies, and
the same bundle with an edited file and a recomputed manifest does not."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from homeward import builders as t
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.people.models import StaffMembership
from homeward.tests.test_journey_browser import browser  # noqa: F401  (fixture)
from homeward.tests.test_journey_enforcement_browser import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = StaffMembership.Role


def write(contact, resident, body: str) -> int:
    connection = t.connect(contact, resident)
    return messaging.send_message(sender=contact, connection_id=connection.pk, body=body).message.pk


def test_an_investigator_follows_a_number_into_a_case_and_a_verified_export(
    browser,  # noqa: F811
    live_server,
    tmp_path,
):
    agency = t.make_agency("nydocs", name="New York DOC", state="NY")
    other = t.make_agency("txcounty", name="Travis County", state="TX")
    north = t.make_facility("greenhaven", agency=agency, name="Greenhaven")
    south = t.make_facility("bedford", agency=agency, name="Bedford Hills")
    far = t.make_facility("travis", agency=other, name="Travis County Jail", state="TX")
    maria = t.make_resident(north, "NY1001", first_name="Maria", last_name="Lopez")
    rita = t.make_resident(south, "NY3003", first_name="Rita", last_name="Moreno")
    james = t.make_resident(far, "TX2002", first_name="James", last_name="Reed")
    ours = [
        write(t.make_contact("a@example.org", name="Ana"), maria, "Call (512) 555-0143 tonight"),
        write(t.make_contact("d@example.org", name="Dee"), maria, "her cell is 512.555.0143"),
        write(t.make_contact("c@example.org", name="Cal"), rita, "text +1 512 555 0143 now"),
    ]
    write(t.make_contact("e@example.org", name="Evelyn Stone"), james, "ring 512-555-0143")
    investigator = t.make_staff("inv", role=Role.INVESTIGATOR, agency=agency)
    t.enrol_staff(investigator)
    t.accept_staff_notice(investigator)
    url = live_server.url
    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(15_000)

    staff_sign_in(page, url, investigator)
    page.get_by_role("link", name="Search messages").click()
    page.get_by_label("Words").fill("(512) 555-0143")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert "3 conversations of your facilities mention it" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="(512) 555-0143").click()
    content = page.content()
    for name in ("Ana", "Dee", "Cal"):
        assert name in content
    assert "Evelyn Stone" not in content and "Travis" not in content

    page.get_by_role("link", name="Cases").click()
    page.get_by_label("Name").fill("The 512 number")
    page.get_by_label("Reason").fill("A tip from the mailroom")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the case").click()
    page.get_by_role("link", name="Search messages").click()
    page.get_by_label("Words").fill("555 0143")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    boxes = page.get_by_label("Add to the case", exact=True)
    assert boxes.count() == 3
    for i in range(3):
        boxes.nth(i).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the case").click()
    assert "3 messages added." in page.content()

    with page.expect_download() as download:
        page.get_by_role("button", name="Export as a signed bundle").click()
    bundle = tmp_path / "bundle.zip"
    download.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as opened:
        messages = json.loads(opened.read("case.json"))["messages"]
    assert sorted(m["id"] for m in messages) == sorted(ours)
    out = io.StringIO()
    call_command("verify_export", str(bundle), stdout=out)
    assert "verifies" in out.getvalue()

    # The same bundle with a message edited and its hash written into the manifest.
    with zipfile.ZipFile(bundle) as opened:
        files = {name: opened.read(name) for name in opened.namelist()}
    files["case.json"] = files["case.json"].replace(b"tonight", b"tomorrow")
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        if entry["name"] == "case.json":
            entry["sha256"] = hashlib.sha256(files["case.json"]).hexdigest()
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as out_zip:
        for name, data in files.items():
            out_zip.writestr(name, data)
    with pytest.raises(CommandError, match="signature does not match"):
        call_command("verify_export", str(forged))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"message.searched", "entity.read", "case.opened", "case.exported"} <= actions
