"""
Special exams from edx-proctoring: ``ProctoredExam``, its learners' attempts and allowances.

Changes go through ``edx_proctoring.api`` so that its events, provider calls and runtime services
(grades, credit) run as in the LMS's own dashboard; lists query its models to filter, order, count and
slice in the database. edx-proctoring keeps course ids as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from opaque_keys.edx.keys import CourseKey

from ..data import ExamAllowanceData, ExamAttemptData, ExamListQuery, Page, PageRequest, SpecialExamData
from ..exceptions import BackendError, ExamNotFound
from .users import user_records

#: Attempts per page when :meth:`OpenedxSpecialExamService.iter_attempt_rows` reads them all.
_ROWS_PAGE = 1000


class ExamNotActive(BackendError):
    """edx-proctoring refuses allowances on an exam that is not active."""

    error_code = "exam_not_active"
    message = "The exam is not active."


_EXAM_TYPE_FILTERS = {
    "proctored": Q(is_proctored=True, is_practice_exam=False),
    "practice": Q(is_practice_exam=True),
    "timed": Q(is_proctored=False),
}
_ORDERINGS: dict[str, Any] = {
    "username": Lower("user__username"),
    "email": Lower("user__email"),
    "exam_name": Lower("proctored_exam__exam_name"),
    "exam_type": Case(
        When(proctored_exam__is_practice_exam=True, then=Value("practice")),
        When(proctored_exam__is_proctored=True, then=Value("proctored")),
        default=Value("timed"),
    ),
    "time_limit": "proctored_exam__time_limit_mins",
    "allowed_time_limit": "allowed_time_limit_mins",
    "started_at": "started_at",
    "completed_at": "completed_at",
    "status": "status",
    "key": "key",
    "value": "value",
}
_ATTEMPT_ORDERINGS = frozenset(_ORDERINGS) - {"key", "value"}
_ALLOWANCE_ORDERINGS = frozenset({"username", "email", "exam_name", "exam_type", "time_limit", "key", "value"})


def _models() -> Any:
    from edx_proctoring import models

    return models


def to_exam_data(exam: Any) -> SpecialExamData:
    """The boundary record of a ``ProctoredExam``."""
    return SpecialExamData(
        id=exam.pk,
        course_key=CourseKey.from_string(exam.course_id),
        content_id=exam.content_id,
        exam_name=exam.exam_name,
        time_limit_mins=exam.time_limit_mins,
        is_proctored=exam.is_proctored,
        is_practice_exam=exam.is_practice_exam,
        is_active=exam.is_active,
        hide_after_due=exam.hide_after_due,
        due_date=exam.due_date,
        backend=exam.backend or None,
    )


def _exams(course_key: CourseKey) -> Any:
    return _models().ProctoredExam.objects.filter(course_id=str(course_key))


def _listed(rows: Any, course_key: CourseKey, query: ExamListQuery, fields: frozenset[str]) -> Any:
    """Rows of the course's exams, filtered and ordered as ``query`` asks (an unknown ordering: by username)."""
    rows = rows.filter(proctored_exam__course_id=str(course_key))
    if query.exam_id is not None:
        rows = rows.filter(proctored_exam_id=query.exam_id)
    term = (query.search or "").strip()
    if term:
        rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
    requested = query.ordering or ""
    name = requested.removeprefix("-")
    if name not in fields:
        return rows.order_by(Lower("user__username"), "pk")
    expression = _ORDERINGS[name]
    expression = F(expression) if isinstance(expression, str) else expression
    ordering = expression.desc(nulls_last=True) if requested.startswith("-") else expression.asc(nulls_last=True)
    return rows.order_by(ordering, Lower("user__username"), "pk")


def _window(rows: Any, page: PageRequest) -> tuple[list, dict[int, Any], int]:
    total = rows.count()
    window = list(
        rows.select_related("user", "user__profile", "proctored_exam")[page.offset : page.offset + page.limit]
    )
    users = {user.id: user for user in user_records(row.user for row in window)}
    return window, users, total


def _provider(name: str | None) -> Any:
    from edx_proctoring.backends import get_backend_provider

    try:
        return get_backend_provider(name=name)
    except NotImplementedError:
        return None


