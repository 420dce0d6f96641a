"""
The learner's username copied onto each enrollment, kept by triggers, indexed with the course.

The enrollments list sorts a course's active enrollments by username: with the username on the
enrollment row, ``(course_key, is_active, username)`` is one index that serves the filter and the
order, so a page is an index range scan instead of a sort of the whole course joined with its users.
The triggers copy the username when an enrollment is written (whatever writes it: the backend,
``bulk_create``, a queryset ``update``, a full ``save`` of a stale instance) and when a user is renamed.
The column is nullable so that adding it is an ``ALTER TABLE`` on SQLite: a rebuilt table would lose
the enrollment-count triggers of ``0010_list_indexes_and_counts``.
"""

from django.conf import settings
from django.db import migrations, models

ENROLLMENT = "instructor_plugin_builtin_courseenrollment"


def _user_table(apps) -> tuple[str, str]:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return user._meta.db_table, user._meta.get_field("username").column


def _sqlite(users: str, name: str) -> list[str]:
    look_up = f"(SELECT {name} FROM {users} WHERE id = NEW.user_id)"
    copy = f"UPDATE {ENROLLMENT} SET username = {look_up} WHERE id = NEW.id;"
    return [
        f"CREATE TRIGGER ipb_enrollment_username_insert AFTER INSERT ON {ENROLLMENT}"
        f" WHEN NEW.username IS NOT {look_up} BEGIN {copy} END",
        f"CREATE TRIGGER ipb_enrollment_username_update AFTER UPDATE OF user_id, username ON {ENROLLMENT}"
        f" WHEN NEW.username IS NOT {look_up} BEGIN {copy} END",
        f"CREATE TRIGGER ipb_user_username_update AFTER UPDATE OF {name} ON {users}"
        f" WHEN NEW.{name} IS NOT OLD.{name}"
        f" BEGIN UPDATE {ENROLLMENT} SET username = NEW.{name} WHERE user_id = NEW.id; END",
    ]


def _postgresql(users: str, name: str) -> list[str]:
    return [
        "CREATE FUNCTION ipb_enrollment_username() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" NEW.username := (SELECT {name} FROM {users} WHERE id = NEW.user_id); RETURN NEW; END $$",
        f"CREATE TRIGGER ipb_enrollment_username BEFORE INSERT OR UPDATE OF user_id, username ON {ENROLLMENT}"
        " FOR EACH ROW EXECUTE FUNCTION ipb_enrollment_username()",
        "CREATE FUNCTION ipb_user_username() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" UPDATE {ENROLLMENT} SET username = NEW.{name} WHERE user_id = NEW.id; RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_user_username AFTER UPDATE OF {name} ON {users}"
        f" FOR EACH ROW WHEN (OLD.{name} IS DISTINCT FROM NEW.{name}) EXECUTE FUNCTION ipb_user_username()",
    ]


def _postgresql_reverse(users: str, name: str) -> list[str]:
    return [
        f"DROP TRIGGER ipb_enrollment_username ON {ENROLLMENT}",
        "DROP FUNCTION ipb_enrollment_username()",
        f"DROP TRIGGER ipb_user_username ON {users}",
        "DROP FUNCTION ipb_user_username()",
    ]


def _mysql(users: str, name: str) -> list[str]:
    look_up = f"SET NEW.username = (SELECT {name} FROM {users} WHERE id = NEW.user_id);"
    return [
        f"CREATE TRIGGER ipb_enrollment_username_insert BEFORE INSERT ON {ENROLLMENT} FOR EACH ROW BEGIN {look_up} END",
        f"CREATE TRIGGER ipb_enrollment_username_update BEFORE UPDATE ON {ENROLLMENT} FOR EACH ROW BEGIN"
        f" IF NEW.user_id <> OLD.user_id OR NOT NEW.username <=> OLD.username THEN {look_up} END IF; END",
        f"CREATE TRIGGER ipb_user_username_update AFTER UPDATE ON {users} FOR EACH ROW BEGIN"
        f" IF NEW.{name} <> OLD.{name} THEN UPDATE {ENROLLMENT} SET username = NEW.{name} WHERE user_id = NEW.id;"
        " END IF; END",
    ]


def _drop_triggers(users: str, name: str) -> list[str]:
    return [
        "DROP TRIGGER ipb_enrollment_username_insert",
        "DROP TRIGGER ipb_enrollment_username_update",
        "DROP TRIGGER ipb_user_username_update",
    ]


FORWARD = {"sqlite": _sqlite, "postgresql": _postgresql, "mysql": _mysql}
REVERSE = {"sqlite": _drop_triggers, "postgresql": _postgresql_reverse, "mysql": _drop_triggers}


def _run(statements):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        make = statements.get(connection.vendor)
        if make is None:
            return
        with connection.cursor() as cursor:
            for statement in make(*_user_table(apps)):
                cursor.execute(statement)

    return run


def _backfill(apps, schema_editor):
    users, name = _user_table(apps)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ENROLLMENT} SET username = (SELECT {name} FROM {users} WHERE {users}.id = {ENROLLMENT}.user_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("instructor_plugin_builtin", "0010_list_indexes_and_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="courseenrollment",
            name="username",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
        migrations.AddIndex(
            model_name="courseenrollment",
            index=models.Index(fields=["course_key", "is_active", "username"], name="ipb_enrollment_username"),
        ),
    ]
