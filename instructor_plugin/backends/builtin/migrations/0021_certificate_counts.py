"""
Certificates counted per course, status and mode as they change, by triggers on every database.

The same pattern as the enrollment counts of ``0010``: PostgreSQL counts once per statement from its
transition tables, SQLite and MySQL/MariaDB row by row. MySQL's insert trigger skips the writes of a
connection in a bulk load (``0020``), whose loader then recounts the course. The counts start from the
certificates already there.

Also: certificates indexed by course, status and username (instead of mode, whose per-status totals the
counts now give), so that a status filter's page of the issued list is an index range in username order.
"""

import opaque_keys.edx.django.models
from django.db import migrations, models

CERTIFICATE = "instructor_plugin_builtin_generatedcertificate"
COUNT = "instructor_plugin_builtin_certificatecount"
_KEY = "course_key = {row}.course_key AND status = {row}.status AND mode = {row}.mode"
MYSQL_NOT_PAUSED = "@instructor_plugin_bulk_load IS NULL"

_SQLITE_ADD = f"""INSERT OR IGNORE INTO {COUNT} (course_key, status, mode, certificates)
        VALUES (NEW.course_key, NEW.status, NEW.mode, 0);
        UPDATE {COUNT} SET certificates = certificates + 1 WHERE {_KEY.format(row="NEW")};"""
_SQLITE_REMOVE = f"UPDATE {COUNT} SET certificates = certificates - 1 WHERE {_KEY.format(row='OLD')};"
SQLITE = [
    f"CREATE TRIGGER ipb_count_certificate_insert AFTER INSERT ON {CERTIFICATE} BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER ipb_count_certificate_update AFTER UPDATE OF course_key, status, mode ON {CERTIFICATE}"
    f" BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
    f"CREATE TRIGGER ipb_count_certificate_delete AFTER DELETE ON {CERTIFICATE} BEGIN {_SQLITE_REMOVE} END",
]
SQLITE_REVERSE = [f"DROP TRIGGER ipb_count_certificate_{event}" for event in ("insert", "update", "delete")]

_PG_ADD = f"""
        INSERT INTO {COUNT} (course_key, status, mode, certificates)
        SELECT course_key, status, mode, count(*) FROM added GROUP BY course_key, status, mode
        ON CONFLICT (course_key, status, mode) DO UPDATE SET certificates = {COUNT}.certificates + EXCLUDED.certificates;"""
_PG_REMOVE = f"""
        UPDATE {COUNT} SET certificates = {COUNT}.certificates - gone.n
        FROM (SELECT course_key, status, mode, count(*) AS n FROM removed GROUP BY course_key, status, mode) AS gone
        WHERE {COUNT}.course_key = gone.course_key AND {COUNT}.status = gone.status AND {COUNT}.mode = gone.mode;"""
POSTGRESQL = [
    f"CREATE FUNCTION ipb_count_certificates_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_ADD}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_certificates_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_certificates_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    f" {_PG_ADD} RETURN NULL; END $$",
    f"CREATE TRIGGER ipb_count_certificate_insert AFTER INSERT ON {CERTIFICATE} REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_certificates_added()",
    f"CREATE TRIGGER ipb_count_certificate_update AFTER UPDATE ON {CERTIFICATE} REFERENCING OLD TABLE AS removed"
    " NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_certificates_changed()",
    f"CREATE TRIGGER ipb_count_certificate_delete AFTER DELETE ON {CERTIFICATE} REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_certificates_removed()",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER ipb_count_certificate_{event} ON {CERTIFICATE}" for event in ("insert", "update", "delete")
] + [f"DROP FUNCTION ipb_count_certificates_{kind}()" for kind in ("added", "removed", "changed")]

_MYSQL_ADD = f"""INSERT INTO {COUNT} (course_key, status, mode, certificates) VALUES (NEW.course_key, NEW.status, NEW.mode, 1)
        ON DUPLICATE KEY UPDATE certificates = certificates + 1;"""
_MYSQL_REMOVE = f"UPDATE {COUNT} SET certificates = certificates - 1 WHERE {_KEY.format(row='OLD')};"
_MYSQL_CHANGED = "NOT (NEW.course_key <=> OLD.course_key AND NEW.status <=> OLD.status AND NEW.mode <=> OLD.mode)"
MYSQL = [
    f"CREATE TRIGGER ipb_count_certificate_insert AFTER INSERT ON {CERTIFICATE} FOR EACH ROW"
    f" BEGIN IF {MYSQL_NOT_PAUSED} THEN {_MYSQL_ADD} END IF; END",
    f"CREATE TRIGGER ipb_count_certificate_update AFTER UPDATE ON {CERTIFICATE} FOR EACH ROW"
    f" BEGIN IF {_MYSQL_CHANGED} THEN {_MYSQL_REMOVE} {_MYSQL_ADD} END IF; END",
    f"CREATE TRIGGER ipb_count_certificate_delete AFTER DELETE ON {CERTIFICATE} FOR EACH ROW BEGIN {_MYSQL_REMOVE} END",
]
MYSQL_REVERSE = [f"DROP TRIGGER ipb_count_certificate_{event}" for event in ("insert", "update", "delete")]

BACKFILL = f"""INSERT INTO {COUNT} (course_key, status, mode, certificates)
    SELECT course_key, status, mode, COUNT(*) FROM {CERTIFICATE} GROUP BY course_key, status, mode"""

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
        ("instructor_plugin_builtin", "0020_bulk_load_pauses_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="CertificateCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("course_key", opaque_keys.edx.django.models.CourseKeyField(max_length=255)),
                ("status", models.CharField(max_length=32)),
                ("mode", models.CharField(max_length=32)),
                ("certificates", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("course_key", "status", "mode"), name="ipb_unique_certificate_count"
                    )
                ],
            },
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(STATEMENTS), _run(REVERSE)),
        migrations.RemoveIndex(model_name="generatedcertificate", name="ipb_certificate_status"),
        migrations.AddIndex(
            model_name="generatedcertificate",
            index=models.Index(fields=["course_key", "status", "username"], name="ipb_certificate_status_name"),
        ),
    ]
