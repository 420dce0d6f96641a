"""
Each cohort's members counted as memberships and enrollments change, by triggers on every database.

``members`` counts a cohort's memberships, ``enrolled`` those whose learner is actively enrolled in the
membership's course. A membership written moves both counts of its cohort (``enrolled`` if the learner's
enrollment is active); an enrollment activated, deactivated, moved or deleted moves ``enrolled`` of the
learner's cohort in that course. A membership's insert creates its cohort's row; the other writes only
update rows. PostgreSQL counts once per statement from its transition tables (an update counts only the
rows whose cohort, learner, course or activity changed); SQLite and MySQL/MariaDB count row by row, and
MySQL's insert triggers skip a bulk-loading connection's writes (see ``0020_bulk_load_pauses_triggers``;
the loader recounts the course's cohorts). The counts start from the memberships already there.
"""

import django.db.models.deletion
from django.db import migrations, models

COUNT = "instructor_plugin_builtin_cohortmembercount"
MEMBER = "instructor_plugin_builtin_cohortmembership"
ENROLLMENT = "instructor_plugin_builtin_courseenrollment"
MYSQL_NOT_PAUSED = "@instructor_plugin_bulk_load IS NULL"


def _enrolled(row: str) -> str:
    """1 when the learner of membership ``row`` (``NEW``/``OLD``) is actively enrolled in its course, else 0."""
    return (
        f"EXISTS (SELECT 1 FROM {ENROLLMENT} WHERE course_key = {row}.course_key AND user_id = {row}.user_id"
        " AND is_active)"
    )


def _cohort_of(row: str) -> str:
    """The cohort of the learner of enrollment ``row`` in its course (``NULL`` when they have none)."""
    return f"(SELECT cohort_id FROM {MEMBER} WHERE course_key = {row}.course_key AND user_id = {row}.user_id)"


def _enrolled_moved(sign: str, row: str, only_if: str = "") -> str:
    """SQLite: move ``enrolled`` of the cohort of enrollment ``row``'s learner by one, ``only_if`` the condition."""
    condition = f"{only_if} AND " if only_if else ""
    return f"UPDATE {COUNT} SET enrolled = enrolled {sign} 1 WHERE {condition}cohort_id = {_cohort_of(row)};"


_MEMBER_MOVED = ("cohort_id", "user_id", "course_key")
_ENROLLMENT_MOVED = ("is_active", "course_key", "user_id")


def _sqlite() -> list[str]:
    member_in = (
        f"INSERT OR IGNORE INTO {COUNT} (cohort_id, members, enrolled) VALUES (NEW.cohort_id, 0, 0);"
        f" UPDATE {COUNT} SET members = members + 1, enrolled = enrolled + {_enrolled('NEW')}"
        " WHERE cohort_id = NEW.cohort_id;"
    )
    member_out = (
        f"UPDATE {COUNT} SET members = members - 1, enrolled = enrolled - {_enrolled('OLD')}"
        " WHERE cohort_id = OLD.cohort_id;"
    )
    member_moved = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in _MEMBER_MOVED)
    enrollment_moved = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in _ENROLLMENT_MOVED)
    return [
        f"CREATE TRIGGER ipb_cohort_count_member_insert AFTER INSERT ON {MEMBER} BEGIN {member_in} END",
        f"CREATE TRIGGER ipb_cohort_count_member_update AFTER UPDATE OF {', '.join(_MEMBER_MOVED)} ON {MEMBER}"
        f" WHEN {member_moved} BEGIN {member_out} {member_in} END",
        f"CREATE TRIGGER ipb_cohort_count_member_delete AFTER DELETE ON {MEMBER} BEGIN {member_out} END",
        f"CREATE TRIGGER ipb_cohort_count_enrollment_insert AFTER INSERT ON {ENROLLMENT} WHEN NEW.is_active"
        f" BEGIN {_enrolled_moved('+', 'NEW')} END",
        f"CREATE TRIGGER ipb_cohort_count_enrollment_update AFTER UPDATE OF {', '.join(_ENROLLMENT_MOVED)}"
        f" ON {ENROLLMENT} WHEN {enrollment_moved}"
        f" BEGIN {_enrolled_moved('-', 'OLD', 'OLD.is_active')} {_enrolled_moved('+', 'NEW', 'NEW.is_active')} END",
        f"CREATE TRIGGER ipb_cohort_count_enrollment_delete AFTER DELETE ON {ENROLLMENT} WHEN OLD.is_active"
        f" BEGIN {_enrolled_moved('-', 'OLD')} END",
    ]


