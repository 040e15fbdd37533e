"""Messages keep when they last changed (``updated_at``), indexed per conversation, so an app
can ask for what changed since it last looked. Existing rows take their latest timestamp."""

from django.db import migrations, models

import homeward.core.clock
from django.db.models.functions import Coalesce, Greatest, Now

STAMPS = [
    "submitted_at",
    "screened_at",
    "in_review_at",
    "approved_at",
    "blocked_at",
    "delivered_at",
    "read_at",
    "returned_at",
    "content_removed_at",
]


def backfill(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    # GREATEST is NULL on SQLite when any argument is: each stamp falls back to created_at.
    latest = Greatest("created_at", *(Coalesce(name, "created_at") for name in STAMPS))
    Message.objects.update(updated_at=latest)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0008_photo_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="updated_at",
            field=models.DateTimeField(default=homeward.core.clock.now, db_default=Now()),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["connection", "updated_at", "id"], name="message_changed"),
        ),
    ]
