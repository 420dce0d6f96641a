"""
The columns the issued-certificates, exam-attempts and cohort-members lists sort on, copied by triggers,
indexed with the course.

The certificates list sorts a course's certificates by username, the attempts list a course's attempts
(of every exam) by lowercased username, a cohort's member list its members by username: with the username
on the certificate and membership rows and the course and lowercased username on the attempt row,
``(course_key, username)``, ``(course_key, username_lower, id)`` and ``(course_key, cohort, username)`` each
serve the filter and the order, so that a page is an index range scan instead of a sort of the whole
course joined with its users. The triggers copy the values when a row is written (whatever writes it),
when a user is renamed and when an exam moves to another course. The columns are nullable so that adding
them is an ``ALTER TABLE`` on SQLite, not a table rebuild that would drop triggers.

Also: enrollments indexed newest first, of every course and of one course, the orders of the enrollment
API's admin list, so that its page reads as many index entries as it shows.
"""

from django.conf import settings
from django.db import migrations, models
from opaque_keys.edx.django.models import CourseKeyField


def _tables(apps) -> dict[str, str]:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return {
        "users": user._meta.db_table,
        "name": user._meta.get_field("username").column,
        "certificate": apps.get_model("instructor_plugin_builtin", "GeneratedCertificate")._meta.db_table,
        "attempt": apps.get_model("instructor_plugin_builtin", "ExamAttempt")._meta.db_table,
        "exam": apps.get_model("instructor_plugin_builtin", "SpecialExam")._meta.db_table,
        "member": apps.get_model("instructor_plugin_builtin", "CohortMembership")._meta.db_table,
    }


def _look_ups(t: dict[str, str]) -> tuple[str, str, str]:
    """A row's username, an attempt's lowercased username and course, each read for ``NEW``."""
    return (
        f"(SELECT {t['name']} FROM {t['users']} WHERE id = NEW.user_id)",
        f"(SELECT LOWER({t['name']}) FROM {t['users']} WHERE id = NEW.user_id)",
        f"(SELECT course_key FROM {t['exam']} WHERE id = NEW.exam_id)",
    )


def _renamed(t: dict[str, str]) -> str:
    """The statements bringing a renamed user's (``NEW``) certificates, memberships and attempts up to date."""
    return (
        f"UPDATE {t['certificate']} SET username = NEW.{t['name']} WHERE user_id = NEW.id;"
        f" UPDATE {t['member']} SET username = NEW.{t['name']} WHERE user_id = NEW.id;"
        f" UPDATE {t['attempt']} SET username_lower = LOWER(NEW.{t['name']}) WHERE user_id = NEW.id;"
    )


def _moved(t: dict[str, str]) -> str:
    return f"UPDATE {t['attempt']} SET course_key = NEW.course_key WHERE exam_id = NEW.id;"


#: The tables given the username of their ``user_id`` (by their key in ``_tables``), each with its trigger names' stem.
_USERNAME_COPIES = {"certificate": "ipb_certificate_username", "member": "ipb_member_username"}