def _mysql_member(sign: str, row: str) -> str:
    """
    MySQL: move both counts of membership ``row``'s cohort by one (an insert creates the row). The learner's
    enrollment is read into a variable first: a subquery inside the write costs several times more per row.
    """
    if sign == "+":
        write = (
            f"INSERT INTO {COUNT} (cohort_id, members, enrolled) VALUES ({row}.cohort_id, 1, learner_enrolled)"
            " ON DUPLICATE KEY UPDATE members = members + 1, enrolled = enrolled + VALUES(enrolled);"
        )
    else:
        write = (
            f"UPDATE {COUNT} SET members = members - 1, enrolled = enrolled - learner_enrolled"
            f" WHERE cohort_id = {row}.cohort_id;"
        )
    return f"SET learner_enrolled = {_enrolled(row)}; {write}"


def _mysql_enrolled(sign: str, row: str) -> str:
    """MySQL: move ``enrolled`` of the cohort of enrollment ``row``'s learner by one, if they have a cohort."""
    return (
        f"SET cohort = {_cohort_of(row)};"
        f" IF cohort IS NOT NULL THEN UPDATE {COUNT} SET enrolled = enrolled {sign} 1 WHERE cohort_id = cohort; END IF;"
    )


def _mysql() -> list[str]:
    member_moved = " OR ".join(f"NOT NEW.{column} <=> OLD.{column}" for column in _MEMBER_MOVED)
    enrollment_moved = " OR ".join(f"NOT NEW.{column} <=> OLD.{column}" for column in _ENROLLMENT_MOVED)
    member, enrollment = "DECLARE learner_enrolled INT;", "DECLARE cohort BIGINT;"
    bodies = {
        "member_insert": (MEMBER, "INSERT", member, f"IF {MYSQL_NOT_PAUSED} THEN {_mysql_member('+', 'NEW')} END IF;"),
        "member_update": (
            MEMBER,
            "UPDATE",
            member,
            f"IF {member_moved} THEN {_mysql_member('-', 'OLD')} {_mysql_member('+', 'NEW')} END IF;",
        ),
        "member_delete": (MEMBER, "DELETE", member, _mysql_member("-", "OLD")),
        "enrollment_insert": (
            ENROLLMENT,
            "INSERT",
            enrollment,
            f"IF NEW.is_active AND {MYSQL_NOT_PAUSED} THEN {_mysql_enrolled('+', 'NEW')} END IF;",
        ),
        "enrollment_update": (
            ENROLLMENT,
            "UPDATE",
            enrollment,
            f"IF {enrollment_moved} THEN IF OLD.is_active THEN {_mysql_enrolled('-', 'OLD')} END IF;"
            f" IF NEW.is_active THEN {_mysql_enrolled('+', 'NEW')} END IF; END IF;",
        ),
        "enrollment_delete": (
            ENROLLMENT,
            "DELETE",
            enrollment,
            f"IF OLD.is_active THEN {_mysql_enrolled('-', 'OLD')} END IF;",
        ),
    }
    return [
        f"CREATE TRIGGER ipb_cohort_count_{name} AFTER {event} ON {table} FOR EACH ROW BEGIN {declare} {body} END"
        for name, (table, event, declare, body) in bodies.items()
    ]


def _drop_row_triggers() -> list[str]:
    return [
        f"DROP TRIGGER ipb_cohort_count_{table}_{event}"
        for table in ("member", "enrollment")
        for event in ("insert", "update", "delete")
    ]


#: PostgreSQL: the rows of an update whose columns ``moved`` changed, as they were (``removed``) or are (``added``).
def _pg_moved(side: str, moved: tuple[str, ...]) -> str:
    other = "added" if side == "removed" else "removed"
    changed = " OR ".join(f"s.{column} IS DISTINCT FROM o.{column}" for column in moved)
    return f"(SELECT s.* FROM {side} s JOIN {other} o ON o.id = s.id WHERE {changed})"


def _pg_members_in(rows: str) -> str:
    return f"""
        INSERT INTO {COUNT} (cohort_id, members, enrolled)
        SELECT m.cohort_id, count(*), count(e.id) FROM {rows} m
        LEFT JOIN {ENROLLMENT} e ON e.course_key = m.course_key AND e.user_id = m.user_id AND e.is_active
        GROUP BY m.cohort_id
        ON CONFLICT (cohort_id) DO UPDATE
        SET members = {COUNT}.members + EXCLUDED.members, enrolled = {COUNT}.enrolled + EXCLUDED.enrolled;"""


