"""One person's messages newest first: the resident and contact of each message are
required, and each has an index of (person, created_at, id) for the staff histories."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_people_on_messages")]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="resident",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.resident",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="contact",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.contact",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                fields=["resident", "created_at", "id"], name="message_resident_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["contact", "created_at", "id"], name="message_contact_newest"),
        ),
    ]
