"""Each message carries its connection's resident and contact (filled here; required, and
indexed, in 0005: PostgreSQL checks the new foreign keys at the end of this transaction, and
refuses to alter a table with those checks still pending)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_people(apps, schema_editor):  # type: ignore[no-untyped-def]
    """One UPDATE for all messages: each takes its connection's two people."""
    Message = apps.get_model("messaging", "Message")
    Connection = apps.get_model("connections", "Connection")
    of_connection = Connection.objects.filter(pk=OuterRef("connection_id"))
    Message.objects.update(
        resident_id=Subquery(of_connection.values("resident_id")[:1]),
        contact_id=Subquery(of_connection.values("contact_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0004_privileged_channel"),
        ("messaging", "0003_retention"),
        ("people", "0007_agency_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="resident",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.resident",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="contact",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.contact",
            ),
        ),
        migrations.RunPython(copy_people, migrations.RunPython.noop),
    ]
