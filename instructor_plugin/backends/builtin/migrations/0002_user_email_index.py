"""
Index ``auth_user.email`` for case-insensitive lookups, as an LMS does.

Identifiers are resolved by ``email__iexact``; without an index every lookup scans
the user table. Each database needs its own form of the index.
"""

from django.conf import settings
from django.db import migrations

_INDEX = "ipb_auth_user_email_ci"
_CREATE = {
    "sqlite": f"CREATE INDEX IF NOT EXISTS {_INDEX} ON auth_user (email COLLATE NOCASE)",
    "postgresql": f"CREATE INDEX IF NOT EXISTS {_INDEX} ON auth_user (UPPER(email::text))",
    "mysql": f"CREATE INDEX {_INDEX} ON auth_user (email)",
}
_DROP = {
    "sqlite": f"DROP INDEX IF EXISTS {_INDEX}",
    "postgresql": f"DROP INDEX IF EXISTS {_INDEX}",
    "mysql": f"DROP INDEX {_INDEX} ON auth_user",
}


def _run(statements):
    def run(apps, schema_editor):
        if settings.AUTH_USER_MODEL != "auth.User":
            return
        sql = statements.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("instructor_plugin_builtin", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(_run(_CREATE), _run(_DROP), atomic=False)]
