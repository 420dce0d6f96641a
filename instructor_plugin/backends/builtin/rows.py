"""
Large sets of rows inserted as plain values with ``executemany``, without model instances.

Building a model instance and preparing each of its fields costs more than the database's
insert itself once a statement carries thousands of rows; the seed and the set writes of batch
enrollment pass tuples already in the database's form instead (course keys as text, datetimes
through :func:`stored_datetime`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import cast

from django.db import connection
from django.db.models import Field, Model

#: Rows per ``executemany``.
BATCH_SIZE = 5000


def insert_rows(model: type[Model], field_names: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (one value per field of ``field_names``, ready for the database) into ``model``'s table."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(cast(Field, model._meta.get_field(name)).column)) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    pending = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(pending, BATCH_SIZE)):
            cursor.executemany(statement, batch)


def stored_datetime(value: datetime) -> object:
    """``value`` as the database stores a ``DateTimeField``."""
    return connection.ops.adapt_datetimefield_value(value)
