"""Cases and evidence export: an investigator gathers messages from a search into a case
and exports a signed bundle that verify_export accepts; an edited file, a re-signed or
recomputed manifest, an extra file or a missing audit record is caught; each person sees
and exports only their own agency's and facilities' messages; reviewers cannot."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from homeward import builders as t
from homeward.core import audit, bundles, clock
from homeward.core.models import AuditEvent
from homeward.messaging import services as messaging
from homeward.messaging.models import Message
from homeward.monitoring import cases
from homeward.monitoring.models import Case, CaseMessage
from homeward.people.models import StaffMembership
from homeward.personas import client_for

Role = StaffMembership.Role


def send(contact, resident, body: str):
    connection = contact.connections.get(resident=resident)
    return messaging.send_message(sender=contact, connection_id=connection.pk, body=body).message


@pytest.fixture
def gathered(world):
    """Ana wrote three messages about a package; the investigator opened a case from a
    search and added them."""
    world.sent = [
        send(world.contact_a, world.resident, "The package comes Friday, ask for Ray."),
        send(world.contact_a, world.resident, "Ray has the package. ¿Entendiste?"),
        send(world.contact_a, world.resident, "Forget the package, call me."),
    ]
    client = client_for(world.investigator)
    response = client.post(
        "/console/cases/",
        {"agency": world.facility_1.agency.pk, "name": "Package", "reason": "A tip"},
    )
    world.case = Case.objects.get()
    assert response["Location"] == f"/console/cases/{world.case.pk}/"
    page = client.get("/console/search/", {"q": "package"}).content.decode()
    ticks = re.findall(r'name="message" value="(\d+)"', page)
    assert len(ticks) == 3
    response = client.post("/console/cases/add/", {"case": world.case.pk, "message": ticks})
    assert response.status_code == 302
    world.client = client
    return world


def export(world, client=None):
    response = (client or world.client).post(f"/console/cases/{world.case.pk}/export/")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return response.content


def verify(tmp_path, data: bytes) -> str:
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("verify_export", str(path), stdout=out)
    return out.getvalue()


def rewrite(data: bytes, change) -> bytes:
    """The bundle with its files passed through ``change(files) -> files``."""
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        files = {name: bundle.read(name) for name in bundle.namelist()}
    files = change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    return out.getvalue()


def test_a_case_is_gathered_from_a_search_and_exported_as_a_signed_bundle(gathered, tmp_path):
    w = gathered
    page = w.client.get(f"/console/cases/{w.case.pk}/").content.decode()
    assert set(map(int, re.findall(r'id="message-(\d+)"', page))) == {m.pk for m in w.sent}
    data = export(w)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert sorted(bundle.namelist()) == [
            "case.json",
            "case.pdf",
            "manifest.json",
            "manifest.sig",
        ]
        document = json.loads(bundle.read("case.json"))
        manifest_bytes = bundle.read("manifest.json")
        pdf = bundle.read("case.pdf")
    assert [m["id"] for m in document["messages"]] == [m.pk for m in w.sent]
    assert document["messages"][1]["body"] == "Ray has the package. ¿Entendiste?"
    assert document["case"]["reason"] == "A tip"
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert "¿Entendiste?".encode("cp1252") in pdf
    manifest = json.loads(manifest_bytes)
    assert {f["name"] for f in manifest["files"]} == {"case.json", "case.pdf"}
    event = AuditEvent.objects.get(action="case.exported")
    assert event.data["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()
    assert event.actor_user_id == w.investigator.pk
    assert "verifies" in verify(tmp_path, data)


def test_an_edited_file_with_its_manifest_recomputed_is_caught(gathered, tmp_path):
    data = export(gathered)

    def edit(files):
        files["case.json"] = files["case.json"].replace(b"A tip", b"No tip")
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            if entry["name"] == "case.json":
                entry["sha256"] = hashlib.sha256(files["case.json"]).hexdigest()
        files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
        return files

    with pytest.raises(CommandError, match="signature does not match"):
        verify(tmp_path, rewrite(data, edit))

    def edited_only(files):
        files["case.json"] = files["case.json"].replace(b"A tip", b"No tip")
        return files

    with pytest.raises(CommandError, match="case.json was changed"):
        verify(tmp_path, rewrite(data, edited_only))


def test_a_bundle_signed_with_another_key_is_caught(gathered, tmp_path):
    data = export(gathered)
    other = Ed25519PrivateKey.generate()

    def resign(files):
        files["manifest.sig"] = base64.b64encode(other.sign(files["manifest.json"])) + b"\n"
        return files

    with pytest.raises(CommandError, match="signature does not match"):
        verify(tmp_path, rewrite(data, resign))


def test_an_added_file_and_a_missing_record_are_caught(gathered, tmp_path):
    data = export(gathered)

    def add(files):
        files["extra.txt"] = b"planted"
        return files

    with pytest.raises(CommandError, match="extra.txt is not in the manifest"):
        verify(tmp_path, rewrite(data, add))
    AuditEvent.objects.filter(action="case.exported").delete()
    with pytest.raises(CommandError, match="no record of this manifest"):
        verify(tmp_path, data)


def test_not_a_bundle(tmp_path):
    with pytest.raises(CommandError, match="Not a readable bundle"):
        verify(tmp_path, b"not a zip")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_export", str(tmp_path / "nothing.zip"))


def test_each_person_sees_and_exports_only_their_scope(gathered):
    w = gathered
    facility_3 = t.make_facility("bedford", agency=w.facility_1.agency, name="Bedford Hills")
    resident_3 = t.make_resident(facility_3, "NY3003")
    contact_c = t.make_contact("c@example.org")
    t.connect(contact_c, resident_3)
    far = send(contact_c, resident_3, "A package at Bedford too.")
    agency_wide = t.make_staff("inv-all", role=Role.INVESTIGATOR, agency=w.facility_1.agency)
    client = client_for(agency_wide)
    client.post("/console/cases/add/", {"case": w.case.pk, "message": [far.pk]})
    assert CaseMessage.objects.filter(case=w.case).count() == 4
    # The facility investigator who opened it sees three, and is told of one more.
    page = w.client.get(f"/console/cases/{w.case.pk}/").content.decode()
    assert far.pk not in set(map(int, re.findall(r'id="message-(\d+)"', page)))
    assert "1 of its messages are at facilities you do not search" in page
    with zipfile.ZipFile(io.BytesIO(export(w))) as bundle:
        ids = [m["id"] for m in json.loads(bundle.read("case.json"))["messages"]]
    assert far.pk not in ids and len(ids) == 3
    # A message outside one's scope is not added: the facility investigator tries Bedford's.
    other_case = cases.open_case(
        staff=w.investigator, agency=w.facility_1.agency, name="Other", reason="r"
    )
    w.client.post("/console/cases/add/", {"case": other_case.pk, "message": [far.pk]})
    assert not CaseMessage.objects.filter(case=other_case).exists()


def test_another_agency_cannot_open_add_to_or_export_a_case(gathered):
    w = gathered
    theirs = t.make_staff("tx-inv", role=Role.INVESTIGATOR, facility=w.facility_2)
    client = client_for(theirs)
    before = (
        CaseMessage.objects.count(),
        AuditEvent.objects.filter(action="case.exported").count(),
    )
    assert client.get(f"/console/cases/{w.case.pk}/").status_code == 404
    assert client.post(f"/console/cases/{w.case.pk}/export/").status_code == 404
    response = client.post("/console/cases/add/", {"case": w.case.pk, "message": [w.sent[0].pk]})
    assert response.status_code == 404
    assert "Package" not in client.get("/console/cases/").content.decode()
    after = (CaseMessage.objects.count(), AuditEvent.objects.filter(action="case.exported").count())
    assert after == before


def test_reviewers_cannot_use_cases(gathered):
    w = gathered
    client = client_for(w.reviewer_1)
    for response in (
        client.get("/console/cases/"),
        client.get(f"/console/cases/{w.case.pk}/"),
        client.post(f"/console/cases/{w.case.pk}/export/"),
    ):
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="case.exported").exists()


def test_a_case_needs_a_name_and_a_reason_and_messages_can_be_taken_out(gathered):
    w = gathered
    response = w.client.post(
        "/console/cases/", {"agency": w.facility_1.agency.pk, "name": " ", "reason": ""}
    )
    assert response.status_code == 400 and Case.objects.count() == 1
    response = w.client.post(f"/console/cases/{w.case.pk}/messages/{w.sent[0].pk}/remove/")
    assert response.status_code == 302
    assert not CaseMessage.objects.filter(case=w.case, message=w.sent[0]).exists()
    assert AuditEvent.objects.filter(action="case.message_removed").exists()
    response = w.client.post(f"/console/cases/{w.case.pk}/messages/{w.sent[0].pk}/remove/")
    assert response.status_code == 404


def test_bundles_refuse_to_overwrite_their_own_files(world):
    with pytest.raises(ValueError):
        bundles.write(kind="case", about={}, files={"manifest.json": b"x"}, actor="system")
    assert audit.verify_chain() is None


def test_messages_are_added_from_a_residents_history_too(gathered):
    w = gathered
    other = send(w.contact_a, w.resident, "Nothing about parcels, a recipe for flan.")
    page = w.client.get(f"/console/residents/{w.resident.pk}/").content.decode()
    assert f'name="message" value="{other.pk}" form="add-to-case"' in page
    assert 'action="/console/cases/add/" id="add-to-case"' in page
    w.client.post("/console/cases/add/", {"case": w.case.pk, "message": [other.pk]})
    assert CaseMessage.objects.filter(case=w.case, message=other).exists()
    # A reviewer reads the same history without the case controls.
    page = client_for(w.reviewer_1).get(f"/console/residents/{w.resident.pk}/").content.decode()
    assert 'id="add-to-case"' not in page


def test_a_bundle_with_a_file_twice_is_refused(gathered, tmp_path):
    data = export(gathered)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        files = [(name, bundle.read(name)) for name in bundle.namelist()]
    out = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(out, "w") as forged:
        forged.writestr("case.json", b'{"messages": []}')  # a forged copy first
        for name, content in files:
            forged.writestr(name, content)
    with pytest.raises(CommandError, match="appears twice"):
        verify(tmp_path, out.getvalue())


def test_a_long_case_is_read_a_page_at_a_time_newest_page_first(gathered):
    """55 messages in the case: the newest 50 (oldest first), then "Earlier messages" the
    first 5; each page read is audited with the messages shown."""
    w = gathered
    first = w.sent[0]
    more = Message.objects.bulk_create(
        Message(
            connection=first.connection,
            facility=first.facility,
            resident=first.resident,
            contact=first.contact,
            direction=first.direction,
            body=f"Case message {n}",
            status=Message.Status.DELIVERED,
            created_at=first.created_at - dt.timedelta(days=n),
        )
        for n in range(1, 53)
    )
    CaseMessage.objects.bulk_create(
        CaseMessage(case=w.case, message=m, added_by=w.investigator, added_at=clock.now())
        for m in more
    )
    in_order = sorted(more + w.sent, key=lambda m: (m.created_at, m.pk))
    shown = w.client.get(f"/console/cases/{w.case.pk}/").content.decode()
    newest = list(map(int, re.findall(r'id="message-(\d+)"', shown)))
    assert newest == [m.pk for m in in_order[5:]]
    earlier = re.search(r'href="\?before=([0-9.-]+)" rel="prev">Earlier messages', shown)
    assert earlier and "Later messages" not in shown
    older = w.client.get(f"/console/cases/{w.case.pk}/?before={earlier[1]}").content.decode()
    assert list(map(int, re.findall(r'id="message-(\d+)"', older))) == [m.pk for m in in_order[:5]]
    assert "Later messages" in older and "Earlier messages" not in older
    reads = AuditEvent.objects.filter(action="case.read").order_by("pk")
    assert [e.data["messages"] for e in reads][-2:] == [newest, [m.pk for m in in_order[:5]]]
