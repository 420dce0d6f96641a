"""
Bulk loads (the demo seed) pause the per-row triggers of users, profiles and enrollments, then rebuild once.

The search-text, enrollment-username and enrollment-count triggers of ``0010``, ``0011`` and ``0018``
skip the writes of a connection that declared a bulk load (PostgreSQL: the transaction-local setting
``instructor_plugin.bulk_load`` set to ``on``; MySQL/MariaDB: the session variable
``@instructor_plugin_bulk_load`` set); every other connection's writes fire them as before. The
loader then rewrites the derived rows in set form with what the triggers themselves run: on MySQL the
search-text refresh moves into the procedure ``ipb_refresh_user_search(first_id, last_id)``, which
the triggers call for one user and the loader for a range. SQLite keeps its triggers as they are.
"""

from django.conf import settings
from django.db import migrations

ENROLLMENT = "instructor_plugin_builtin_courseenrollment"
COUNT = "instructor_plugin_builtin_enrollmentcount"
SEARCH = "instructor_plugin_builtin_usersearchtext"
PROFILE = "instructor_plugin_builtin_userprofile"
_USER_COLUMNS = ("username", "email", "first_name", "last_name")
PG_NOT_PAUSED = "current_setting('instructor_plugin.bulk_load', true) IS DISTINCT FROM 'on'"
MYSQL_NOT_PAUSED = "@instructor_plugin_bulk_load IS NULL"


def _columns(apps) -> tuple[str, dict[str, str]]:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return user._meta.db_table, {name: user._meta.get_field(name).column for name in ("id", *_USER_COLUMNS)}


def _postgresql_triggers(users: str, column: dict[str, str], when: str) -> list[str]:
    """The paused triggers of PostgreSQL, each fired only ``when``; their functions stay as they are."""
    condition = f" WHEN ({when})" if when else ""
    return [
        f"DROP TRIGGER ipb_search_user_insert ON {users}",
        f"CREATE TRIGGER ipb_search_user_insert AFTER INSERT ON {users} REFERENCING NEW TABLE AS inserted"
        f" FOR EACH STATEMENT{condition} EXECUTE FUNCTION ipb_search_inserted_users()",
        f"DROP TRIGGER ipb_search_profile_insert ON {PROFILE}",
        f"CREATE TRIGGER ipb_search_profile_insert AFTER INSERT ON {PROFILE} REFERENCING NEW TABLE AS inserted"
        f" FOR EACH STATEMENT{condition} EXECUTE FUNCTION ipb_search_inserted_profiles()",
        f"DROP TRIGGER ipb_search_profile_change ON {PROFILE}",
        f"CREATE TRIGGER ipb_search_profile_change AFTER UPDATE OF name, user_id OR DELETE ON {PROFILE}"
        f" FOR EACH ROW{condition} EXECUTE FUNCTION ipb_search_changed_profile()",
        f"DROP TRIGGER ipb_enrollment_username ON {ENROLLMENT}",
        f"CREATE TRIGGER ipb_enrollment_username BEFORE INSERT OR UPDATE OF user_id, username ON {ENROLLMENT}"
        f" FOR EACH ROW{condition} EXECUTE FUNCTION ipb_enrollment_username()",
    ]


def _postgresql(users: str, column: dict[str, str]) -> list[str]:
    return _postgresql_triggers(users, column, PG_NOT_PAUSED)


def _postgresql_reverse(users: str, column: dict[str, str]) -> list[str]:
    return _postgresql_triggers(users, column, "")


def _mysql_refresh(users: str, column: dict[str, str]) -> str:
    """``0018``'s search-text refresh for the users ``first_id`` ... ``last_id``."""
    parts = [f"u.{column[name]}" for name in _USER_COLUMNS] + ["COALESCE(p.name, '')"]
    account, all_fields = (f"CONCAT_WS('\\n', {', '.join(selected)})" for selected in (parts[:2], parts))
    return (
        f"INSERT INTO {SEARCH} (user_id, account, all_fields) SELECT u.{column['id']}, {account}, {all_fields}"
        f" FROM {users} u LEFT JOIN {PROFILE} p ON p.user_id = u.{column['id']}"
        f" WHERE u.{column['id']} BETWEEN first_id AND last_id"
        " ON DUPLICATE KEY UPDATE account = VALUES(account), all_fields = VALUES(all_fields)"
    )


#: The search-text triggers of MySQL: name -> (event, table, the user whose text to refresh).
_MYSQL_SEARCH = {
    "ipb_search_user_insert": ("AFTER INSERT", None, "NEW.{id}"),
    "ipb_search_profile_insert": ("AFTER INSERT", PROFILE, "NEW.user_id"),
    "ipb_search_profile_delete": ("AFTER DELETE", PROFILE, "OLD.user_id"),
}


def _mysql_triggers(users: str, column: dict[str, str], paused: bool) -> list[str]:
    """The paused triggers of MySQL; unpaused, the search triggers inline the refresh as ``0018`` wrote them."""
    bodies = {}
    for name, (event, table, user_template) in _MYSQL_SEARCH.items():
        user = user_template.format(id=column["id"])
        if paused:
            refresh = f"CALL ipb_refresh_user_search({user}, {user});"
        else:
            refresh = _mysql_refresh(users, column).replace("BETWEEN first_id AND last_id", f"= {user}") + ";"
        bodies[name] = (event, table or users, refresh)
    bodies["ipb_enrollment_username_insert"] = (
        "BEFORE INSERT",
        ENROLLMENT,
        f"SET NEW.username = (SELECT {column['username']} FROM {users} WHERE {column['id']} = NEW.user_id);",
    )
    bodies["ipb_count_enrollment_insert"] = (
        "AFTER INSERT",
        ENROLLMENT,
        f"IF NEW.is_active THEN INSERT INTO {COUNT} (course_key, mode, active) VALUES (NEW.course_key, NEW.mode, 1)"
        " ON DUPLICATE KEY UPDATE active = active + 1; END IF;",
    )
    statements = []
    for name, (event, table, action) in bodies.items():
        body = f"IF {MYSQL_NOT_PAUSED} THEN {action} END IF;" if paused else action
        statements += [
            f"DROP TRIGGER {name}",
            f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW BEGIN {body} END",
        ]
    return statements


def _mysql(users: str, column: dict[str, str]) -> list[str]:
    return [
        "CREATE PROCEDURE ipb_refresh_user_search(first_id BIGINT, last_id BIGINT) MODIFIES SQL DATA"
        f" BEGIN {_mysql_refresh(users, column)}; END",
        *_mysql_triggers(users, column, paused=True),
    ]


def _mysql_reverse(users: str, column: dict[str, str]) -> list[str]:
    return [*_mysql_triggers(users, column, paused=False), "DROP PROCEDURE ipb_refresh_user_search"]


FORWARD = {"postgresql": _postgresql, "mysql": _mysql}
REVERSE = {"postgresql": _postgresql_reverse, "mysql": _mysql_reverse}


def _run(statements):
    def run(apps, schema_editor):
        make = statements.get(schema_editor.connection.vendor)
        if make is None:
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in make(*_columns(apps)):
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("instructor_plugin_builtin", "0019_list_sort_columns"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