class OpenedxSpecialExamService:
    """Calls ``edx_proctoring.api``; reads ``edx_proctoring.models``."""

    def list_exams(self, course_key: CourseKey, exam_type: str | None = None) -> Sequence[SpecialExamData]:
        """The course's ``ProctoredExam`` rows (``edx_proctoring.api.get_all_exams_for_course``), by id."""
        rows = _exams(course_key)
        if exam_type in _EXAM_TYPE_FILTERS:
            rows = rows.filter(_EXAM_TYPE_FILTERS[exam_type])
        return [to_exam_data(exam) for exam in rows.order_by("pk")]

    def get_exam(self, course_key: CourseKey, exam_id: int) -> SpecialExamData:
        """The course's ``ProctoredExam`` of this id (``edx_proctoring.api.get_exam_by_id``)."""
        exam = _exams(course_key).filter(pk=exam_id).first()
        if exam is None:
            raise ExamNotFound(exam_id)
        return to_exam_data(exam)

    def get_exams(self, course_key: CourseKey, exam_ids: Iterable[int]) -> Mapping[int, SpecialExamData]:
        """The course's ``ProctoredExam`` rows of these ids."""
        return {exam.pk: to_exam_data(exam) for exam in _exams(course_key).filter(pk__in=list(exam_ids))}

    def list_attempts(self, course_key: CourseKey, query: ExamListQuery, page: PageRequest) -> Page[ExamAttemptData]:
        """The course's ``ProctoredExamStudentAttempt`` rows (``get_filtered_exam_attempts``), paged in the database."""
        rows = _listed(_models().ProctoredExamStudentAttempt.objects.all(), course_key, query, _ATTEMPT_ORDERINGS)
        window, users, total = _window(rows, page)
        items = [
            ExamAttemptData(
                id=row.pk,
                user=users[row.user_id],
                exam=to_exam_data(row.proctored_exam),
                status=row.status,
                started_at=row.started_at,
                completed_at=row.completed_at,
                allowed_time_limit_mins=row.allowed_time_limit_mins,
                ready_to_resume=row.ready_to_resume,
            )
            for row in window
        ]
        return Page(items=items, total=total)

    def iter_attempt_rows(self, course_key: CourseKey, exam_id: int) -> Iterator[Sequence[object]]:
        """:meth:`list_attempts` of the exam, page by page, with the tracks of each page's learners."""
        from common.djangoapps.student.models import CourseEnrollment

        offset = 0
        while True:
            page = self.list_attempts(course_key, ExamListQuery(exam_id=exam_id), PageRequest(offset, _ROWS_PAGE))
            enrollments = CourseEnrollment.objects.filter(
                course_id=course_key, is_active=True, user_id__in={attempt.user.id for attempt in page.items}
            )
            tracks = dict(enrollments.values_list("user_id", "mode"))
            for attempt in page.items:
                yield (
                    attempt.user.username,
                    attempt.user.email,
                    tracks.get(attempt.user.id),
                    attempt.status,
                    attempt.started_at.isoformat() if attempt.started_at else None,
                    attempt.completed_at.isoformat() if attempt.completed_at else None,
                    attempt.allowed_time_limit_mins,
                )
            offset += _ROWS_PAGE
            if offset >= page.total:
                return

    def reset_attempts(self, course_key: CourseKey, exam_id: int, user_id: int, actor_id: int) -> int:
        """``edx_proctoring.api.remove_exam_attempt(attempt_id, requesting_user)`` per attempt of the learner."""
        from edx_proctoring.api import remove_exam_attempt

        attempts = _models().ProctoredExamStudentAttempt.objects.filter(
            proctored_exam__course_id=str(course_key), proctored_exam_id=exam_id, user_id=user_id
        )
        attempt_ids = list(attempts.order_by("pk").values_list("pk", flat=True))
        actor = get_user_model().objects.filter(pk=actor_id).first()
        with transaction.atomic():
            for attempt_id in attempt_ids:
                remove_exam_attempt(attempt_id, requesting_user=actor)
        return len(attempt_ids)

    def list_allowances(
        self, course_key: CourseKey, query: ExamListQuery, page: PageRequest
    ) -> Page[ExamAllowanceData]:
        """The course's ``ProctoredExamStudentAllowance`` rows (``get_allowances_for_course``), paged in the DB."""
        rows = _listed(_models().ProctoredExamStudentAllowance.objects.all(), course_key, query, _ALLOWANCE_ORDERINGS)
        window, users, total = _window(rows, page)
        items = [
            ExamAllowanceData(
                id=row.pk,
                user=users[row.user_id],
                exam=to_exam_data(row.proctored_exam),
                key=row.key,
                value=row.value,
                created=row.created,
                modified=row.modified,
            )
            for row in window
        ]
        return Page(items=items, total=total)

    def set_allowance(self, course_key: CourseKey, exam_id: int, user_id: int, key: str, value: str) -> None:
        """
        ``edx_proctoring.api.remove_allowance_for_user`` for the learner's allowances of other types, then
        ``add_allowance_for_user(exam_id, user_id, key, value)``, in one transaction.
        """
        from edx_proctoring.api import add_allowance_for_user, remove_allowance_for_user
        from edx_proctoring.exceptions import ProctoredExamNotActiveException

        with transaction.atomic():
            exam = _exams(course_key).select_for_update().filter(pk=exam_id).first()
            if exam is None:
                raise ExamNotFound(exam_id)
            held = _models().ProctoredExamStudentAllowance.objects.filter(proctored_exam=exam, user_id=user_id)
            for other_key in held.exclude(key=key).values_list("key", flat=True):
                remove_allowance_for_user(exam_id, user_id, other_key)
            try:
                add_allowance_for_user(exam_id, user_id, key, value)
            except ProctoredExamNotActiveException:
                raise ExamNotActive(exam_id) from None

    def remove_allowance(self, course_key: CourseKey, exam_id: int, user_id: int, key: str) -> bool:
        """``edx_proctoring.api.remove_allowance_for_user(exam_id, user_id, key)``."""
        from edx_proctoring.api import remove_allowance_for_user

        held = _models().ProctoredExamStudentAllowance.objects.filter(
            proctored_exam__course_id=str(course_key), proctored_exam_id=exam_id, user_id=user_id, key=key
        )
        if not held.exists():
            return False
        remove_allowance_for_user(exam_id, user_id, key)
        return True

    def supports_onboarding(self, course_key: CourseKey) -> bool:
        """``does_backend_support_onboarding`` of the provider of the course's active proctored exams."""
        backends = _exams(course_key).filter(is_active=True, is_proctored=True).values_list("backend", flat=True)
        return any(getattr(_provider(name), "supports_onboarding", False) for name in set(backends))

    def review_dashboard_available(self, course_key: CourseKey) -> bool:
        """``edx_proctoring.api.is_backend_dashboard_available(course_id)``."""
        from edx_proctoring.api import is_backend_dashboard_available

        return bool(is_backend_dashboard_available(str(course_key)))
