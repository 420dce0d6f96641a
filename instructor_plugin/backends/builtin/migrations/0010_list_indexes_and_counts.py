"""
Active enrollments counted per course and mode as they change, by triggers on every database.

PostgreSQL counts once per statement from its transition tables (a bulk insert of 200,000 enrollments
is one grouped upsert); SQLite and MySQL/MariaDB count row by row. The counts start from the
enrollments already there.
"""

import opaque_keys.edx.django.models
from django.db import migrations, models

ENROLLMENT = "instructor_plugin_builtin_courseenrollment"
COUNT = "instructor_plugin_builtin_enrollmentcount"

SQLITE = [
    f"""CREATE TRIGGER ipb_count_enrollment_insert AFTER INSERT ON {ENROLLMENT} WHEN NEW.is_active BEGIN
        INSERT OR IGNORE INTO {COUNT} (course_key, mode, active) VALUES (NEW.course_key, NEW.mode, 0);
        UPDATE {COUNT} SET active = active + 1 WHERE course_key = NEW.course_key AND mode = NEW.mode;
    END""",
    f"""CREATE TRIGGER ipb_count_enrollment_update AFTER UPDATE OF course_key, mode, is_active ON {ENROLLMENT}
    BEGIN
        UPDATE {COUNT} SET active = active - 1 WHERE OLD.is_active AND course_key = OLD.course_key AND mode = OLD.mode;
        INSERT OR IGNORE INTO {COUNT} (course_key, mode, active) SELECT NEW.course_key, NEW.mode, 0 WHERE NEW.is_active;
        UPDATE {COUNT} SET active = active + 1 WHERE NEW.is_active AND course_key = NEW.course_key AND mode = NEW.mode;
    END""",
    f"""CREATE TRIGGER ipb_count_enrollment_delete AFTER DELETE ON {ENROLLMENT} WHEN OLD.is_active BEGIN
        UPDATE {COUNT} SET active = active - 1 WHERE course_key = OLD.course_key AND mode = OLD.mode;
    END""",
]
SQLITE_REVERSE = [f"DROP TRIGGER ipb_count_enrollment_{event}" for event in ("insert", "update", "delete")]

_PG_ADD = f"""
        INSERT INTO {COUNT} (course_key, mode, active)
        SELECT course_key, mode, count(*) FROM added WHERE is_active GROUP BY course_key, mode
        ON CONFLICT (course_key, mode) DO UPDATE SET active = {COUNT}.active + EXCLUDED.active;"""
_PG_REMOVE = f"""
        UPDATE {COUNT} SET active = {COUNT}.active - gone.n
        FROM (SELECT course_key, mode, count(*) AS n FROM removed WHERE is_active GROUP BY course_key, mode) AS gone
        WHERE {COUNT}.course_key = gone.course_key AND {COUNT}.mode = gone.mode;"""
POSTGRESQL = [
    f"CREATE FUNCTION ipb_count_enrollments_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_ADD}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_enrollments_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_enrollments_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    f" {_PG_ADD} RETURN NULL; END $$",
    f"CREATE TRIGGER ipb_count_enrollment_insert AFTER INSERT ON {ENROLLMENT} REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_enrollments_added()",
    f"CREATE TRIGGER ipb_count_enrollment_update AFTER UPDATE ON {ENROLLMENT}"
    " REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_enrollments_changed()",
    f"CREATE TRIGGER ipb_count_enrollment_delete AFTER DELETE ON {ENROLLMENT} REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_enrollments_removed()",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER ipb_count_enrollment_{event} ON {ENROLLMENT}" for event in ("insert", "update", "delete")
] + [f"DROP FUNCTION ipb_count_enrollments_{kind}()" for kind in ("added", "removed", "changed")]

_MYSQL_ADD = f"""IF NEW.is_active THEN
        INSERT INTO {COUNT} (course_key, mode, active) VALUES (NEW.course_key, NEW.mode, 1)
        ON DUPLICATE KEY UPDATE active = active + 1;
    END IF;"""
_MYSQL_REMOVE = f"""IF OLD.is_active THEN
        UPDATE {COUNT} SET active = active - 1 WHERE course_key = OLD.course_key AND mode = OLD.mode;
    END IF;"""
MYSQL = [
    f"CREATE TRIGGER ipb_count_enrollment_insert AFTER INSERT ON {ENROLLMENT} FOR EACH ROW BEGIN {_MYSQL_ADD} END",
    f"CREATE TRIGGER ipb_count_enrollment_update AFTER UPDATE ON {ENROLLMENT} FOR EACH ROW"
    f" BEGIN {_MYSQL_REMOVE} {_MYSQL_ADD} END",
    f"CREATE TRIGGER ipb_count_enrollment_delete AFTER DELETE ON {ENROLLMENT} FOR EACH ROW BEGIN {_MYSQL_REMOVE} END",
]
MYSQL_REVERSE = [f"DROP TRIGGER ipb_count_enrollment_{event}" for event in ("insert", "update", "delete")]

BACKFILL = f"""INSERT INTO {COUNT} (course_key, mode, active)
    SELECT course_key, mode, COUNT(*) FROM {ENROLLMENT} WHERE is_active GROUP BY course_key, mode"""

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
        ("instructor_plugin_builtin", "0009_enrollment_api"),
    ]

    operations = [
        migrations.CreateModel(
            name="EnrollmentCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("course_key", opaque_keys.edx.django.models.CourseKeyField(max_length=255)),
                ("mode", models.CharField(max_length=100)),
                ("active", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("course_key", "mode"), name="ipb_unique_enrollment_count")
                ],
            },
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(STATEMENTS), _run(REVERSE)),
    ]
