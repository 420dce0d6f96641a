"""
Special exams of the built-in backend: ``SpecialExam``, ``ExamAttempt`` and ``ExamAllowance`` rows.

A proctoring provider's capabilities come from ``INSTRUCTOR_PLUGIN["PROCTORING_BACKENDS"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial

from django.db import transaction
from django.db.models import Case, F, FilteredRelation, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from opaque_keys.edx.keys import CourseKey

from ...conf import plugin_setting
from ..data import ExamAllowanceData, ExamAttemptData, ExamListQuery, Page, PageRequest, SpecialExamData
from ..exceptions import ExamNotFound
from .filters import user_search
from .models import Course, ExamAllowance, ExamAttempt, ExamAttemptCount, SpecialExam
from .sql_text import IsoDateTime
from .streaming import keyset_stream
from .users import to_user_data

_EXAM_TYPE_FILTERS = {
    "proctored": Q(is_proctored=True, is_practice_exam=False),
    "practice": Q(is_practice_exam=True),
    "timed": Q(is_proctored=False),
}
#: The ORM expression of each ordering of ``EXAM_ORDERINGS``, relative to an attempt or an allowance.
_ORDERINGS = {
    "username": Lower("user__username"),
    "email": Lower("user__email"),
    "exam_name": Lower("exam__exam_name"),
    "exam_type": Case(
        When(exam__is_practice_exam=True, then=Value("practice")),
        When(exam__is_proctored=True, then=Value("proctored")),
        default=Value("timed"),
    ),
    "time_limit": "exam__time_limit_mins",
    "allowed_time_limit": "allowed_time_limit_mins",
    "started_at": "started_at",
    "completed_at": "completed_at",
    "status": "status",
    "key": "key",
    "value": "value",
}


def to_exam_data(exam: SpecialExam) -> SpecialExamData:
    return SpecialExamData(
        id=exam.pk,
        course_key=exam.course_key,
        content_id=str(exam.content_id),
        exam_name=exam.exam_name,
        time_limit_mins=exam.time_limit_mins,
        is_proctored=exam.is_proctored,
        is_practice_exam=exam.is_practice_exam,
        is_active=exam.is_active,
        hide_after_due=exam.hide_after_due,
        due_date=exam.due_date,
        backend=exam.backend or None,
    )


#: The order of every list, and within each of its orderings: by username, ignoring case.
_BY_USERNAME = (Lower("user__username"), "pk")
#: The same order read from the attempts' own copy of the lowercased username, which the course's
#: ``(course_key, username_lower, id)`` index holds in that order: page 1 reads 25 index entries.
_ATTEMPTS_BY_USERNAME = ("username_lower", "pk")


def _listed(
    rows: QuerySet, query: ExamListQuery, fields: frozenset[str], by_username: Sequence = _BY_USERNAME
) -> QuerySet:
    """
    Rows (of the course), filtered and ordered as ``query`` asks, then ``by_username``.

    An ordering outside ``fields`` is ignored. A search sorts the few rows it finds by joining their
    users, rather than walk the whole course in ``by_username`` order.
    """
    if query.exam_id is not None:
        rows = rows.filter(exam_id=query.exam_id)
    term = (query.search or "").strip()
    if term:
        rows = rows.filter(user_search(term, names=False))
        by_username = _BY_USERNAME
    requested = query.ordering or ""
    name = requested.removeprefix("-")
    if name not in fields:
        return rows.order_by(*by_username)
    ordering = _ordered(_ORDERINGS[name], descending=requested.startswith("-"))
    return rows.order_by(ordering, *by_username)


def _ordered(expression, *, descending: bool):
    """``expression`` ascending or descending, empty values last."""
    if isinstance(expression, str):
        expression = F(expression)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


_ATTEMPT_ORDERINGS = frozenset(_ORDERINGS) - {"key", "value"}
_ALLOWANCE_ORDERINGS = frozenset({"username", "email", "exam_name", "exam_type", "time_limit", "key", "value"})


def _page(
    rows: QuerySet, page: PageRequest, kept_total: Callable[[], int] | None = None, defer: Sequence[str] = ()
) -> tuple[list, int]:
    """
    The page's keys sorted alone (narrow rows), then those rows (less the ``defer`` columns) with their
    users and profiles, and their few exams read once each rather than once per row (each exam's keys
    parsed once); and the total: ``kept_total()`` where given, else what the page tells (a page that is
    not full is the last), else a count of ``rows``.
    """
    keys = list(rows.values_list("pk", flat=True)[page.offset : page.offset + page.limit])
    window = rows.model.objects.filter(pk__in=keys).order_by(*rows.query.order_by).defer(*defer)
    if kept_total is not None:
        total = kept_total()
    elif 0 < len(keys) < page.limit or (not keys and not page.offset):
        total = page.offset + len(keys)
    else:
        total = rows.count()
    return list(window.select_related("user__builtin_profile").prefetch_related("exam")), total


def _kept_attempts(course_key: CourseKey, exam_id: int | None) -> int:
    """The course's attempts (of the exam ``exam_id``) summed from the counts the triggers keep per exam."""
    counts = ExamAttemptCount.objects.filter(exam__course_key=course_key)
    if exam_id is not None:
        counts = counts.filter(exam_id=exam_id)
    return counts.aggregate(total=Sum("attempts"))["total"] or 0


#: Attempts per query of :meth:`BuiltinSpecialExamService.iter_attempt_rows`.
_ATTEMPT_ROWS_CHUNK = 10_000


