"""
Values the database writes as text for a report, so that they are read with no converter.

:class:`IsoDateTime`: Django turns each datetime it reads into an aware ``datetime`` (on SQLite by parsing text), and a
report then formats it again with ``isoformat()``: at 50,000 learners that is most of a profile
report's time. :class:`IsoDateTime` makes the database write the text ``datetime.isoformat()``
gives for the aware UTC value (``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``), so the column is read as
plain text with no converter.

:class:`UuidText` likewise writes a UUID column as ``str()`` gives it, with no ``uuid.UUID`` built per row.
"""

from __future__ import annotations

from django.db.models import CharField, Func


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
