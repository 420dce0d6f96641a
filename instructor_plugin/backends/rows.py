"""
Large sets of rows inserted as plain values, without model instances.

Building a model instance and preparing each of its fields costs more than the database's
insert itself once a statement carries thousands of rows; the seed, the set writes of batch
enrollment and the per-item rows of tasks pass tuples already in the database's form instead
(course and usage keys as text, datetimes through :func:`stored_datetime`, JSON through
:func:`stored_json`). PostgreSQL takes an insert's rows in one ``COPY``, so that its statement-level
triggers (enrollment counts, search text) run once for the set, not once a row; MySQL takes multi-row
``INSERT`` statements written out here; SQLite ``executemany`` batches. Each write, and each value
prepared for one, goes through the connection the database routers choose for the model written.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime
from itertools import islice
from typing import Any, cast

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model
from django.db.models.constants import OnConflict

#: Rows per ``executemany``.
BATCH_SIZE = 5000


def _column(model: type[Model], name: str) -> str:
    return str(cast(Field, model._meta.get_field(name)).column)


def _connection(model: type[Model]) -> BaseDatabaseWrapper:
    """The connection the project's database routers pick for writing ``model``."""
    return connections[router.db_for_write(model)]


def _insert_statement(model: type[Model], field_names: tuple[str, ...]) -> str:
    quote = _connection(model).ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"


def _execute_many(model: type[Model], statement: str, rows: Iterable[tuple]) -> None:
    pending = iter(rows)
    with _connection(model).cursor() as cursor:
        while batch := list(islice(pending, BATCH_SIZE)):
            cursor.executemany(statement, batch)


def insert_rows(model: type[Model], field_names: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (one value per field of ``field_names``, ready for the database) into ``model``'s table."""
    connection = _connection(model)
    if connection.vendor not in ("postgresql", "mysql"):
        _execute_many(model, _insert_statement(model, field_names), rows)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in field_names)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, f"COPY {table} ({columns}) FROM STDIN", rows)
        else:
            _insert_written_out(cursor, f"INSERT INTO {table} ({columns}) VALUES ", rows)


def _copy(cursor: CursorWrapper, statement: str, rows: Iterable[tuple]) -> None:
    """Stream ``rows`` through psycopg's ``COPY``, logged and wrapped as one statement like any other."""

    def copy(sql: str, params: Iterable[tuple], many: bool, context: dict[str, Any]) -> None:
        with cursor.cursor.copy(sql) as stream:
            for row in params:
                stream.write_row(row)

    logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
    with logged, cursor.db.wrap_database_errors:
        cursor._execute_with_wrappers(statement, rows, many=True, executor=copy)


def _insert_written_out(cursor: CursorWrapper, head: str, rows: Iterable[tuple]) -> None:
    """
    MySQL: multi-row ``INSERT`` statements written out here, each distinct value quoted once.

    mysqlclient's ``executemany`` quotes every value of every row in Python, which costs more than the
    insert; the rows of a bulk load repeat most of their values (the course, a timestamp, a state).
    """
    literal = cursor.db.connection.literal
    quoted: dict[tuple[type, object], bytes] = {}

    def quote(value: object) -> bytes:
        key = (type(value), value)
        text = quoted.get(key)
        if text is None:
            if len(quoted) >= _QUOTED_VALUES_KEPT:
                quoted.clear()
            text = quoted[key] = literal(value)
        return text

    pending = iter(rows)
    while batch := list(islice(pending, BATCH_SIZE)):
        values = b",".join(b"(" + b",".join(map(quote, row)) + b")" for row in batch)
        cursor.execute(head + values.decode())


#: Distinct quoted values :func:`_insert_written_out` keeps at most (a few megabytes).
_QUOTED_VALUES_KEPT = 50_000


def upsert_rows(
    model: type[Model],
    field_names: tuple[str, ...],
    unique_names: tuple[str, ...],
    rows: Iterable[tuple],
) -> None:
    """
    :func:`insert_rows`, a row whose ``unique_names`` match a stored row updating that row's other fields.

    MySQL and MariaDB update on any unique key they meet; the others on the named one.
    """
    fields = [model._meta.get_field(name) for name in field_names]
    suffix = _connection(model).ops.on_conflict_suffix_sql(
        fields,
        OnConflict.UPDATE,
        [_column(model, name) for name in field_names if name not in unique_names],
        [_column(model, name) for name in unique_names],
    )
    _execute_many(model, f"{_insert_statement(model, field_names)} {suffix}", rows)


def stored_datetime(model: type[Model], value: datetime) -> object:
    """``value`` as the database that stores ``model`` stores a ``DateTimeField``."""
    return _connection(model).ops.adapt_datetimefield_value(value)


def stored_json(model: type[Model], value: object) -> object:
    """``value`` as the database that stores ``model`` stores a ``JSONField`` (``None`` stays SQL ``NULL``)."""
    return None if value is None else _connection(model).ops.adapt_json_value(value, None)
