"""
Each user's searchable text in one row, kept by triggers; trigram indexes over it on PostgreSQL.

The lists' ``search`` is a case-insensitive substring match over a user's username, email, first,
last and profile names. ``UserSearchText`` holds those joined by newlines (``all_fields``; the
username and email alone in ``account``), rewritten by triggers whenever a user or a profile is
inserted, updated or deleted, whatever writes it. On PostgreSQL, GIN trigram indexes over
``UPPER(column)`` (the expression Django's ``icontains`` compares) let a search read only the rows
that can match; where the ``pg_trgm`` extension cannot be created the indexes are left out and a
search scans the one narrow table instead.

Also: problem states indexed by course, learner and problem (replacing course and learner), the order
the reports' keyset streams read them in, so that no chunk sorts the rest of the course.
"""

from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

SEARCH = "instructor_plugin_builtin_usersearchtext"
PROFILE = "instructor_plugin_builtin_userprofile"
_USER_COLUMNS = ("username", "email", "first_name", "last_name")


def _columns(apps) -> tuple[str, dict[str, str]]:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return user._meta.db_table, {name: user._meta.get_field(name).column for name in ("id", *_USER_COLUMNS)}


def _texts(vendor: str, column: dict[str, str]) -> tuple[str, str]:
    """The SQL of ``account`` and ``all_fields`` over the user ``u`` and the profile ``p``."""
    parts = [f"u.{column[name]}" for name in _USER_COLUMNS] + ["COALESCE(p.name, '')"]
    if vendor == "sqlite":
        newline = " || char(10) || "
        return newline.join(parts[:2]), newline.join(parts)
    separator = "'\\n'" if vendor == "mysql" else "chr(10)"
    return f"CONCAT_WS({separator}, {', '.join(parts[:2])})", f"CONCAT_WS({separator}, {', '.join(parts)})"


def _refresh(vendor: str, users: str, column: dict[str, str], where: str) -> str:
    """One statement rewriting the rows of the users ``where`` selects (over ``u``)."""
    account, all_fields = _texts(vendor, column)
    select = (
        f"SELECT u.{column['id']}, {account}, {all_fields} FROM {users} u"
        f" LEFT JOIN {PROFILE} p ON p.user_id = u.{column['id']} WHERE {where}"
    )
    if vendor == "sqlite":
        return f"INSERT OR REPLACE INTO {SEARCH} (user_id, account, all_fields) {select}"
    if vendor == "postgresql":
        return (
            f"INSERT INTO {SEARCH} (user_id, account, all_fields) {select} ON CONFLICT (user_id)"
            " DO UPDATE SET account = EXCLUDED.account, all_fields = EXCLUDED.all_fields"
        )
    return (
        f"INSERT INTO {SEARCH} (user_id, account, all_fields) {select}"
        " ON DUPLICATE KEY UPDATE account = VALUES(account), all_fields = VALUES(all_fields)"
    )


def _changed(column: dict[str, str]) -> str:
    return " OR ".join(f"NEW.{column[name]} IS NOT OLD.{column[name]}" for name in _USER_COLUMNS)


def _sqlite(users: str, column: dict[str, str]) -> list[str]:
    def refresh(user_id: str) -> str:
        return _refresh("sqlite", users, column, f"u.{column['id']} = {user_id}") + ";"

    watched = ", ".join(column[name] for name in _USER_COLUMNS)
    return [
        f"CREATE TRIGGER ipb_search_user_insert AFTER INSERT ON {users} BEGIN {refresh('NEW.id')} END",
        f"CREATE TRIGGER ipb_search_user_update AFTER UPDATE OF {watched} ON {users} WHEN {_changed(column)}"
        f" BEGIN {refresh('NEW.id')} END",
        f"CREATE TRIGGER ipb_search_profile_insert AFTER INSERT ON {PROFILE} BEGIN {refresh('NEW.user_id')} END",
        f"CREATE TRIGGER ipb_search_profile_update AFTER UPDATE OF name, user_id ON {PROFILE}"
        f" BEGIN {refresh('OLD.user_id')} {refresh('NEW.user_id')} END",
        f"CREATE TRIGGER ipb_search_profile_delete AFTER DELETE ON {PROFILE} BEGIN {refresh('OLD.user_id')} END",
    ]


