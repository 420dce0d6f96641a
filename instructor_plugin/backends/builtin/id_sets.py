"""
Filtering on a set of ids that is nearly a range, as a report's chunk of learners is.

A chunk of 1,000 learners sorted by id is read faster as the range between its first and last id
than as a list: Django prepares every value of an ``IN`` list one by one, and MariaDB turns a long
list into a derived table joined row by row. The caller keeps only the ids it asked for.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

#: How sparse a set of ids may be (range width per id) and still be read as the range it spans.
RANGE_SPREAD = 4


def among_ids(field: str, ids: Collection[int]) -> Q:
    """Rows whose ``field`` is in ``ids``, or in the range they span when that range is dense enough."""
    if not ids:
        return Q(**{f"{field}__in": []})
    low, high = min(ids), max(ids)
    if high - low < RANGE_SPREAD * len(ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": sorted(ids)})
