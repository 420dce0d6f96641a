"""
The lists every dashboard page reads, each beside the naive raw-ORM page measured in the same run.

Each plugin figure is one GET through Django's test client, logged in (a session) as the course
instructor, so the request's fixed cost (session, user, course, roles) is part of it. Each baseline
reads the same rows with the plain ORM in the obvious way: count everything, then sort and slice.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.test import Client
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from benchmarks.measure import Comparison, measure
from instructor_plugin.backends.builtin.models import (
    Block,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseGrade,
    CourseMode,
    ForumRole,
    ProblemState,
    SubsectionGradeOverride,
)

User = get_user_model()
PAGE = 25
RUNS = 7


def _get(client: Client, url: str):
    def run() -> None:
        RequestCache.clear_all_namespaces()
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, response.content

    return run


def _enrollment_page(course_key: CourseKey, condition: Q | None = None, offset: int = 0):
    def run() -> None:
        rows = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
        if condition is not None:
            rows = rows.filter(condition)
        rows.count()
        list(rows.select_related("user", "user__builtin_profile").order_by("user__username")[offset : offset + PAGE])

    return run


def _search(term: str) -> Q:
    return (
        Q(user__username__icontains=term)
        | Q(user__email__icontains=term)
        | Q(user__first_name__icontains=term)
        | Q(user__last_name__icontains=term)
        | Q(user__builtin_profile__name__icontains=term)
    )


def _team_page(course_key: CourseKey):
    def run() -> None:
        ids = set(CourseAccessRole.objects.filter(course_key=course_key).values_list("user_id", flat=True))
        ids |= set(ForumRole.objects.filter(course_key=course_key).values_list("user_id", flat=True))
        page = list(User.objects.filter(pk__in=ids).select_related("builtin_profile").order_by("username")[:PAGE])
        roles = CourseAccessRole.objects.filter(course_key=course_key, user__in=page)
        list(roles.values_list("user_id", "role"))
        list(ForumRole.objects.filter(course_key=course_key, user__in=page).values_list("user_id", "role"))

    return run


def _metadata(course_key: CourseKey, user_id: int):
    def run() -> None:
        course = Course.objects.get(course_key=course_key)
        list(CourseMode.objects.filter(course=course))
        active = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
        dict(active.values("mode").annotate(n=Count("pk")).values_list("mode", "n"))
        team = CourseAccessRole.objects.filter(course_key=course_key, role__in=("staff", "instructor", "ccx_coach"))
        active.filter(user_id__in=team.values("user_id")).count()
        Block.objects.filter(course=course, parent__isnull=False, parent__parent__isnull=True).count()
        list(CourseAccessRole.objects.filter(user_id=user_id, course_key=course_key).values_list("role"))
        list(ForumRole.objects.filter(user_id=user_id, course_key=course_key).values_list("role"))

    return run


def _gradebook_page(course_key: CourseKey):
    """The gradebook's page 1 the obvious way: counts, 25 learners without a course role, their grades."""

    def run() -> None:
        active = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
        active.count()
        roles = CourseAccessRole.objects.filter(course_key=course_key, user_id=OuterRef("user_id"))
        learners = active.exclude(Exists(roles))
        learners.count()
        page = list(learners.select_related("user").order_by("user_id")[:PAGE])
        ids = [row.user_id for row in page]
        list(CourseGrade.objects.filter(course_key=course_key, user_id__in=ids))
        list(Block.objects.filter(course__course_key=course_key).order_by("position"))
        list(ProblemState.objects.filter(course_key=course_key, user_id__in=ids).values_list("user_id", "score"))
        list(SubsectionGradeOverride.objects.filter(course_key=course_key, user_id__in=ids))

    return run


def figures(course_key: CourseKey) -> list[Comparison]:
    """Enrollments (page 1, a deep page, search, beta testers), the team, the course metadata and the gradebook."""
    instructor = User.objects.get(username="instructor")
    client = Client()
    client.force_login(instructor)
    api = f"/api/instructor/v2/courses/{course_key}"
    learners = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).count()
    search = f"learner{learners // 2}"
    deep = max(learners // 2 // PAGE, 1)
    beta = Q(user_id__in=CourseAccessRole.objects.filter(course_key=course_key, role="beta").values("user_id"))
    return [
        Comparison(
            measure("enrollments page 1 (+ count)", _get(client, f"{api}/enrollments?page_size={PAGE}"), RUNS),
            measure("  naive", _enrollment_page(course_key), RUNS),
        ),
        Comparison(
            measure(
                f"enrollments page {deep:,}", _get(client, f"{api}/enrollments?page_size={PAGE}&page={deep}"), RUNS
            ),
            measure("  naive", _enrollment_page(course_key, offset=(deep - 1) * PAGE), RUNS),
        ),
        Comparison(
            measure(f"enrollments search={search}", _get(client, f"{api}/enrollments?search={search}"), RUNS),
            measure("  naive", _enrollment_page(course_key, _search(search)), RUNS),
        ),
        Comparison(
            measure("enrollments is_beta_tester=true", _get(client, f"{api}/enrollments?is_beta_tester=true"), RUNS),
            measure("  naive", _enrollment_page(course_key, beta), RUNS),
        ),
        Comparison(
            measure("team", _get(client, f"{api}/team?page_size={PAGE}"), RUNS),
            measure("  naive", _team_page(course_key), RUNS),
        ),
        Comparison(
            measure("course metadata", _get(client, api), RUNS),
            measure("  naive", _metadata(course_key, instructor.pk), RUNS),
        ),
        Comparison(
            measure(
                "gradebook page 1 (+ counts)",
                _get(client, f"/api/grades/v1/gradebook/{course_key}/?page_size={PAGE}&excluded_course_roles=all"),
                RUNS,
            ),
            measure("  naive", _gradebook_page(course_key), RUNS),
        ),
    ]