def _sqlite(t: dict[str, str]) -> list[str]:
    username, lowered, course = _look_ups(t)
    statements = []
    for table, stem in _USERNAME_COPIES.items():
        stale = f"NEW.username IS NOT {username}"
        copy = f"UPDATE {t[table]} SET username = {username} WHERE id = NEW.id;"
        statements += [
            f"CREATE TRIGGER {stem}_insert AFTER INSERT ON {t[table]} WHEN {stale} BEGIN {copy} END",
            f"CREATE TRIGGER {stem}_update AFTER UPDATE OF user_id, username ON {t[table]}"
            f" WHEN {stale} BEGIN {copy} END",
        ]
    attempt_stale = f"NEW.username_lower IS NOT {lowered} OR NEW.course_key IS NOT {course}"
    copy_attempt = f"UPDATE {t['attempt']} SET username_lower = {lowered}, course_key = {course} WHERE id = NEW.id;"
    return [
        *statements,
        f"CREATE TRIGGER ipb_exam_attempt_order_insert AFTER INSERT ON {t['attempt']}"
        f" WHEN {attempt_stale} BEGIN {copy_attempt} END",
        f"CREATE TRIGGER ipb_exam_attempt_order_update"
        f" AFTER UPDATE OF user_id, exam_id, username_lower, course_key ON {t['attempt']}"
        f" WHEN {attempt_stale} BEGIN {copy_attempt} END",
        f"CREATE TRIGGER ipb_user_list_orders_update AFTER UPDATE OF {t['name']} ON {t['users']}"
        f" WHEN NEW.{t['name']} IS NOT OLD.{t['name']} BEGIN {_renamed(t)} END",
        f"CREATE TRIGGER ipb_exam_course_update AFTER UPDATE OF course_key ON {t['exam']}"
        f" WHEN NEW.course_key IS NOT OLD.course_key BEGIN {_moved(t)} END",
    ]


def _postgresql(t: dict[str, str]) -> list[str]:
    username, lowered, course = _look_ups(t)
    statements = [
        "CREATE FUNCTION ipb_username_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" NEW.username := {username}; RETURN NEW; END $$",
    ]
    for table, stem in _USERNAME_COPIES.items():
        statements.append(
            f"CREATE TRIGGER {stem} BEFORE INSERT OR UPDATE OF user_id, username ON {t[table]}"
            " FOR EACH ROW EXECUTE FUNCTION ipb_username_copy()"
        )
    return [
        *statements,
        "CREATE FUNCTION ipb_exam_attempt_order() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" NEW.username_lower := {lowered}; NEW.course_key := {course}; RETURN NEW; END $$",
        "CREATE TRIGGER ipb_exam_attempt_order"
        f" BEFORE INSERT OR UPDATE OF user_id, exam_id, username_lower, course_key ON {t['attempt']}"
        " FOR EACH ROW EXECUTE FUNCTION ipb_exam_attempt_order()",
        "CREATE FUNCTION ipb_user_list_orders() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" {_renamed(t)} RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_user_list_orders AFTER UPDATE OF {t['name']} ON {t['users']}"
        f" FOR EACH ROW WHEN (OLD.{t['name']} IS DISTINCT FROM NEW.{t['name']})"
        " EXECUTE FUNCTION ipb_user_list_orders()",
        "CREATE FUNCTION ipb_exam_course() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" {_moved(t)} RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_exam_course AFTER UPDATE OF course_key ON {t['exam']}"
        " FOR EACH ROW WHEN (OLD.course_key IS DISTINCT FROM NEW.course_key) EXECUTE FUNCTION ipb_exam_course()",
    ]


def _postgresql_reverse(t: dict[str, str]) -> list[str]:
    return [
        *(f"DROP TRIGGER {stem} ON {t[table]}" for table, stem in _USERNAME_COPIES.items()),
        "DROP FUNCTION ipb_username_copy()",
        f"DROP TRIGGER ipb_exam_attempt_order ON {t['attempt']}",
        "DROP FUNCTION ipb_exam_attempt_order()",
        f"DROP TRIGGER ipb_user_list_orders ON {t['users']}",
        "DROP FUNCTION ipb_user_list_orders()",
        f"DROP TRIGGER ipb_exam_course ON {t['exam']}",
        "DROP FUNCTION ipb_exam_course()",
    ]


