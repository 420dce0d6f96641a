"""
The LMS APIs' lists that grow with a course's learners, each beside the naive raw-ORM page in the same run.

A cohort's members (the seed splits every learner between two cohorts), the course's cohorts with their
member counts, the grades v1 course grades, and the enrollment API's admin list of the course. Each plugin
figure is one GET through Django's test client as global staff; each baseline reads the same rows with the
plain ORM the obvious way: count everything, then sort (joined with the users) and slice.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from benchmarks.measure import Comparison, measure
from instructor_plugin.backends.builtin.models import Cohort, CourseEnrollment, CourseGrade

User = get_user_model()
PAGE = 25
RUNS = 7


def _get(client: APIClient, url: str):
    def run() -> None:
        RequestCache.clear_all_namespaces()
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, response.content

    return run


def _members_page(course_key: CourseKey, cohort_id: int, offset: int = 0):
    def run() -> None:
        members = User.objects.filter(
            builtin_cohort_memberships__cohort_id=cohort_id, builtin_cohort_memberships__course_key=course_key
        )
        members.count()
        list(members.select_related("builtin_profile").order_by("username")[offset : offset + PAGE])

    return run


def _cohorts(course_key: CourseKey):
    def run() -> None:
        enrolled = CourseEnrollment.objects.filter(
            course_key=course_key, is_active=True, user_id=OuterRef("memberships__user_id")
        )
        counted = Count("memberships", filter=Q(Exists(enrolled)))
        list(Cohort.objects.filter(course_key=course_key).annotate(n=counted).order_by("name"))

    return run


def _course_grades_page(course_key: CourseKey):
    def run() -> None:
        page = list(
            CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
            .select_related("user")
            .order_by("user_id")[: PAGE + 1]
        )
        list(CourseGrade.objects.filter(course_key=course_key, user_id__in=[row.user_id for row in page]))

    return run


def _admin_page(course_key: CourseKey):
    def run() -> None:
        rows = CourseEnrollment.objects.filter(course_key=course_key)
        list(rows.select_related("user").order_by("-created", "-pk")[: PAGE + 1])

    return run


def figures(course_key: CourseKey) -> list[Comparison]:
    """Cohort members (page 1 and a deep page), the cohorts, course grades page 1, the enrollment API's course list."""
    staff = APIClient()
    staff.force_authenticate(User.objects.get(username="staff"))
    cohort = Cohort.objects.filter(course_key=course_key).order_by("pk").first()
    assert cohort is not None, "the seed gives the course its cohorts"
    members = cohort.memberships.count()
    deep = max(members // 2 // PAGE, 1)
    cohorts = f"/api/cohorts/v1/courses/{course_key}/cohorts/"
    return [
        Comparison(
            measure(
                f"cohort members page 1 (+ count), {members:,}",
                _get(staff, f"{cohorts}{cohort.pk}/users?page_size={PAGE}"),
                RUNS,
            ),
            measure("  naive", _members_page(course_key, cohort.pk), RUNS),
        ),
        Comparison(
            measure(
                f"cohort members page {deep:,}",
                _get(staff, f"{cohorts}{cohort.pk}/users?page_size={PAGE}&page={deep}"),
                RUNS,
            ),
            measure("  naive", _members_page(course_key, cohort.pk, (deep - 1) * PAGE), RUNS),
        ),
        Comparison(
            measure("cohorts (member counts)", _get(staff, cohorts), RUNS),
            measure("  naive", _cohorts(course_key), RUNS),
        ),
        Comparison(
            measure(
                "course grades page 1", _get(staff, f"/api/grades/v1/courses/{course_key}/?page_size={PAGE}"), RUNS
            ),
            measure("  naive", _course_grades_page(course_key), RUNS),
        ),
        Comparison(
            measure(
                "enrollment API list of the course",
                _get(staff, f"/api/enrollment/v1/enrollments?course_id={quote(str(course_key))}&page_size={PAGE}"),
                RUNS,
            ),
            measure("  naive", _admin_page(course_key), RUNS),
        ),
    ]
