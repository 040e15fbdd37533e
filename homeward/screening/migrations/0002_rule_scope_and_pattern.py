"""Rules v2, step one: the phrase becomes the pattern, and the scope becomes explicit.

Existing rows keep their meaning: a rule with a facility is a facility rule, one with an
agency an agency rule, and one with neither the platform baseline.
"""

from django.db import migrations, models


def set_scope(apps, schema_editor):
    Rule = apps.get_model("screening", "Rule")
    Rule.objects.filter(facility__isnull=False).update(scope="facility")
    Rule.objects.filter(facility__isnull=True, agency__isnull=False).update(scope="agency")


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="rule", name="rule_has_one_scope"),
        migrations.RenameField(model_name="rule", old_name="phrase", new_name="pattern"),
        migrations.AddField(
            model_name="rule",
            name="scope",
            field=models.CharField(
                choices=[
                    ("baseline", "Platform baseline"),
                    ("agency", "Agency"),
                    ("facility", "Facility"),
                ],
                default="baseline",
                max_length=10,
            ),
        ),
        migrations.RunPython(set_scope, migrations.RunPython.noop),
    ]
