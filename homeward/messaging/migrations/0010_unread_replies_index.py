"""The replies that reached a contact and are not yet opened, indexed per conversation: the
contact's inbox counts them from these entries alone, however long the conversation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0009_message_updated_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("direction", "to_contact"), ("status", "delivered")),
                fields=["connection"],
                name="message_unread_replies",
            ),
        ),
    ]
