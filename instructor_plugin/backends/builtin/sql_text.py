"""
Values the database writes as text for a report, so that they are read with no converter.

:class:`IsoDateTime`: Django turns each datetime it reads into an aware ``datetime`` (on SQLite by parsing text), and a
report then formats it again with ``isoformat()``: at 50,000 learners that is most of a profile
report's time. :class:`IsoDateTime` makes the database write the text ``datetime.isoformat()``
gives for the aware UTC value (``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``), so the column is read as
plain text with no converter.
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
