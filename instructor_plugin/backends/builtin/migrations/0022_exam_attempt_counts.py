"""
Attempts counted per special exam as they change, by triggers on every database.

The attempts list's total is then the sum of a course's few exam counts (one exam's count with the
exam filter) instead of a count of every attempt of the course. As in ``0010``, PostgreSQL counts once
per statement from its transition tables, SQLite and MySQL/MariaDB row by row; on MySQL the triggers
skip the writes of a connection inside a bulk load (see ``0020``), which rebuilds the counts of its
course afterwards. The counts start from the attempts already there.

Also, on SQLite: ``ipb_search_trigrams``, an FTS5 table of trigrams over each user's search text
(``UserSearchText.all_fields``, migration ``0018``), kept by triggers on that table, so that a search of
three characters or more reads the few users holding the term's trigrams instead of every user's text
(PostgreSQL has its ``pg_trgm`` indexes for that). Where SQLite was built without FTS5 it is left out.
"""

from django.db import OperationalError, migrations, models, transaction

ATTEMPT = "instructor_plugin_builtin_examattempt"
COUNT = "instructor_plugin_builtin_examattemptcount"
MYSQL_NOT_PAUSED = "@instructor_plugin_bulk_load IS NULL"
_EVENTS = ("insert", "update", "delete")


def _sqlite_add(exam: str) -> str:
    return (
        f"INSERT OR IGNORE INTO {COUNT} (exam_id, attempts) VALUES ({exam}, 0);"
        f" UPDATE {COUNT} SET attempts = attempts + 1 WHERE exam_id = {exam};"
    )


def _sqlite_remove(exam: str) -> str:
    return f"UPDATE {COUNT} SET attempts = attempts - 1 WHERE exam_id = {exam};"


SQLITE = [
    f"CREATE TRIGGER ipb_count_attempt_insert AFTER INSERT ON {ATTEMPT} BEGIN {_sqlite_add('NEW.exam_id')} END",
    f"CREATE TRIGGER ipb_count_attempt_update AFTER UPDATE OF exam_id ON {ATTEMPT}"
    f" WHEN NEW.exam_id IS NOT OLD.exam_id BEGIN {_sqlite_remove('OLD.exam_id')} {_sqlite_add('NEW.exam_id')} END",
    f"CREATE TRIGGER ipb_count_attempt_delete AFTER DELETE ON {ATTEMPT} BEGIN {_sqlite_remove('OLD.exam_id')} END",
]
SQLITE_REVERSE = [f"DROP TRIGGER ipb_count_attempt_{event}" for event in _EVENTS]

_PG_ADD = f"""
        INSERT INTO {COUNT} (exam_id, attempts) SELECT exam_id, count(*) FROM added GROUP BY exam_id
        ON CONFLICT (exam_id) DO UPDATE SET attempts = {COUNT}.attempts + EXCLUDED.attempts;"""
_PG_REMOVE = f"""
        UPDATE {COUNT} SET attempts = {COUNT}.attempts - gone.n
        FROM (SELECT exam_id, count(*) AS n FROM removed GROUP BY exam_id) AS gone WHERE {COUNT}.exam_id = gone.exam_id;"""
# An update statement moves the counts of the rows whose exam changed, by one signed sum per exam.
_PG_MOVE = f"""
        INSERT INTO {COUNT} (exam_id, attempts)
        SELECT exam_id, sum(delta) FROM (
            SELECT was.exam_id, -1 AS delta FROM removed was JOIN added became ON became.id = was.id
            WHERE became.exam_id <> was.exam_id
            UNION ALL
            SELECT became.exam_id, 1 FROM removed was JOIN added became ON became.id = was.id WHERE became.exam_id <> was.exam_id
        ) AS moved GROUP BY exam_id
        ON CONFLICT (exam_id) DO UPDATE SET attempts = {COUNT}.attempts + EXCLUDED.attempts;"""
POSTGRESQL = [
    f"CREATE FUNCTION ipb_count_attempts_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_ADD}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_attempts_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_REMOVE}"
    " RETURN NULL; END $$",
    f"CREATE FUNCTION ipb_count_attempts_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {_PG_MOVE}"
    " RETURN NULL; END $$",
    f"CREATE TRIGGER ipb_count_attempt_insert AFTER INSERT ON {ATTEMPT} REFERENCING NEW TABLE AS added"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_attempts_added()",
    f"CREATE TRIGGER ipb_count_attempt_update AFTER UPDATE ON {ATTEMPT} REFERENCING OLD TABLE AS removed"
    " NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_attempts_moved()",
    f"CREATE TRIGGER ipb_count_attempt_delete AFTER DELETE ON {ATTEMPT} REFERENCING OLD TABLE AS removed"
    " FOR EACH STATEMENT EXECUTE FUNCTION ipb_count_attempts_removed()",
]
POSTGRESQL_REVERSE = [f"DROP TRIGGER ipb_count_attempt_{event} ON {ATTEMPT}" for event in _EVENTS] + [
    f"DROP FUNCTION ipb_count_attempts_{kind}()" for kind in ("added", "removed", "moved")
]

