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


def user_search(term: str, *, names: bool) -> Q:
    """
    Rows whose ``user`` has ``term`` in their username or email (with ``names``, also their first, last
    or profile name), ignoring case: the same rows as ``icontains`` over each of those columns.

    One narrow table is searched (``UserSearchText``, trigram-indexed on PostgreSQL), once, not a join
    of users and profiles row by row: ``search=learner42`` reads ``SELECT user_id FROM ...usersearchtext
    WHERE all_fields LIKE '%learner42%' LIMIT 1001``, then filters on ``user_id IN (<those ids>)``. On
    SQLite that ``LIKE`` reads only the users the trigram table finds (see :func:`_trigram_candidates`).
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


def _trigram_candidates(term: str) -> RawSQL | None:
    """
    On SQLite with its trigram table, the users whose ``all_fields`` (which holds ``account``) holds ``term``
    ignoring case as FTS5 folds it (every character, where ``LIKE`` folds ASCII only): at least the users
    ``LIKE`` matches, found from the index; the ``LIKE`` then keeps exactly those. None elsewhere, and for
    terms of under three characters.
    """
    database = router.db_for_read(UserSearchText)
    if len(term) < _TRIGRAM_LENGTH or connections[database].vendor != "sqlite" or not _has_trigrams(database):
        return None
    phrase = '"' + term.replace('"', '""') + '"'
    return RawSQL(f"SELECT rowid FROM {_TRIGRAMS} WHERE {_TRIGRAMS} MATCH %s", [phrase])


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