def _pg_members_out(rows: str) -> str:
    return f"""
        UPDATE {COUNT} SET members = {COUNT}.members - gone.members, enrolled = {COUNT}.enrolled - gone.enrolled
        FROM (SELECT m.cohort_id, count(*) AS members, count(e.id) AS enrolled FROM {rows} m
            LEFT JOIN {ENROLLMENT} e ON e.course_key = m.course_key AND e.user_id = m.user_id AND e.is_active
            GROUP BY m.cohort_id) AS gone
        WHERE {COUNT}.cohort_id = gone.cohort_id;"""


def _pg_enrolled(sign: str, rows: str) -> str:
    return f"""
        UPDATE {COUNT} SET enrolled = {COUNT}.enrolled {sign} moved.n
        FROM (SELECT m.cohort_id, count(*) AS n FROM {rows} e
            JOIN {MEMBER} m ON m.course_key = e.course_key AND m.user_id = e.user_id
            WHERE e.is_active GROUP BY m.cohort_id) AS moved
        WHERE {COUNT}.cohort_id = moved.cohort_id;"""


#: PostgreSQL's trigger functions by name: what each runs.
_PG_FUNCTIONS = {
    "ipb_cohort_count_members_added": _pg_members_in("added"),
    "ipb_cohort_count_members_removed": _pg_members_out("removed"),
    "ipb_cohort_count_members_changed": _pg_members_out(_pg_moved("removed", _MEMBER_MOVED))
    + _pg_members_in(_pg_moved("added", _MEMBER_MOVED)),
    "ipb_cohort_count_enrollments_added": _pg_enrolled("+", "added"),
    "ipb_cohort_count_enrollments_removed": _pg_enrolled("-", "removed"),
    "ipb_cohort_count_enrollments_changed": _pg_enrolled("-", _pg_moved("removed", _ENROLLMENT_MOVED))
    + _pg_enrolled("+", _pg_moved("added", _ENROLLMENT_MOVED)),
}
#: PostgreSQL's triggers: (table, event, transition tables, function stem).
_PG_TRIGGERS = {
    "ipb_cohort_count_member_insert": (MEMBER, "INSERT", "NEW TABLE AS added", "members_added"),
    "ipb_cohort_count_member_update": (MEMBER, "UPDATE", "OLD TABLE AS removed NEW TABLE AS added", "members_changed"),
    "ipb_cohort_count_member_delete": (MEMBER, "DELETE", "OLD TABLE AS removed", "members_removed"),
    "ipb_cohort_count_enrollment_insert": (ENROLLMENT, "INSERT", "NEW TABLE AS added", "enrollments_added"),
    "ipb_cohort_count_enrollment_update": (
        ENROLLMENT,
        "UPDATE",
        "OLD TABLE AS removed NEW TABLE AS added",
        "enrollments_changed",
    ),
    "ipb_cohort_count_enrollment_delete": (ENROLLMENT, "DELETE", "OLD TABLE AS removed", "enrollments_removed"),
}


def _postgresql() -> list[str]:
    functions = [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        for name, body in _PG_FUNCTIONS.items()
    ]
    triggers = [
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION ipb_cohort_count_{stem}()"
        for name, (table, event, transitions, stem) in _PG_TRIGGERS.items()
    ]
    return functions + triggers


def _postgresql_reverse() -> list[str]:
    return [f"DROP TRIGGER {name} ON {table}" for name, (table, *_rest) in _PG_TRIGGERS.items()] + [
        f"DROP FUNCTION {name}()" for name in _PG_FUNCTIONS
    ]


BACKFILL = f"""INSERT INTO {COUNT} (cohort_id, members, enrolled)
    SELECT m.cohort_id, COUNT(*), COUNT(e.id) FROM {MEMBER} m
    LEFT JOIN {ENROLLMENT} e ON e.course_key = m.course_key AND e.user_id = m.user_id AND e.is_active
    GROUP BY m.cohort_id"""

FORWARD = {"sqlite": _sqlite, "postgresql": _postgresql, "mysql": _mysql}
REVERSE = {"sqlite": _drop_row_triggers, "postgresql": _postgresql_reverse, "mysql": _drop_row_triggers}


def _run(statements):
    def run(apps, schema_editor):
        make = statements.get(schema_editor.connection.vendor)
        if make is None:
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in make():
                cursor.execute(statement)

    return run


def _backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("instructor_plugin_builtin", "0022_exam_attempt_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="CohortMemberCount",
            fields=[
                (
                    "cohort",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="member_count",
                        serialize=False,
                        to="instructor_plugin_builtin.cohort",
                    ),
                ),
                ("members", models.IntegerField(default=0)),
                ("enrolled", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
    ]
