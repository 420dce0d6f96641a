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
from django.db.models.functions import Lower
from django.test import Client
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from benchmarks.certificates import _baseline_page as _certificates_page
from benchmarks.measure import Comparison, measure
from instructor_plugin.backends.builtin.models import (
    Block,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseGrade,
    CourseMode,
    ExamAttempt,
    ForumRole,
    GeneratedCertificate,
    ProblemState,
    SpecialExam,
    SubsectionGradeOverride,
)
from instructor_plugin.backends.builtin.seed import analyse_tables

User = get_user_model()
PAGE = 25
RUNS = 7
#: Special-exam attempts the course is topped up to before the attempts list is measured.
EXAM_ATTEMPTS = 50_000
_ATTEMPT_STATUSES = ("submitted", "verified", "started", "error", "rejected")


def top_up_exam_attempts(course_key: CourseKey, target: int = EXAM_ATTEMPTS) -> int:
    """
    Give enrolled learners without an attempt one on each exam until the course has ``target``, then
    analyse the tables as the seed does (the seed's statistics count a handful of attempts, and SQLite
    then scans every attempt rather than look up a page's 25); the count.
    """
    attempts = ExamAttempt.objects.filter(exam__course_key=course_key)
    missing = target - attempts.count()
    exams = list(SpecialExam.objects.filter(course_key=course_key).order_by("pk"))
    if missing > 0 and exams:
        tried = ExamAttempt.objects.filter(exam__course_key=course_key, user_id=OuterRef("user_id"))
        learners = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).exclude(Exists(tried))
        user_ids = learners.order_by("user_id").values_list("user_id", flat=True)[: -(-missing // len(exams))]
        ExamAttempt.objects.bulk_create(
            (
                ExamAttempt(exam=exam, user_id=user_id, status=_ATTEMPT_STATUSES[user_id % len(_ATTEMPT_STATUSES)])
                for user_id in user_ids.iterator(chunk_size=5_000)
                for exam in exams
            ),
            batch_size=5_000,
        )
        analyse_tables()
    return attempts.count()


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


def _attempts_page(course_key: CourseKey, term: str = ""):
    """The attempts list the obvious way: count, then sort every attempt by username and slice."""

    def run() -> None:
        rows = ExamAttempt.objects.filter(exam__course_key=course_key)
        if term:
            rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
        rows.count()
        page = rows.select_related("user__builtin_profile", "exam").order_by(Lower("user__username"), "pk")
        list(page[:PAGE])

    return run


def _certificates_search(course_key: CourseKey, term: str):
    def run() -> None:
        rows = GeneratedCertificate.objects.filter(course_key=course_key)
        rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
        rows.count()
        list(rows.select_related("user").order_by("user__username")[:PAGE])

    return run


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
    """
    Enrollments (page 1, a deep page, search, beta testers), the team, the course metadata, the gradebook,
    the issued certificates and the special-exam attempts (topped up to ``EXAM_ATTEMPTS``), with their searches.
    """
    attempts = top_up_exam_attempts(course_key)
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
        Comparison(
            measure(
                "certificates/issued page 1 (+ count)",
                _get(client, f"{api}/certificates/issued?page_size={PAGE}"),
                RUNS,
            ),
            measure("  naive", _certificates_page(course_key), RUNS),
        ),
        Comparison(
            measure(
                f"certificates/issued search={search}",
                _get(client, f"{api}/certificates/issued?page_size={PAGE}&search={search}"),
                RUNS,
            ),
            measure("  naive", _certificates_search(course_key, search), RUNS),
        ),
        Comparison(
            measure(
                f"special_exams/attempts page 1, {attempts:,} attempts",
                _get(client, f"{api}/special_exams/attempts?page_size={PAGE}"),
                RUNS,
            ),
            measure("  naive", _attempts_page(course_key), RUNS),
        ),
        Comparison(
            measure(
                f"special_exams/attempts search={search}",
                _get(client, f"{api}/special_exams/attempts?page_size={PAGE}&search={search}"),
                RUNS,
            ),
            measure("  naive", _attempts_page(course_key, search), RUNS),
        ),
    ]
