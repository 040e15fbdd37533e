"""Kiosk sessions: the generic hook through which a pricing model charges for time at the
kiosk. The kiosk never asks which model a facility uses: at sign-in it opens a session row
when the schedule's model says it charges per session, and whatever ends the session
(sign-out, a time-out noticed on the next page, or the sweep of idle sessions run as a job)
closes it once and asks that model to charge it.

How long a session lasted: from sign-in to sign-out when the resident signs out; to the
last page they opened when it ends any other way (time-out, a kiosk closed mid-session), so
nobody pays for the minutes a kiosk waited before it gave up on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from homeward.core import audit, clock
from homeward.core.errors import DomainError, NotFound
from homeward.jobs import services as jobs
from homeward.kiosk.models import KioskDevice, KioskSession
from homeward.ledger import pricing
from homeward.ledger import services as ledger
from homeward.ledger.models import Account
from homeward.people.models import Resident

IDLE_TIMEOUT = dt.timedelta(minutes=10)
SWEEP_JOB = "close_idle_kiosk_session"
End = KioskSession.End


def charge_key(session: KioskSession) -> str:
    return f"kiosk-session:{session.pk}:charge"


def open_session(*, resident: Resident, device: KioskDevice) -> KioskSession | None:
    """Open a session row at sign-in where the prices in force charge for kiosk time (None
    elsewhere), and the job that closes it once it has been idle past the time-out."""
    now = clock.now()
    try:
        schedule = pricing.schedule_in_force(device.facility_id, now)
    except DomainError:
        return None
    if not pricing.model_of(schedule).charges_kiosk_sessions:
        return None
    sweep(resident=resident)  # a session left idle elsewhere is charged before a new one
    with transaction.atomic():
        session = KioskSession.objects.create(
            resident=resident,
            device=device,
            facility_id=device.facility_id,
            schedule=schedule,
            opened_at=now,
            last_seen_at=now,
        )
        jobs.enqueue(
            SWEEP_JOB,
            run_after=now + IDLE_TIMEOUT,
            facility_id=session.facility_id,
            session_id=session.pk,
        )
    return session


def touch(session_id: int) -> bool:
    """The resident opened a page: their session is still in use. False when it has been
    closed already (by the sweep), so the kiosk signs them out."""
    updated = KioskSession.objects.filter(pk=session_id, closed_at__isnull=True).update(
        last_seen_at=clock.now()
    )
    return bool(updated)


def session_of(resident: Resident, session_id: int) -> KioskSession:
    """One of this resident's sessions; anyone else's is a NotFound."""
    session = KioskSession.objects.filter(pk=session_id, resident=resident).first()
    if session is None:
        raise NotFound(_("No such kiosk session."))
    return session


def close(
    *,
    session_id: int,
    end: str,
    actor: Resident | str = "system",
    idle_since: dt.datetime | None = None,
) -> tuple[KioskSession, bool]:
    """Close the session and charge it, once: the row is locked, so of two closers (a
    sign-out and the sweep) exactly one charges, and the charge is posted under one key per
    session. With ``idle_since`` (the sweep) it closes only a session not used since then,
    checked under the lock, so a page opened a moment ago keeps the resident signed in.
    Returns the session and whether this call closed it."""
    now = clock.now()
    with transaction.atomic():
        session = (
            KioskSession.objects.select_for_update()
            .select_related("schedule", "resident", "facility")
            .get(pk=session_id)
        )
        if session.closed_at is not None:
            return session, False
        if idle_since is not None and session.last_seen_at > idle_since:
            return session, False
        ended = now if end == End.SIGNED_OUT else session.last_seen_at
        elapsed = max(ended - session.opened_at, dt.timedelta(0))
        seconds = -(-elapsed // dt.timedelta(microseconds=1_000_000))  # a started second counts
        model = pricing.model_of(session.schedule)
        charge = model.charge_kiosk_session(
            session.schedule,
            resident=session.resident,
            facility=session.facility,
            seconds=seconds,
            key=charge_key(session),
            ended_at=ended,
        )
        session.closed_at = now
        session.end = end
        session.seconds = seconds
        session.units = charge.units
        session.charged_cents = charge.charged
        session.shortfall_cents = charge.shortfall
        session.save()
        audit.record(
            actor=actor,
            action="kiosk.session_closed",
            obj=session,
            facility_id=session.facility_id,
            data={
                "end": end,
                "seconds": seconds,
                "units": charge.units,
                "charged_cents": charge.charged,
                "shortfall_cents": charge.shortfall,
            },
        )
    return session, True


def close_if_idle(*, session_id: int) -> KioskSession | None:
    """The sweep of one session (the job enqueued at sign-in): closed if it has been idle
    past the time-out, else looked at again when it would be. None if still open."""
    session = KioskSession.objects.filter(pk=session_id).first()
    if session is None or session.closed_at is not None:
        return session
    due = session.last_seen_at + IDLE_TIMEOUT
    if clock.now() < due:
        jobs.enqueue(
            SWEEP_JOB, run_after=due, facility_id=session.facility_id, session_id=session.pk
        )
        return None
    closed, done = close(session_id=session.pk, end=End.IDLE, idle_since=due - IDLE_TIMEOUT)
    if not done and closed.closed_at is None:  # used again meanwhile: look again later
        return close_if_idle(session_id=session.pk)
    return closed


def close_all_of(resident: Resident) -> None:
    """The resident was released: every session they still have open is closed and charged
    now, before the trust account is paid out (``roster.services.resident_released``)."""
    still_open = KioskSession.objects.filter(resident=resident, closed_at__isnull=True)
    for session_id in still_open.values_list("pk", flat=True):
        close(session_id=session_id, end=End.RELEASED)


def sweep(*, resident: Resident | None = None) -> int:
    """Close every session idle past the time-out (of one resident, or all), whatever its
    job's state: run when the resident signs in again; how many it closed."""
    cutoff = clock.now() - IDLE_TIMEOUT
    idle = KioskSession.objects.filter(closed_at__isnull=True, last_seen_at__lte=cutoff)
    if resident is not None:
        idle = idle.filter(resident=resident)
    return sum(
        close(session_id=pk, end=End.IDLE, idle_since=cutoff)[1]
        for pk in idle.values_list("pk", flat=True)
    )


