"""Restrictions imposed before this version beginning or ending later get the job that
marks their conversations changed at that moment (``restrictions.begins_or_ends``), as
those imposed from now on do."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def plan(apps, schema_editor):
    Restriction = apps.get_model("enforcement", "Restriction")
    Job = apps.get_model("jobs", "Job")
    now = timezone.now()
    planned = []
    for restriction in Restriction.objects.filter(lifted_at__isnull=True).iterator():
        for moment in (restriction.starts_at, restriction.ends_at):
            if moment is not None and moment > now:
                planned.append(
                    Job(
                        kind="restriction_begins_or_ends",
                        payload={"restriction_id": restriction.pk, "at": moment.isoformat()},
                        facility_id=restriction.facility_id,
                        run_after=moment,
                        created_at=now,
                        max_attempts=settings.JOB_MAX_ATTEMPTS,
                    )
                )
    Job.objects.bulk_create(planned, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0003_appeals"),
        ("jobs", "0003_claim_indexes"),
    ]

    operations = [migrations.RunPython(plan, migrations.RunPython.noop)]