def _mysql(t: dict[str, str]) -> list[str]:
    username, lowered, course = _look_ups(t)
    copy_username = f"SET NEW.username = {username};"
    statements = []
    for table, stem in _USERNAME_COPIES.items():
        statements += [
            f"CREATE TRIGGER {stem}_insert BEFORE INSERT ON {t[table]} FOR EACH ROW BEGIN {copy_username} END",
            f"CREATE TRIGGER {stem}_update BEFORE UPDATE ON {t[table]} FOR EACH ROW BEGIN IF NEW.user_id <>"
            f" OLD.user_id OR NOT NEW.username <=> OLD.username THEN {copy_username} END IF; END",
        ]
    copy_attempt = f"SET NEW.username_lower = {lowered}, NEW.course_key = {course};"
    attempt_changed = (
        "NEW.user_id <> OLD.user_id OR NEW.exam_id <> OLD.exam_id"
        " OR NOT NEW.username_lower <=> OLD.username_lower OR NOT NEW.course_key <=> OLD.course_key"
    )
    return [
        *statements,
        f"CREATE TRIGGER ipb_exam_attempt_order_insert BEFORE INSERT ON {t['attempt']}"
        f" FOR EACH ROW BEGIN {copy_attempt} END",
        f"CREATE TRIGGER ipb_exam_attempt_order_update BEFORE UPDATE ON {t['attempt']} FOR EACH ROW BEGIN"
        f" IF {attempt_changed} THEN {copy_attempt} END IF; END",
        f"CREATE TRIGGER ipb_user_list_orders_update AFTER UPDATE ON {t['users']} FOR EACH ROW BEGIN"
        f" IF NEW.{t['name']} <> OLD.{t['name']} THEN {_renamed(t)} END IF; END",
        f"CREATE TRIGGER ipb_exam_course_update AFTER UPDATE ON {t['exam']} FOR EACH ROW BEGIN"
        f" IF NOT NEW.course_key <=> OLD.course_key THEN {_moved(t)} END IF; END",
    ]


def _drop_triggers(t: dict[str, str]) -> list[str]:
    return [
        *(f"DROP TRIGGER {stem}_{event}" for stem in _USERNAME_COPIES.values() for event in ("insert", "update")),
        "DROP TRIGGER ipb_exam_attempt_order_insert",
        "DROP TRIGGER ipb_exam_attempt_order_update",
        "DROP TRIGGER ipb_user_list_orders_update",
        "DROP TRIGGER ipb_exam_course_update",
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
            for statement in make(_tables(apps)):
                cursor.execute(statement)

    return run


def _backfill(apps, schema_editor):
    t = _tables(apps)
    attempt = t["attempt"]
    with schema_editor.connection.cursor() as cursor:
        for table in (t[name] for name in _USERNAME_COPIES):
            cursor.execute(
                f"UPDATE {table} SET username ="
                f" (SELECT {t['name']} FROM {t['users']} WHERE {t['users']}.id = {table}.user_id)"
            )
        cursor.execute(
            f"UPDATE {attempt} SET"
            f" username_lower = (SELECT LOWER({t['name']}) FROM {t['users']} WHERE {t['users']}.id = {attempt}.user_id),"
            f" course_key = (SELECT course_key FROM {t['exam']} WHERE {t['exam']}.id = {attempt}.exam_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("instructor_plugin_builtin", "0018_user_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="generatedcertificate",
            name="username",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="examattempt",
            name="course_key",
            field=CourseKeyField(editable=False, max_length=255, null=True),
        ),
        migrations.AddField(
            model_name="examattempt",
            name="username_lower",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="cohortmembership",
            name="username",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
        migrations.AddIndex(
            model_name="generatedcertificate",
            index=models.Index(fields=["course_key", "username"], name="ipb_certificate_username"),
        ),
        migrations.AddIndex(
            model_name="courseenrollment",
            index=models.Index(fields=["created", "id"], name="ipb_enrollment_newest"),
        ),
        migrations.AddIndex(
            model_name="courseenrollment",
            index=models.Index(fields=["course_key", "created", "id"], name="ipb_enrollment_course_newest"),
        ),
        migrations.AddIndex(
            model_name="cohortmembership",
            index=models.Index(fields=["course_key", "cohort", "username"], name="ipb_cohort_member_username"),
        ),
        migrations.AddIndex(
            model_name="examattempt",
            index=models.Index(fields=["course_key", "username_lower", "id"], name="ipb_exam_attempt_course_order"),
        ),
    ]
