"""API tokens expire (a token made before this gets its full lifetime from now), and a
refreshed token names the token it was swapped for."""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from homeward.core import clock


def expire_from_now(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    expires = clock.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=expires)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_drop_token_request_failures"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_from_now, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="replaced_by",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="replaces",
                to="api.apitoken",
            ),
        ),
    ]
