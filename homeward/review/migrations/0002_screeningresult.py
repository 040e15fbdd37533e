# ScreeningResult moves from screening to review (the app that routes messages keeps what
# screening said); its table stays where it is, so only the migration state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0001_initial'),
        ('messaging', '0002_initial'),
        ('screening', '0004_category_labels_from_one_source'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScreeningResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('verdict', models.CharField(choices=[('clear', 'Clear'), ('flag', 'Flag for review'), ('block', 'Block')], max_length=10)),
                        ('categories', models.JSONField(default=list)),
                        ('hits', models.JSONField(default=list, help_text='[{rule, category, action, start, end, text}]')),
                        ('rules_version', models.CharField(help_text='The fingerprint of the rule set (see RuleSetVersion).', max_length=64)),
                        ('engine', models.CharField(max_length=30)),
                        ('at', models.DateTimeField()),
                        ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='screening', to='messaging.message')),
                    ],
                    options={'db_table': 'screening_screeningresult'},
                ),
            ],
            database_operations=[],
        ),
    ]
