"""django-filter FilterSets applying the list filters of the built-in backend to its querysets."""

from functools import reduce
from operator import or_

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from ..data import BETA
from .models import CourseAccessRole, CourseEnrollment, UserSearchText

#: What joins a user's columns in ``UserSearchText``; a term holding it is matched column by column.
_SEPARATOR = "\n"
#: Users a search finds beyond which it is kept a subquery rather than a list of ids.
_INLINED_MATCHES = 1000
_ACCOUNT_COLUMNS = ("username", "email")
_ALL_COLUMNS = (*_ACCOUNT_COLUMNS, "first_name", "last_name", "builtin_profile__name")


def user_search(term: str, *, names: bool) -> Q:
    """
    Rows whose ``user`` has ``term`` in their username or email (with ``names``, also their first, last
    or profile name), ignoring case: the same rows as ``icontains`` over each of those columns.

    One narrow table is searched (``UserSearchText``, trigram-indexed on PostgreSQL), once, not a join
    of users and profiles row by row: ``search=learner42`` reads ``SELECT user_id FROM ...usersearchtext
    WHERE all_fields LIKE '%learner42%' LIMIT 1001``, then filters on ``user_id IN (<those ids>)``.
    """
    if _SEPARATOR in term:
        columns = _ALL_COLUMNS if names else _ACCOUNT_COLUMNS
        return reduce(or_, (Q(**{f"user__{column}__icontains": term}) for column in columns))
    column = "all_fields" if names else "account"
    matching = UserSearchText.objects.filter(**{f"{column}__icontains": term}).values_list("user_id", flat=True)
    # One scan of the table here: the few users a search finds usually go into the list's count and page
    # queries as ids (an index lookup each); a term found in many users stays a subquery.
    found = list(matching[: _INLINED_MATCHES + 1])
    return Q(user_id__in=found if len(found) <= _INLINED_MATCHES else matching)


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
