"""
Open-response submissions counted per course, block and workflow status as they change, by triggers on
every database; and indexed in the ORA data report's order.

The counts follow the pattern of ``0021``: PostgreSQL counts once per statement from its transition
tables, SQLite and MySQL/MariaDB row by row. No bulk load writes submissions, so no trigger pauses for
one. The counts start from the submissions already there.

The index (course, block, submission time, id) lets each query of the ORA data report read one range
of it instead of sorting the course's submissions.
"""

import opaque_keys.edx.django.models
from django.db import migrations, models

SUBMISSION = "instructor_plugin_builtin_openresponsesubmission"
COUNT = "instructor_plugin_builtin_openresponsecount"
_KEY = "course_key = {row}.course_key AND usage_key = {row}.usage_key AND status = {row}.status"
_EVENTS = ("insert", "update", "delete")

_SQLITE_ADD = f"""INSERT OR IGNORE INTO {COUNT} (course_key, usage_key, status, submissions)
        VALUES (NEW.course_key, NEW.usage_key, NEW.status, 0);
        UPDATE {COUNT} SET submissions = submissions + 1 WHERE {_KEY.format(row="NEW")};"""
_SQLITE_REMOVE = f"UPDATE {COUNT} SET submissions = submissions - 1 WHERE {_KEY.format(row='OLD')};"
SQLITE = [
    f"CREATE TRIGGER ipb_count_ora_insert AFTER INSERT ON {SUBMISSION} BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER ipb_count_ora_update AFTER UPDATE OF course_key, usage_key, status ON {SUBMISSION}"
    f" BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    f"CREATE TRIGGER ipb_count_ora_delete AFTER DELETE ON {SUBMISSION} BEGIN {_SQLITE_REMOVE} END",
]
SQLITE_REVERSE = [f"DROP TRIGGER ipb_count_ora_{event}" for event in _EVENTS]

_PG_ADD = f"""
        INSERT INTO {COUNT} (course_key, usage_key, status, submissions)
        SELECT course_key, usage_key, status, count(*) FROM added GROUP BY course_key, usage_key, status
        ON CONFLICT (course_key, usage_key, status) DO UPDATE SET submissions = {COUNT}.submissions + EXCLUDED.submissions;"""
_PG_REMOVE = f"""
        UPDATE {COUNT} SET submissions = {COUNT}.submissions - gone.n
        FROM (SELECT course_key, usage_key, status, count(*) AS n FROM removed GROUP BY course_key, usage_key, status)
        AS gone WHERE {COUNT}.course_key = gone.course_key AND {COUNT}.usage_key = gone.usage_key
        AND {COUNT}.status = gone.status;"""
POSTGRESQL = [
    f"CREATE FUNCTION ipb_count_ora_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_ADD} RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_ora_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_ora_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    f" {_PG_ADD} RETURN NULL; END $$",
    f"CREATE TRIGGER ipb_count_ora_insert AFTER INSERT ON {SUBMISSION} REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_ora_added()",
    f"CREATE TRIGGER ipb_count_ora_update AFTER UPDATE ON {SUBMISSION} REFERENCING OLD TABLE AS removed"
    " NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_ora_changed()",
    f"CREATE TRIGGER ipb_count_ora_delete AFTER DELETE ON {SUBMISSION} REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_ora_removed()",
]
POSTGRESQL_REVERSE = [f"DROP TRIGGER ipb_count_ora_{event} ON {SUBMISSION}" for event in _EVENTS] + [
    f"DROP FUNCTION ipb_count_ora_{kind}()" for kind in ("added", "removed", "changed")
]

_MYSQL_ADD = f"""INSERT INTO {COUNT} (course_key, usage_key, status, submissions)
        VALUES (NEW.course_key, NEW.usage_key, NEW.status, 1) ON DUPLICATE KEY UPDATE submissions = submissions + 1;"""
_MYSQL_REMOVE = f"UPDATE {COUNT} SET submissions = submissions - 1 WHERE {_KEY.format(row='OLD')};"
_MYSQL_CHANGED = (
    "NOT (NEW.course_key <=> OLD.course_key AND NEW.usage_key <=> OLD.usage_key AND NEW.status <=> OLD.status)"
)
MYSQL = [
    f"CREATE TRIGGER ipb_count_ora_insert AFTER INSERT ON {SUBMISSION} FOR EACH ROW BEGIN {_MYSQL_ADD} END",
    f"CREATE TRIGGER ipb_count_ora_update AFTER UPDATE ON {SUBMISSION} FOR EACH ROW"
    f" BEGIN IF {_MYSQL_CHANGED} THEN {_MYSQL_REMOVE} {_MYSQL_ADD} END IF; END",
    f"CREATE TRIGGER ipb_count_ora_delete AFTER DELETE ON {SUBMISSION} FOR EACH ROW BEGIN {_MYSQL_REMOVE} END",
]
MYSQL_REVERSE = [f"DROP TRIGGER ipb_count_ora_{event}" for event in _EVENTS]

BACKFILL = f"""INSERT INTO {COUNT} (course_key, usage_key, status, submissions)
    SELECT course_key, usage_key, status, COUNT(*) FROM {SUBMISSION} GROUP BY course_key, usage_key, status"""

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "mysql": MYSQL}
REVERSE = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE, "mysql": MYSQL_REVERSE}


def _run(statements):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for statement in statements.get(connection.vendor, ()):
                cursor.execute(statement)

    return run


def _backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("instructor_plugin_builtin", "0024_mysql_search_grams"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenResponseCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("course_key", opaque_keys.edx.django.models.CourseKeyField(max_length=255)),
                ("usage_key", opaque_keys.edx.django.models.UsageKeyField(max_length=255)),
                ("status", models.CharField(max_length=16)),
                ("submissions", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("course_key", "usage_key", "status"), name="ipb_unique_ora_count")
                ],
            },
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(STATEMENTS), _run(REVERSE)),
        migrations.AddIndex(
            model_name="openresponsesubmission",
            index=models.Index(
                fields=["course_key", "usage_key", "submitted_at", "id"], name="ipb_ora_submission_time"
            ),
        ),
    ]