class BuiltinSpecialExamService:
    """Exams, attempts and allowances in the plugin's own tables."""

    def list_exams(self, course_key: CourseKey, exam_type: str | None = None) -> Sequence[SpecialExamData]:
        rows = SpecialExam.objects.filter(course_key=course_key)
        if exam_type in _EXAM_TYPE_FILTERS:
            rows = rows.filter(_EXAM_TYPE_FILTERS[exam_type])
        return [to_exam_data(exam) for exam in rows.order_by("pk")]

    def get_exam(self, course_key: CourseKey, exam_id: int) -> SpecialExamData:
        exam = SpecialExam.objects.filter(course_key=course_key, pk=exam_id).first()
        if exam is None:
            raise ExamNotFound(exam_id)
        return to_exam_data(exam)

    def get_exams(self, course_key: CourseKey, exam_ids: Iterable[int]) -> Mapping[int, SpecialExamData]:
        rows = SpecialExam.objects.filter(course_key=course_key, pk__in=list(exam_ids))
        return {exam.pk: to_exam_data(exam) for exam in rows}

    def list_attempts(self, course_key: CourseKey, query: ExamListQuery, page: PageRequest) -> Page[ExamAttemptData]:
        attempts = ExamAttempt.objects.filter(course_key=course_key)
        listed = _listed(attempts, query, _ATTEMPT_ORDERINGS, _ATTEMPTS_BY_USERNAME)
        # Unsearched, the total is kept per exam: a few rows summed instead of every attempt counted.
        searched = bool((query.search or "").strip())
        kept_total = None if searched else partial(_kept_attempts, course_key, query.exam_id)
        # The course and username copies only serve the list's filter and order.
        rows, total = _page(listed, page, kept_total, defer=("course_key", "username_lower"))
        items = [
            ExamAttemptData(
                id=row.pk,
                user=to_user_data(row.user),
                exam=to_exam_data(row.exam),
                status=row.status,
                started_at=row.started_at,
                completed_at=row.completed_at,
                allowed_time_limit_mins=row.allowed_time_limit_mins,
                ready_to_resume=row.ready_to_resume,
            )
            for row in rows
        ]
        return Page(items=items, total=total)

    def iter_attempt_rows(self, course_key: CourseKey, exam_id: int) -> Iterator[Sequence[object]]:
        # Read in the course's (course_key, username_lower, id) index order: no chunk sorts the attempts. The
        # track is the learner's active enrollment, joined (one per learner and course) rather than looked up
        # by a subquery per row.
        enrollment = FilteredRelation(
            "user__builtin_enrollments",
            condition=Q(user__builtin_enrollments__course_key=course_key, user__builtin_enrollments__is_active=True),
        )
        rows = ExamAttempt.objects.filter(course_key=course_key, exam_id=exam_id).annotate(enrollment=enrollment)
        columns: list[str | Combinable] = [
            "user__username",
            "user__email",
            "enrollment__mode",
            "status",
            IsoDateTime("started_at"),
            IsoDateTime("completed_at"),
            "allowed_time_limit_mins",
        ]
        return keyset_stream(rows, _ATTEMPTS_BY_USERNAME, columns, _ATTEMPT_ROWS_CHUNK, "ipb_exam_attempt_course_order")

    def reset_attempts(self, course_key: CourseKey, exam_id: int, user_id: int, actor_id: int) -> int:
        attempts = ExamAttempt.objects.filter(exam__course_key=course_key, exam_id=exam_id, user_id=user_id)
        removed, _ = attempts.delete()
        return removed

    def list_allowances(
        self, course_key: CourseKey, query: ExamListQuery, page: PageRequest
    ) -> Page[ExamAllowanceData]:
        allowances = ExamAllowance.objects.filter(exam__course_key=course_key)
        rows, total = _page(_listed(allowances, query, _ALLOWANCE_ORDERINGS), page)
        items = [
            ExamAllowanceData(
                id=row.pk,
                user=to_user_data(row.user),
                exam=to_exam_data(row.exam),
                key=row.key,
                value=row.value,
                created=row.created,
                modified=row.modified,
            )
            for row in rows
        ]
        return Page(items=items, total=total)

    def set_allowance(self, course_key: CourseKey, exam_id: int, user_id: int, key: str, value: str) -> None:
        with transaction.atomic():
            exam = SpecialExam.objects.select_for_update().filter(course_key=course_key, pk=exam_id).first()
            if exam is None:
                raise ExamNotFound(exam_id)
            ExamAllowance.objects.update_or_create(exam=exam, user_id=user_id, defaults={"key": key, "value": value})

    def remove_allowance(self, course_key: CourseKey, exam_id: int, user_id: int, key: str) -> bool:
        allowances = ExamAllowance.objects.filter(
            exam__course_key=course_key, exam_id=exam_id, user_id=user_id, key=key
        )
        removed, _ = allowances.delete()
        return removed > 0

    def supports_onboarding(self, course_key: CourseKey) -> bool:
        return bool(_capabilities(course_key).get("supports_onboarding"))

    def review_dashboard_available(self, course_key: CourseKey) -> bool:
        return bool(_capabilities(course_key).get("review_dashboard"))


def _capabilities(course_key: CourseKey) -> Mapping[str, object]:
    """The ``PROCTORING_BACKENDS`` entry of the course's proctoring provider (empty when it has none)."""
    provider = Course.objects.filter(course_key=course_key).values_list("proctoring_provider", flat=True).first()
    return plugin_setting("PROCTORING_BACKENDS").get(provider or "", {})
