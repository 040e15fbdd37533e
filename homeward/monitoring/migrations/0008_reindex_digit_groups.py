from django.db import migrations


def reindex_existing(apps, schema_editor):
    """Documents indexed before digit groups were kept apart ("512.555.0143" was one word on
    PostgreSQL) are indexed again, so a number is found however it was written."""
    from homeward.monitoring import index

    index.reindex(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_retention_review")]

    operations = [migrations.RunPython(reindex_existing, migrations.RunPython.noop)]
