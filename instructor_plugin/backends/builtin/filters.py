"""django-filter FilterSets applying the list filters of the built-in backend to its querysets."""

from functools import cache, reduce
from operator import or_

import django_filters
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Q
from django.db.models.expressions import RawSQL

from ..data import BETA
from .models import CourseAccessRole, CourseEnrollment, UserSearchText

#: What joins a user's columns in ``UserSearchText``; a term holding it is matched column by column.
_SEPARATOR = "\n"
#: Users a search finds beyond which it is kept a subquery rather than a list of ids.
_INLINED_MATCHES = 1000
_ACCOUNT_COLUMNS = ("username", "email")
_ALL_COLUMNS = (*_ACCOUNT_COLUMNS, "first_name", "last_name", "builtin_profile__name")
#: SQLite's FTS5 table of trigrams over ``UserSearchText.all_fields`` (migration ``0022``).
_TRIGRAMS = "ipb_search_trigrams"
#: The shortest term the trigram table can find: shorter ones have no trigram.
_TRIGRAM_LENGTH = 3
#: MySQL's table of trigrams over ``UserSearchText.all_fields`` by blocks of 64 users (migration ``0024``).
_GRAMS = "ipb_search_grams"
#: The most trigrams of a term a MySQL search joins (the optimizer starts from the rarest of them).
_JOINED_GRAMS = 8
#: Users the MySQL trigram table finds beyond which a search reads every user's text instead.
_MOST_CANDIDATES = 5000


def user_search(term: str, *, names: bool) -> Q:
    """
    Rows whose ``user`` has ``term`` in their username or email (with ``names``, also their first, last
    or profile name), ignoring case: the same rows as ``icontains`` over each of those columns.

    One narrow table is searched (``UserSearchText``, trigram-indexed on PostgreSQL), once, not a join
    of users and profiles row by row: ``search=learner42`` reads ``SELECT user_id FROM ...usersearchtext
    WHERE all_fields LIKE '%learner42%' LIMIT 1001``, then filters on ``user_id IN (<those ids>)``. On
    SQLite and MySQL that ``LIKE`` reads only the users the trigram table finds (see :func:`_trigram_candidates`
    and :func:`_gram_candidates`).
    """
    if _SEPARATOR in term:
        columns = _ALL_COLUMNS if names else _ACCOUNT_COLUMNS
        return reduce(or_, (Q(**{f"user__{column}__icontains": term}) for column in columns))
    column = "all_fields" if names else "account"
    texts = UserSearchText.objects.filter(**{f"{column}__icontains": term})
    candidates = _trigram_candidates(term)
    if candidates is not None:
        texts = texts.filter(user_id__in=candidates)
    matching = texts.values_list("user_id", flat=True)
    # One scan of the table here: the few users a search finds usually go into the list's count and page
    # queries as ids (an index lookup each); a term found in many users stays a subquery.
    found = list(matching[: _INLINED_MATCHES + 1])
    return Q(user_id__in=found if len(found) <= _INLINED_MATCHES else matching)


def _trigram_candidates(term: str) -> RawSQL | list[int] | None:
    """
    The users a trigram table finds for ``term``: at least those whose text holds it ignoring case as
    ``LIKE`` does, found from an index; the ``LIKE`` then keeps exactly those. On SQLite, its FTS5 table
    (which folds every character's case, where ``LIKE`` folds ASCII only); on MySQL, see
    :func:`_gram_candidates`. None elsewhere, and for terms of under three characters.
    """
    database = router.db_for_read(UserSearchText)
    if len(term) < _TRIGRAM_LENGTH:
        return None
    vendor = connections[database].vendor
    if vendor == "mysql":
        return _gram_candidates(term, database)
    if vendor != "sqlite" or not _has_trigrams(database):
        return None
    phrase = '"' + term.replace('"', '""') + '"'
    return RawSQL(f"SELECT rowid FROM {_TRIGRAMS} WHERE {_TRIGRAMS} MATCH %s", [phrase])


def _gram_candidates(term: str, database: str) -> list[int] | None:
    """
    On MySQL, the users in whose blocks of ``ipb_search_grams`` up to ``_JOINED_GRAMS`` of the term's trigrams
    (lower-cased) all have their bit, and the users under the empty gram (texts not cut into trigrams): at
    least the users ``LIKE`` matches, read in one query. None for a term of anything but printable ASCII
    (``LIKE``'s collation may match it with other characters than the trigrams hold), and when the table
    finds more than ``_MOST_CANDIDATES`` users (checking that many one by one costs more than a scan).
    """
    if not all(" " <= character <= "~" for character in term):
        return None
    lowered = term.lower()
    grams = list(dict.fromkeys(lowered[start : start + _TRIGRAM_LENGTH] for start in range(len(term) - 2)))
    if len(grams) > _JOINED_GRAMS:
        step = (len(grams) - 1) / (_JOINED_GRAMS - 1)
        grams = [grams[round(index * step)] for index in range(_JOINED_GRAMS)]
    joins = "".join(
        f" JOIN {_GRAMS} g{index} ON g{index}.gram = %s AND g{index}.block = g0.block" for index in range(1, len(grams))
    )
    users = " & ".join(f"g{index}.users" for index in range(len(grams)))
    with connections[database].cursor() as cursor:
        cursor.execute(
            f"SELECT m.block * 64 + b.n FROM (SELECT g0.block, {users} AS users FROM {_GRAMS} g0{joins}"
            f" WHERE g0.gram = %s UNION ALL SELECT block, users FROM {_GRAMS} WHERE gram = '') AS m"
            " JOIN (WITH RECURSIVE bits (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM bits WHERE n < 63)"
            f" SELECT n FROM bits) AS b ON (m.users >> b.n) & 1 LIMIT {_MOST_CANDIDATES + 1}",
            [*grams[1:], grams[0]],
        )
        found = [user for (user,) in cursor.fetchall()]
    return found if len(found) <= _MOST_CANDIDATES else None


@cache
def _has_trigrams(database: str) -> bool:
    """Whether this SQLite database has the trigram table (its SQLite has FTS5); asked once per process."""
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [_TRIGRAMS])
        return cursor.fetchone() is not None


class EnrollmentFilterSet(django_filters.FilterSet):
    """``search`` (username, email, first/last or profile name) and ``is_beta_tester`` over enrollments."""

    search = django_filters.CharFilter(method="filter_search")
    is_beta_tester = django_filters.BooleanFilter(method="filter_is_beta_tester")

    class Meta:
        model = CourseEnrollment
        fields = ()

    def __init__(self, data, queryset, *, course_key):
        super().__init__(data, queryset)
        self.course_key = course_key

    def filter_search(self, queryset, name, value):
        return queryset.filter(user_search(value.strip(), names=True))

    def filter_is_beta_tester(self, queryset, name, value):
        beta_testers = CourseAccessRole.objects.filter(course_key=self.course_key, role=BETA).values("user_id")
        return queryset.filter(user_id__in=beta_testers) if value else queryset.exclude(user_id__in=beta_testers)


class TeamMemberFilterSet(django_filters.FilterSet):
    """``search`` (username or email) over team members."""

    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = get_user_model()
        fields = ()

    def filter_search(self, queryset, name, value):
        term = value.strip()
        return queryset.filter(Q(username__icontains=term) | Q(email__icontains=term))
