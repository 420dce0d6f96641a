"""django-filter FilterSets applying the list filters of the built-in backend to its querysets."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from ..data import BETA
from .models import CourseAccessRole, CourseEnrollment


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
        term = value.strip()
        return queryset.filter(
            Q(user__username__icontains=term)
            | Q(user__email__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(user__builtin_profile__name__icontains=term)
        )

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
