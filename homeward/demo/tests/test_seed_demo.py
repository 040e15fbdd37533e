from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from homeward.connections.models import Connection
from homeward.demo import scene
from homeward.facilities.models import Agency, Facility
from homeward.messaging.models import Message
from homeward.people.models import Contact, Resident, StaffMembership
from homeward.screening.library.loader import LANGUAGES, LIBRARY_DIR
from homeward.screening.models import Rule, Scope
from homeward.screening.rule_sync import checked_library
from homeward.screening.services import screen_text

Role = StaffMembership.Role


def test_seed_demo_builds_a_deployment_and_prints_logins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "homeward-demo" in text and "rosa@example.org" in text and "reviewer.greenhaven" in text
    assert Agency.objects.count() == 2
    assert Facility.objects.count() == 4
    policies = {f.code: f.policy for f in Facility.objects.select_related("policy")}
    invites = policies["bedford-hills"]
    assert invites.connection_policy == "resident_invites" and invites.staff_approval
    open_ = policies["travis-jail"]
    assert open_.connection_policy == "open" and open_.review_mode == "flagged"
    assert set(StaffMembership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Resident.objects.count() >= 8 and Contact.objects.count() >= 3
    assert Connection.objects.filter(status="active").exists()
    assert Connection.objects.filter(status="requested").exists()
    assert Connection.objects.filter(status="invited").exists()
    statuses = set(Message.objects.values_list("status", flat=True))
    assert {"read", "delivered", "in_review"} <= statuses


def test_the_demo_screens_with_the_whole_rule_library_and_its_own_phrases_on_top(db):
    call_command("seed_demo", stdout=StringIO())
    library = checked_library(LANGUAGES, LIBRARY_DIR)
    baseline = Rule.objects.filter(scope=Scope.BASELINE, is_active=True)
    assert baseline.count() == len(library) >= 400  # every rule of the shipped library
    assert not baseline.exclude(source__startswith="lib:").exists()
    for agency in Agency.objects.all():  # the demo's own phrases are each agency's rules
        assert Rule.objects.filter(scope=Scope.AGENCY, agency=agency).count() == len(
            scene.DEMO_RULES
        )
    # So a plain sentence only the library knows is caught at a demo facility.
    facility = Facility.objects.get(code="greenhaven")
    phrase = next(e for e in library if e.spec.kind == "phrase" and e.spec.action == "block")
    assert screen_text(facility, f"hey {phrase.spec.pattern} tonight").verdict.verdict == "block"


def test_seed_demo_if_empty_does_not_load_twice(db):
    call_command("seed_demo", stdout=StringIO())
    before = Message.objects.count()
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "already loaded" in out.getvalue()
    assert "homeward-demo" in out.getvalue()  # the logins are printed every time
    assert Message.objects.count() == before
    assert Agency.objects.count() == 2


def test_the_demo_stamps_facility_has_paid_history_on_a_sound_ledger(db):
    from homeward.ledger import services as ledger
    from homeward.ledger import statements

    call_command("seed_demo", stdout=StringIO())
    rosa = Contact.objects.get(user__email="rosa@example.org")
    lines = statements.statement(rosa)
    assert lines[0].what.startswith("Deposit, receipt HW-")
    assert lines[0].card_cents == 2000 + 150  # $1 + 2.5% of $20
    # Two stamps for the first message and its prepaid reply, one for the second.
    assert [(line.what, line.wallet_cents) for line in lines[1:]] == [
        ("Message to Marcus with a prepaid reply", -80),
        ("Reply from Marcus, paid by a prepaid reply", 0),
        ("Message to Marcus", -40),
    ]
    assert lines[-1].wallet_after == 2000 - 120
    assert ledger.problems() == []
