import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL: accents ignored, English and Spanish stemming, one stored tsvector per message.
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION homeward_en (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION homeward_en "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION homeward_es (COPY = pg_catalog.spanish)",
    "ALTER TEXT SEARCH CONFIGURATION homeward_es "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
    "ALTER TABLE monitoring_searchdocument ADD COLUMN document tsvector GENERATED ALWAYS AS "
    "(to_tsvector('homeward_en'::regconfig, text) || to_tsvector('homeward_es'::regconfig, text))"
    " STORED",
    "CREATE INDEX monitoring_search_document ON monitoring_searchdocument USING GIN (document)",
]
POSTGRESQL_BACK = [
    "DROP INDEX IF EXISTS monitoring_search_document",
    "ALTER TABLE monitoring_searchdocument DROP COLUMN IF EXISTS document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS homeward_en",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS homeward_es",
]
# SQLite: an FTS5 table beside the documents (rowid = the message's id).
SQLITE = [
    "CREATE VIRTUAL TABLE monitoring_fts USING fts5("
    "text, tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_BACK = ["DROP TABLE IF EXISTS monitoring_fts"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def index_existing(apps, schema_editor):
    """Messages accepted before search existed become searchable too."""
    from homeward.monitoring import index

    index.index_missing(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("facilities", "0004_agency_blocker_decides_appeals"),
        ("messaging", "0002_initial"),
        # The backfill below runs today's code, which reads Connection.privileged.
        ("connections", "0004_privileged_channel"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "message",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="messaging.message",
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("text", models.TextField()),
                (
                    "facility",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="facilities.facility",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["facility", "-created_at"], name="search_facility_new")
                ],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_BACK, "sqlite": SQLITE_BACK}),
        ),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
