"""Course cohorts of the built-in backend."""

from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Count
from opaque_keys.edx.keys import CourseKey

from ..data import CohortData
from .models import Cohort, CohortMembership


class BuiltinCohortService:
    """Reads ``Cohort`` and ``CohortMembership``; a course with at least one cohort is cohorted."""

    def is_cohorted(self, course_key: CourseKey) -> bool:
        return Cohort.objects.filter(course_key=course_key).exists()

    def list_cohorts(self, course_key: CourseKey) -> Sequence[CohortData]:
        rows = Cohort.objects.filter(course_key=course_key).annotate(user_count=Count("memberships")).order_by("name")
        return [
            CohortData(id=row.pk, name=row.name, user_count=row.user_count, assignment_type=row.assignment_type)
            for row in rows
        ]

    def get_cohort_names(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        rows = CohortMembership.objects.filter(course_key=course_key, user_id__in=list(user_ids))
        return dict(rows.values_list("user_id", "cohort__name"))
