"""The monitoring app's jobs: removing message text past an agency's retention period."""

from __future__ import annotations

import datetime as dt

from homeward.core import clock
from homeward.facilities.models import Agency
from homeward.jobs.registry import handler
from homeward.monitoring import retention


@handler(retention.JOB)
def remove_expired_content(*, agency_id: int) -> None:
    """One day's removal for an agency, then the next run: at once while more are due
    than a run removes, otherwise a day later. An agency that stopped removing stops."""
    removed = retention.run(agency_id=agency_id)
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None or agency.message_retention_days is None:
        return
    full = removed >= retention.BATCH * retention.RUNS_A_JOB
    retention.schedule(agency, at=None if full else clock.now() + dt.timedelta(days=1))
