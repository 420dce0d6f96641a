"""
Values the database writes as text for a report, so that they are read with no converter.

:class:`IsoDateTime`: Django turns each datetime it reads into an aware ``datetime`` (on SQLite by parsing text), and a
report then formats it again with ``isoformat()``: at 50,000 learners that is most of a profile
report's time. :class:`IsoDateTime` makes the database write the text ``datetime.isoformat()``
gives for the aware UTC value (``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``), so the column is read as
plain text with no converter.

:class:`UuidText` likewise writes a UUID column as ``str()`` gives it, with no ``uuid.UUID`` built per row.

:class:`JsonMembers`: a report showing a few members of a JSON column would otherwise have Django
decode the whole document of every row; the database hands over just those members instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import CharField, Func, Value


class IsoDateTime(Func):
    """``expression`` (a UTC ``DateTimeField``) as ``datetime.isoformat()`` writes it; ``NULL`` stays ``NULL``."""

    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Stored as ``str()`` of the naive UTC datetime: the date and time apart by a space.
        return self.as_sql(compiler, connection, template="(REPLACE(%(expressions)s, ' ', 'T') || '+00:00')")

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            " || CASE WHEN MOD(DATE_PART('microseconds', %(expressions)s)::bigint, 1000000) = 0 THEN ''"
            " ELSE TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', '.US') END || '+00:00')"
        )
        return self.as_sql(compiler, connection, template=template)

    def as_mysql(self, compiler, connection, **extra_context):
        template = (
            "CONCAT(DATE_FORMAT(%(expressions)s, '%%%%Y-%%%%m-%%%%dT%%%%H:%%%%i:%%%%s'),"
            " IF(MICROSECOND(%(expressions)s) = 0, '', DATE_FORMAT(%(expressions)s, '.%%%%f')), '+00:00')"
        )
        return self.as_sql(compiler, connection, template=template)


class JsonMembers(Func):
    """
    The members ``keys`` of the JSON object in ``expression`` (a column) as the text of a JSON array, each
    member's own JSON text or ``null`` when the object has none; ``NULL`` without an object.

    The database reads each document once.
    """

    output_field = CharField()

    @staticmethod
    def can_pick(key: str) -> bool:
        """Whether every database can name member ``key`` in a JSON path (SQLite's cannot hold ``"``)."""
        return '"' not in key and "\\" not in key

    def __init__(self, expression: str, keys: Sequence[str]):
        if not keys or not all(self.can_pick(key) for key in keys):
            raise ValueError(f"JsonMembers cannot pick the members {keys!r}.")
        paths = [f'$."{key}"' for key in keys]
        super().__init__(expression, *(Value(path) for path in paths))
        self.keys = tuple(keys)

    def _compiled(self, compiler) -> tuple[str, list, list[tuple[str, list]]]:
        column, *paths = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        return column_sql, list(column_params), [compiler.compile(path) for path in paths]

    def as_sqlite(self, compiler, connection, **extra_context):
        column_sql, column_params, paths = self._compiled(compiler)
        path_sql = ", ".join(sql for sql, _ in paths)
        path_params = [param for _, params in paths for param in params]
        # With one path JSON_EXTRACT gives the value itself, with several the array of them.
        if len(paths) == 1:
            return f"JSON_ARRAY({column_sql} -> {path_sql})", (*column_params, *path_params)
        return f"JSON_EXTRACT({column_sql}, {path_sql})", (*column_params, *path_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        members = [compiler.compile(Value(key)) for key in self.keys]
        sql = ", ".join(f"{column_sql} -> {key_sql}" for key_sql, _ in members)
        params = [param for _, key_params in members for param in (*column_params, *key_params)]
        return f"(JSONB_BUILD_ARRAY({sql})::text)", params

    def as_mysql(self, compiler, connection, **extra_context):
        column_sql, column_params, paths = self._compiled(compiler)
        members = ", ',', ".join(f"COALESCE(JSON_EXTRACT({column_sql}, {sql}), 'null')" for sql, _ in paths)
        params = [param for _, path_params in paths for param in (*column_params, *path_params)]
        return f"CONCAT('[', {members}, ']')", params


#: Where each of a UUID's five groups starts in its 32 hex digits, and how long it is.
_UUID_GROUPS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


class UuidText(Func):
    """``expression`` (a ``UUIDField``) as ``str()`` writes a UUID: lowercase hex in five groups joined by ``-``."""

    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Stored as the 32 hex digits alone.
        groups = " || '-' || ".join(f"SUBSTR(%(expressions)s, {start}, {length})" for start, length in _UUID_GROUPS)
        return self.as_sql(compiler, connection, template=f"({groups})")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)")

    def as_mysql(self, compiler, connection, **extra_context):
        if connection.features.has_native_uuid_field:  # MariaDB's UUID type
            return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS CHAR(36))")
        # Stored as the 32 hex digits alone.
        groups = ", ".join(f"SUBSTR(%(expressions)s, {start}, {length})" for start, length in _UUID_GROUPS)
        return self.as_sql(compiler, connection, template=f"CONCAT_WS('-', {groups})")