def _postgresql(users: str, column: dict[str, str]) -> list[str]:
    # Inserts (a seed's or a bulk load's 200,000 rows) refresh once per statement from the transition
    # table; updates and deletes, row by row, only when a searched column changes.
    refresh = _refresh("postgresql", users, column, f"u.{column['id']} = ANY(ids)")
    changed = " OR ".join(f"OLD.{column[name]} IS DISTINCT FROM NEW.{column[name]}" for name in _USER_COLUMNS)
    return [
        "CREATE FUNCTION ipb_refresh_user_search(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$"
        f" BEGIN {refresh}; END $$",
        "CREATE FUNCTION ipb_search_inserted_users() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" PERFORM ipb_refresh_user_search(ARRAY(SELECT {column['id']} FROM inserted)); RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_search_user_insert AFTER INSERT ON {users} REFERENCING NEW TABLE AS inserted"
        " FOR EACH STATEMENT EXECUTE FUNCTION ipb_search_inserted_users()",
        "CREATE FUNCTION ipb_search_updated_user() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" PERFORM ipb_refresh_user_search(ARRAY[NEW.{column['id']}]); RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_search_user_update AFTER UPDATE OF {', '.join(column[n] for n in _USER_COLUMNS)}"
        f" ON {users} FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION ipb_search_updated_user()",
        "CREATE FUNCTION ipb_search_inserted_profiles() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM ipb_refresh_user_search(ARRAY(SELECT user_id FROM inserted)); RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_search_profile_insert AFTER INSERT ON {PROFILE} REFERENCING NEW TABLE AS inserted"
        " FOR EACH STATEMENT EXECUTE FUNCTION ipb_search_inserted_profiles()",
        "CREATE FUNCTION ipb_search_changed_profile() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP = 'UPDATE' THEN PERFORM ipb_refresh_user_search(ARRAY[OLD.user_id, NEW.user_id]);"
        " ELSE PERFORM ipb_refresh_user_search(ARRAY[OLD.user_id]); END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER ipb_search_profile_change AFTER UPDATE OF name, user_id OR DELETE ON {PROFILE}"
        " FOR EACH ROW EXECUTE FUNCTION ipb_search_changed_profile()",
    ]


def _postgresql_reverse(users: str, column: dict[str, str]) -> list[str]:
    return [
        f"DROP TRIGGER ipb_search_user_insert ON {users}",
        f"DROP TRIGGER ipb_search_user_update ON {users}",
        f"DROP TRIGGER ipb_search_profile_insert ON {PROFILE}",
        f"DROP TRIGGER ipb_search_profile_change ON {PROFILE}",
        "DROP FUNCTION ipb_search_inserted_users()",
        "DROP FUNCTION ipb_search_updated_user()",
        "DROP FUNCTION ipb_search_inserted_profiles()",
        "DROP FUNCTION ipb_search_changed_profile()",
        "DROP FUNCTION ipb_refresh_user_search(bigint[])",
    ]


def _mysql(users: str, column: dict[str, str]) -> list[str]:
    def refresh(user_id: str) -> str:
        return _refresh("mysql", users, column, f"u.{column['id']} = {user_id}") + ";"

    changed = " OR ".join(f"NOT NEW.{column[name]} <=> OLD.{column[name]}" for name in _USER_COLUMNS)
    return [
        f"CREATE TRIGGER ipb_search_user_insert AFTER INSERT ON {users} FOR EACH ROW BEGIN {refresh('NEW.id')} END",
        f"CREATE TRIGGER ipb_search_user_update AFTER UPDATE ON {users} FOR EACH ROW BEGIN"
        f" IF {changed} THEN {refresh('NEW.id')} END IF; END",
        f"CREATE TRIGGER ipb_search_profile_insert AFTER INSERT ON {PROFILE} FOR EACH ROW BEGIN"
        f" {refresh('NEW.user_id')} END",
        f"CREATE TRIGGER ipb_search_profile_update AFTER UPDATE ON {PROFILE} FOR EACH ROW BEGIN"
        f" {refresh('OLD.user_id')} {refresh('NEW.user_id')} END",
        f"CREATE TRIGGER ipb_search_profile_delete AFTER DELETE ON {PROFILE} FOR EACH ROW BEGIN"
        f" {refresh('OLD.user_id')} END",
    ]


def _drop_triggers(users: str, column: dict[str, str]) -> list[str]:
    return [
        f"DROP TRIGGER ipb_search_{name}"
        for name in ("user_insert", "user_update", "profile_insert", "profile_update", "profile_delete")
    ]


FORWARD = {"sqlite": _sqlite, "postgresql": _postgresql, "mysql": _mysql}
REVERSE = {"sqlite": _drop_triggers, "postgresql": _postgresql_reverse, "mysql": _drop_triggers}
TRIGRAM_INDEXES = {"ipb_search_account_trgm": "account", "ipb_search_all_fields_trgm": "all_fields"}


def _run(statements):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        make = statements.get(connection.vendor)
        if make is None:
            return
        with connection.cursor() as cursor:
            for statement in make(*_columns(apps)):
                cursor.execute(statement)

    return run


def _backfill(apps, schema_editor):
    connection = schema_editor.connection
    users, column = _columns(apps)
    with connection.cursor() as cursor:
        cursor.execute(_refresh(connection.vendor, users, column, "1 = 1"))


def _trigram_indexes(apps, schema_editor):
    """Create ``pg_trgm`` and the indexes; without the extension (not installed, no privilege), skip them."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        for name, column in TRIGRAM_INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {SEARCH} USING gin (UPPER({column}) gin_trgm_ops)")
        cursor.execute(f"ANALYZE {SEARCH}")


def _drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGRAM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("instructor_plugin_builtin", "0017_block_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="UserSearchText",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="builtin_search_text",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("account", models.TextField()),
                ("all_fields", models.TextField()),
            ],
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
        migrations.RunPython(_trigram_indexes, _drop_trigram_indexes),
        migrations.AddIndex(
            model_name="problemstate",
            index=models.Index(fields=["course_key", "user", "usage_key"], name="ipb_problem_state_keyset"),
        ),
        migrations.RemoveIndex(model_name="problemstate", name="ipb_problem_state_learner"),
    ]
