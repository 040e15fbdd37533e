"""Kiosk sessions where the prices charge by the minute: opened at sign-in, shown on every
page (rate, timer, trust account), and closed and charged once, by sign-out or by the sweep
of sessions idle past the time-out, even when the kiosk was closed mid-session, and never
below zero. Another resident cannot end someone's session."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from homeward import builders as t
from homeward.core import clock
from homeward.core.models import AuditEvent
from homeward.jobs.tests.test_concurrency import in_threads
from homeward.kiosk import sessions
from homeward.kiosk.models import KioskDevice, KioskSession
from homeward.ledger import services as ledger
from homeward.ledger.models import Account, Transaction
from homeward.personas import device_client, kiosk_client_for, sign_in
from homeward.roster import services as roster

K = Account.Kind
START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def balance(account: Account) -> int:
    return Account.objects.get(pk=account.pk).balance


def at(seconds: float):
    return clock.frozen_at(START + dt.timedelta(seconds=seconds))


def per_minute_prices(facility) -> None:
    start = START - dt.timedelta(days=1)
    t.set_prices(facility, model="per_minute", per_minute_cents=5, effective_from=start)


@pytest.fixture
def per_minute(world):
    """Greenhaven charges $0.05 a minute at the kiosk; Maria has $1.00 in trust."""
    per_minute_prices(world.facility_1)
    world.trust = t.fund_trust(world.resident, 100)
    return world


def signed_in(world):
    """Maria signs in at a kiosk of Greenhaven at START."""
    client = device_client(world.facility_1)
    with at(0):
        response = sign_in(client, world.resident.number)
    assert response.status_code == 302
    return client


def charged() -> list[int]:
    return list(
        Transaction.objects.filter(kind="kiosk_time").values_list("postings__amount", flat=True)
    )


def test_every_page_shows_the_rate_the_timer_and_the_trust_account(per_minute):
    client = signed_in(per_minute)
    with at(75):
        page = client.get("/kiosk/").content.decode()
    assert "$0.05 a minute at the kiosk" in page
    assert 'data-session-seconds="75"' in page and "1:15" in page
    assert "This session so far: 2 minutes, $0.10" in page
    assert 'Your trust account:</strong> <span class="session-balance">$1.00' in page
    assert 'action="/kiosk/signout/"' in page  # Sign out ends (and pays) this kiosk's session


def test_signing_out_charges_each_started_minute_once(per_minute):
    client = signed_in(per_minute)
    with at(61):
        response = client.post("/kiosk/signout/", follow=True)
    assert "Kiosk time: 2 minutes, $0.10 from your trust account." in response.content.decode()
    assert balance(per_minute.trust) == 90
    session = KioskSession.objects.get()
    assert (session.end, session.seconds, session.units, session.charged_cents) == (
        "signed_out",
        61,
        2,
        10,
    )
    with at(200):  # signing out again, or the sweep later: nothing more
        client.post("/kiosk/signout/")
        assert sessions.sweep() == 0
    with at(3600):
        assert sessions.sweep() == 0
    assert balance(per_minute.trust) == 90
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1
    assert ledger.problems() == []


def test_fifty_nine_seconds_is_one_minute(per_minute):
    client = signed_in(per_minute)
    with at(59):
        client.post(f"/kiosk/sessions/{KioskSession.objects.get().pk}/end/")
    assert balance(per_minute.trust) == 95
    assert "kiosk_resident_id" not in client.session


def test_a_kiosk_closed_mid_session_is_charged_once_by_the_sweep(per_minute, run_jobs):
    client = signed_in(per_minute)
    with at(100):
        client.get("/kiosk/")  # the last page she opened; then the kiosk is switched off
    with at(599):
        run_jobs()  # the job enqueued at sign-in is not due yet
    assert KioskSession.objects.get().closed_at is None
    with at(701):
        run_jobs()  # due: idle past 10 minutes: charged up to the last page (100 s, 2 min)
    session = KioskSession.objects.get()
    assert (session.end, session.seconds, session.charged_cents) == ("idle", 100, 10)
    assert balance(per_minute.trust) == 90
    with at(800):
        run_jobs()
        assert sessions.sweep() == 0
        # The kiosk comes back on: the next page signs her out and charges nothing more.
        response = client.get("/kiosk/")
    assert response.status_code == 302 and response["Location"] == "/kiosk/signin/"
    assert balance(per_minute.trust) == 90
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1
    out = io.StringIO()
    call_command("ledger_check", stdout=out)  # the operator's check agrees
    assert "Ledger is sound" in out.getvalue()


def test_a_session_in_use_is_not_swept(per_minute, run_jobs):
    client = signed_in(per_minute)
    with at(500):
        client.get("/kiosk/")
    with at(601):
        run_jobs()  # the first look: active 101 s ago, looked at again at 1100 s
    assert KioskSession.objects.get().closed_at is None
    with at(700):
        client.post("/kiosk/signout/")
    assert balance(per_minute.trust) == 100 - 12 * 5  # 700 s: 12 started minutes
    with at(1101):
        run_jobs()
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1


def test_sign_out_after_the_sweep_charges_nothing_more(per_minute):
    client = signed_in(per_minute)
    with at(30):
        client.get("/kiosk/")
    with at(660):
        assert sessions.sweep() == 1
        client.post("/kiosk/signout/")
    assert balance(per_minute.trust) == 95
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1


def test_the_charge_never_takes_the_trust_account_below_zero(world):
    per_minute_prices(world.facility_1)
    trust = t.fund_trust(world.resident, 12)
    client = signed_in(world)
    with at(170):
        page = client.get("/kiosk/").content.decode()
        assert "Your trust account is running out" in page
        response = client.post("/kiosk/signout/", follow=True)
    assert balance(trust) == 0
    session = KioskSession.objects.get()
    assert (session.units, session.charged_cents, session.shortfall_cents) == (3, 12, 3)
    assert "did not cover $0.03: not charged" in response.content.decode()
    assert ledger.problems() == []


def test_another_resident_cannot_end_someone_elses_session(per_minute):
    maria = signed_in(per_minute)
    other = t.make_resident(per_minute.facility_1, "NY1002", first_name="Rosa")
    rosa = kiosk_client_for(other)  # another kiosk of the same facility
    marias = KioskSession.objects.get(resident=per_minute.resident)
    with at(30):
        response = rosa.post(f"/kiosk/sessions/{marias.pk}/end/")
        assert response.status_code == 404
        missing = rosa.post("/kiosk/sessions/999999/end/")
        assert missing.status_code == 404
        assert maria.get("/kiosk/").status_code == 200  # still signed in
    marias.refresh_from_db()
    assert marias.closed_at is None
    assert not Transaction.objects.filter(kind="kiosk_time").exists()
    assert KioskSession.objects.filter(resident=other, closed_at__isnull=True).count() == 1


def test_a_facility_that_does_not_charge_by_the_minute_opens_no_session(world):
    client = device_client(world.facility_1)  # free messaging
    assert sign_in(client, world.resident.number).status_code == 302
    page = client.get("/kiosk/").content.decode()
    assert "Signed in for" not in page
    assert not KioskSession.objects.exists()


def test_signing_in_over_someone_closes_their_session_first(per_minute):
    kiosk = signed_in(per_minute)
    t.make_resident(per_minute.facility_1, "NY1003", first_name="Lee")
    with at(40):
        kiosk.get("/kiosk/")
    with at(130):
        assert sign_in(kiosk, "NY1003").status_code == 302
    first = KioskSession.objects.get(resident=per_minute.resident)
    # Counted up to the last page she opened (40 s): one minute.
    assert (first.end, first.seconds, first.charged_cents) == ("replaced", 40, 5)
    assert KioskSession.objects.filter(closed_at__isnull=True).count() == 1  # Lee's


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_sign_out_and_the_sweep_at_once_charge_once(per_minute):
    """Sign-out (700 s: 12 minutes) and the sweep (last page at 30 s: 1 minute) close the
    same session at the same moment: one of them closes and charges it, the other finds it
    closed; the charge is the winner's, posted once."""
    clearing = ledger.account_for(kind=K.PAYMENT_CLEARING)
    ledger.post(
        key="more-trust", kind="trust_deposit", postings=[(clearing, -900), (per_minute.trust, 900)]
    )
    signed_in(per_minute)
    device = KioskDevice.objects.get()
    total = 0
    for round_ in range(5):
        if round_:
            with at(0):
                sessions.open_session(resident=per_minute.resident, device=device)
        session = KioskSession.objects.filter(closed_at__isnull=True).get()
        with at(30):
            sessions.touch(session.pk)
        with at(700):
            results = in_threads(
                2,
                lambda i, pk=session.pk: sessions.close(
                    session_id=pk, end="signed_out" if i == 0 else "idle"
                )[1],
            )
        assert sorted(results) == [False, True], results
        session.refresh_from_db()
        posted = Transaction.objects.get(idempotency_key=sessions.charge_key(session))
        assert session.charged_cents in (5, 60)
        assert posted.postings.get(account=per_minute.trust).amount == -session.charged_cents
        total += session.charged_cents
    assert Transaction.objects.filter(kind="kiosk_time").count() == 5
    assert balance(per_minute.trust) == 1000 - total
    assert ledger.problems() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