_MYSQL_ADD = (
    f"INSERT INTO {COUNT} (exam_id, attempts) VALUES (NEW.exam_id, 1) ON DUPLICATE KEY UPDATE attempts = attempts + 1;"
)
_MYSQL_REMOVE = f"UPDATE {COUNT} SET attempts = attempts - 1 WHERE exam_id = OLD.exam_id;"
MYSQL = [
    f"CREATE TRIGGER ipb_count_attempt_insert AFTER INSERT ON {ATTEMPT} FOR EACH ROW"
    f" BEGIN IF {MYSQL_NOT_PAUSED} THEN {_MYSQL_ADD} END IF; END",
    f"CREATE TRIGGER ipb_count_attempt_update AFTER UPDATE ON {ATTEMPT} FOR EACH ROW"
    f" BEGIN IF {MYSQL_NOT_PAUSED} AND NEW.exam_id <> OLD.exam_id THEN {_MYSQL_REMOVE} {_MYSQL_ADD} END IF; END",
    f"CREATE TRIGGER ipb_count_attempt_delete AFTER DELETE ON {ATTEMPT} FOR EACH ROW"
    f" BEGIN IF {MYSQL_NOT_PAUSED} THEN {_MYSQL_REMOVE} END IF; END",
]
MYSQL_REVERSE = [f"DROP TRIGGER ipb_count_attempt_{event}" for event in _EVENTS]

BACKFILL = f"INSERT INTO {COUNT} (exam_id, attempts) SELECT exam_id, COUNT(*) FROM {ATTEMPT} GROUP BY exam_id"

SEARCH = "instructor_plugin_builtin_usersearchtext"
TRIGRAMS = "ipb_search_trigrams"
_TRIGRAMS_WRITE = f"INSERT OR REPLACE INTO {TRIGRAMS} (rowid, all_fields) VALUES (NEW.user_id, NEW.all_fields);"
_TRIGRAMS_DELETE = f"DELETE FROM {TRIGRAMS} WHERE rowid = OLD.user_id;"
SQLITE_TRIGRAMS = [
    f"INSERT INTO {TRIGRAMS} (rowid, all_fields) SELECT user_id, all_fields FROM {SEARCH}",
    f"CREATE TRIGGER ipb_search_trigrams_insert AFTER INSERT ON {SEARCH} BEGIN {_TRIGRAMS_WRITE} END",
    f"CREATE TRIGGER ipb_search_trigrams_update AFTER UPDATE ON {SEARCH} BEGIN {_TRIGRAMS_DELETE} {_TRIGRAMS_WRITE} END",
    f"CREATE TRIGGER ipb_search_trigrams_delete AFTER DELETE ON {SEARCH} BEGIN {_TRIGRAMS_DELETE} END",
]
SQLITE_TRIGRAMS_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS ipb_search_trigrams_{event}" for event in _EVENTS),
    f"DROP TABLE IF EXISTS {TRIGRAMS}",
]

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL, "mysql": MYSQL}
REVERSE = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE, "mysql": MYSQL_REVERSE}


def _run(statements):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for statement in statements.get(schema_editor.connection.vendor, ()):
                cursor.execute(statement)

    return run


def _sqlite_trigrams(apps, schema_editor):
    """Create the trigram table, fill it and keep it; without FTS5 in this SQLite, skip it."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"CREATE VIRTUAL TABLE {TRIGRAMS} USING fts5(all_fields, tokenize='trigram')")
        except OperationalError:
            return
        for statement in SQLITE_TRIGRAMS:
            cursor.execute(statement)


def _drop_sqlite_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in SQLITE_TRIGRAMS_REVERSE:
            cursor.execute(statement)


def _backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("instructor_plugin_builtin", "0021_certificate_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExamAttemptCount",
            fields=[
                (
                    "exam",
                    models.OneToOneField(
                        editable=False,
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="attempt_count",
                        serialize=False,
                        to="instructor_plugin_builtin.specialexam",
                    ),
                ),
                ("attempts", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(STATEMENTS), _run(REVERSE)),
        migrations.RunPython(_sqlite_trigrams, _drop_sqlite_trigrams),
    ]
