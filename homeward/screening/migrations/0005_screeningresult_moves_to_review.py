# ScreeningResult now belongs to review (see review 0002); the table is not touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0004_category_labels_from_one_source'),
        ('review', '0002_screeningresult'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ScreeningResult')],
            database_operations=[],
        ),
    ]