def summary(session: KioskSession) -> str:
    """What the kiosk says when the session ends (from the pricing model)."""
    charge = pricing.SessionCharge(
        units=session.units, charged=session.charged_cents, shortfall=session.shortfall_cents
    )
    return pricing.model_of(session.schedule).kiosk_session_summary(session.schedule, charge)


@dataclass(frozen=True)
class Banner:
    """What every kiosk page shows while a charged session is open."""

    session: KioskSession
    seconds: int
    balance: int  # the trust account before this session's charge
    lines: list[str]

    @property
    def clock(self) -> str:
        minutes, seconds = divmod(self.seconds, 60)
        return f"{minutes}:{seconds:02d}"


def open_elsewhere(resident: Resident, session_id: int | None) -> list[KioskSession]:
    """The resident's sessions still open on other kiosks, which they may end from here."""
    still_open = KioskSession.objects.filter(resident=resident, closed_at__isnull=True)
    return list(still_open.exclude(pk=session_id or 0).select_related("device"))


def banner(resident: Resident, session_id: int | None) -> Banner | None:
    """This kiosk's open session (``session_id``, kept in the kiosk's own sign-in), for the
    header of every kiosk page; None if there is none. A session the resident left open on
    another kiosk is never shown here."""
    if not session_id:
        return None
    session = (
        KioskSession.objects.select_related("schedule")
        .filter(pk=session_id, resident=resident, closed_at__isnull=True)
        .first()
    )
    if session is None:
        return None
    seconds = max(int((clock.now() - session.opened_at).total_seconds()), 0)
    balance = ledger.balance_of(kind=Account.Kind.TRUST, resident=resident)
    lines = pricing.model_of(session.schedule).kiosk_session_lines(
        session.schedule, seconds=seconds, balance=balance
    )
    return Banner(session=session, seconds=seconds, balance=balance, lines=lines)