def test_thirty_closers_at_once_charge_once_and_never_below_zero(per_minute):
    """A session of 40 minutes ($2.00) against a trust account of $1.00, closed by 30
    requests at once (sign-outs, sweeps, ends from elsewhere): one closes it, the account
    gives what it holds and no more, the rest is recorded as not covered."""
    signed_in(per_minute)
    session = KioskSession.objects.get()
    ends = ("signed_out", "idle", "elsewhere")
    with at(40 * 60):
        sessions.touch(session.pk)  # her last page: every way of ending counts 40 minutes
        results = in_threads(
            30, lambda i: sessions.close(session_id=session.pk, end=ends[i % 3])[1]
        )
    assert sorted(results) == [False] * 29 + [True]
    session.refresh_from_db()
    assert (session.units, session.charged_cents, session.shortfall_cents) == (40, 100, 100)
    assert balance(per_minute.trust) == 0
    assert Transaction.objects.filter(kind="kiosk_time").count() == 1
    assert ledger.problems() == []


def test_a_session_left_open_on_another_kiosk_ends_at_its_last_page(per_minute):
    left_open = signed_in(per_minute)
    with at(90):
        left_open.get("/kiosk/")  # her last page there
    first = KioskSession.objects.get()
    with at(300):
        here = kiosk_client_for(per_minute.resident)
        page = here.get("/kiosk/").content.decode()
        assert f'action="/kiosk/sessions/{first.pk}/end/"' in page  # offered here
        response = here.post(f"/kiosk/sessions/{first.pk}/end/", follow=True)
    assert "Kiosk time: 2 minutes, $0.10" in response.content.decode()
    first.refresh_from_db()
    assert (first.end, first.seconds, first.charged_cents) == ("elsewhere", 90, 10)
    assert "kiosk_resident_id" in here.session  # still signed in here
    closed = AuditEvent.objects.get(action="kiosk.session_closed", object_id=str(first.pk))
    assert closed.actor_label == per_minute.resident.audit_label  # she ended it, not "system"


def test_sign_out_on_one_kiosk_signs_out_there_while_a_newer_session_is_open_elsewhere(
    per_minute,
):
    """Each kiosk shows and ends its own session: pressing Sign out on the kiosk she used
    first signs her out there, even though she has signed in on another kiosk since."""
    first_kiosk = signed_in(per_minute)
    with at(60):
        second_kiosk = device_client(per_minute.facility_1, name="Library tablet")
        sign_in(second_kiosk, per_minute.resident.number)
    first, second = KioskSession.objects.order_by("opened_at", "id")
    with at(90):
        page = first_kiosk.get("/kiosk/").content.decode()
        assert 'data-session-seconds="90"' in page  # the timer of this kiosk's session
        first_kiosk.post("/kiosk/signout/")
    assert "kiosk_resident_id" not in first_kiosk.session  # signed out where she pressed it
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.end, first.seconds) == ("signed_out", 90)
    assert second.closed_at is None  # the other kiosk's session goes on
    with at(95):
        assert second_kiosk.get("/kiosk/").status_code == 200


def test_the_sweep_leaves_a_session_used_after_it_looked(per_minute):
    """The sweep decides under the session's lock: a page opened after it read the session
    keeps the resident signed in."""
    client = signed_in(per_minute)
    session = KioskSession.objects.get()
    looked_at = session.last_seen_at  # what the sweep read, idle since sign-in
    with at(500):
        client.get("/kiosk/")  # she opens a page just before the sweep takes the lock
        closed, done = sessions.close(
            session_id=session.pk, end=sessions.End.IDLE, idle_since=looked_at
        )
    assert not done and closed.closed_at is None
    assert Transaction.objects.filter(kind="kiosk_time").count() == 0


def test_a_release_charges_the_open_session_before_the_trust_is_paid_out(per_minute):
    client = signed_in(per_minute)
    with at(90):
        client.get("/kiosk/")  # her last page
    with at(120):
        release = roster.release_resident(
            staff=per_minute.facility_admin, resident_id=per_minute.resident.pk
        )
    session = KioskSession.objects.get()
    assert (session.end, session.seconds, session.charged_cents) == ("released", 90, 10)
    assert release.trust_paid_out == 90  # what was left after the 2 minutes she used
    assert balance(per_minute.trust) == 0
    assert ledger.problems() == []
