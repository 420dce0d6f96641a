"""
Special exams of a course: timed, proctored and practice exams, learners' attempts and allowances.

Every exam id must belong to the course (``ExamNotFound`` otherwise). A learner holds at most one
allowance per exam: adding one replaces whatever they held. Requests naming learners answer one row
per learner and exam, ``{"identifier", "exam_id", "success", "error"?}``: an unknown learner is a row,
never a failed request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from . import resolve
from .backends.data import (
    CourseData,
    ExamAllowanceData,
    ExamAttemptData,
    ExamListQuery,
    Page,
    PageRequest,
    SpecialExamData,
)
from .backends.exceptions import AmbiguousIdentifier, ExamNotFound, UserNotFound
from .backends.registry import get_backend
from .exceptions import ErrorCategory, InstructorError
from .models import AuditRecord

__all__ = [
    "ALLOWANCE_TYPES",
    "EXAM_TYPES",
    "ExamNotFound",
    "NoAttempts",
    "add_allowances",
    "exam_type",
    "get_exam",
    "list_allowances",
    "list_attempts",
    "list_exams",
    "proctoring_settings",
    "remove_allowances",
    "reset_attempts",
    "update_proctoring_settings",
]

EXAM_TYPES = ("proctored", "practice", "timed")
ALLOWANCE_TYPES = ("additional_time_granted", "review_policy_exception", "time_multiplier")
#: The ``ordering`` names a client may send (the MFE sends its dotted column ids) -> the backend's orderings.
_ORDERING_ALIASES = {
    "username": "username",
    "user.username": "username",
    "email": "email",
    "user.email": "email",
    "exam_name": "exam_name",
    "proctored_exam.exam_name": "exam_name",
    "type": "exam_type",
    "exam_type": "exam_type",
    "proctored_exam.exam_type": "exam_type",
    "time_limit": "time_limit",
    "proctored_exam.time_limit_mins": "time_limit",
    "allowed_time_limit_mins": "allowed_time_limit",
    "started_at": "started_at",
    "start_time": "started_at",
    "completed_at": "completed_at",
    "end_time": "completed_at",
    "status": "status",
    "allowance_type": "key",
    "key": "key",
    "value": "value",
}
USER_NOT_FOUND = "User not found"
AMBIGUOUS = "More than one user matches this identifier."
NO_ALLOWANCE = "No allowance of this type found for this user on this exam"
#: The proctoring settings ``update_proctoring_settings`` writes.
WRITABLE_PROCTORING_SETTINGS = ("proctoring_escalation_email", "create_zendesk_tickets", "enable_proctored_exams")


class NoAttempts(InstructorError):
    """The learner has no attempt at the exam to reset."""

    category = ErrorCategory.NOT_FOUND
    error_code = "attempt_not_found"
    message = "No attempts found for this user on this exam."


def exam_type(exam: SpecialExamData) -> str:
    """``practice``, else ``proctored``, else ``timed``."""
    if exam.is_practice_exam:
        return "practice"
    return "proctored" if exam.is_proctored else "timed"


def _ordering(value: str | None) -> str | None:
    """The backend ordering of a client's ``ordering`` (``-`` first for descending); None when unknown."""
    text = (value or "").strip()
    name = _ORDERING_ALIASES.get(text.removeprefix("-"))
    if name is None:
        return None
    return f"-{name}" if text.startswith("-") else name


def list_exams(course_key: CourseKey, type_filter: str | None = None) -> Sequence[SpecialExamData]:
    """The course's exams; a ``type_filter`` other than one of :data:`EXAM_TYPES` (any case) filters nothing."""
    wanted = (type_filter or "").strip().lower()
    return get_backend().special_exams.list_exams(course_key, wanted if wanted in EXAM_TYPES else None)


def get_exam(course_key: CourseKey, exam_id: object) -> SpecialExamData:
    """An exam of the course by its id (text or integer); raises ``ExamNotFound``."""
    return resolve.exam(course_key, exam_id)


def list_attempts(
    course_key: CourseKey,
    page: PageRequest,
    search: str | None = None,
    ordering: str | None = None,
    exam_id: object = None,
) -> Page[ExamAttemptData]:
    """
    One page of the course's attempts (of one exam of the course with ``exam_id``, else ``ExamNotFound``).

    An unknown ``ordering`` is ignored: the list is then in username order.
    """
    exam = get_exam(course_key, exam_id) if exam_id is not None else None
    query = ExamListQuery(search=search, ordering=_ordering(ordering), exam_id=exam.id if exam else None)
    return get_backend().special_exams.list_attempts(course_key, query, page)


def list_allowances(
    course_key: CourseKey, page: PageRequest, search: str | None = None, ordering: str | None = None
) -> Page[ExamAllowanceData]:
    """One page of the course's allowances; an unknown ``ordering`` is ignored (username order)."""
    query = ExamListQuery(search=search, ordering=_ordering(ordering))
    return get_backend().special_exams.list_allowances(course_key, query, page)


def reset_attempts(actor_id: int, course_key: CourseKey, exam_id: object, username: str) -> str:
    """
    Remove every attempt of the user at the exam, audited; return the success message.

    Raises ``ExamNotFound``, ``UserNotFound``, ``AmbiguousIdentifier`` or :class:`NoAttempts`.
    """
    backend = get_backend()
    exam = get_exam(course_key, exam_id)
    user = resolve.learner(course_key, username)
    with transaction.atomic():
        removed = backend.special_exams.reset_attempts(course_key, exam.id, user.id, actor_id)
        if not removed:
            raise NoAttempts(username)
        AuditRecord.objects.create(
            course_key=course_key,
            action="reset_exam_attempts",
            actor_id=actor_id,
            learner_id=user.id,
            detail={"exam_id": exam.id, "content_id": str(exam.content_id), "removed": removed},
        )
    return f"Exam attempt reset for user {user.username}"


def _resolve(identifier: str) -> tuple[int | None, str | None]:
    """The user id of a username or email, or the row error."""
    try:
        return resolve.member(identifier).id, None
    except UserNotFound:
        return None, USER_NOT_FOUND
    except AmbiguousIdentifier:
        return None, AMBIGUOUS


def _row(identifier, exam_id: int, error: str | None) -> dict:
    row = {"identifier": identifier, "exam_id": exam_id, "success": error is None}
    if error:
        row["error"] = error
    return row


def add_allowances(
    course_key: CourseKey, exam_ids: Sequence[int], identifiers: Sequence[str], allowance_type: str, value: str
) -> list[dict]:
    """
    Give every learner named the allowance on every exam, replacing the one they held; one row each.

    All of it or nothing is written. Raises ``ExamNotFound`` when an exam is not one of the course's.
    """
    backend = get_backend()
    exams = backend.special_exams.get_exams(course_key, exam_ids)
    missing = [exam_id for exam_id in exam_ids if exam_id not in exams]
    if missing:
        raise ExamNotFound(missing[0])
    resolved = {identifier: _resolve(identifier) for identifier in dict.fromkeys(identifiers)}
    rows = []
    with transaction.atomic():
        for exam_id in dict.fromkeys(exam_ids):
            for identifier, (user_id, error) in resolved.items():
                if user_id is not None:
                    backend.special_exams.set_allowance(course_key, exam_id, user_id, allowance_type, value)
                rows.append(_row(identifier, exam_id, error))
    return rows


def remove_allowances(
    course_key: CourseKey, exam_id: object, users: Iterable[int | str], allowance_type: str
) -> list[dict]:
    """
    Remove the learners' allowance of ``allowance_type`` on the exam; one row per learner.

    A learner is a user id (an integer) or a username or email (a string). Raises ``ExamNotFound``.
    """
    backend = get_backend()
    exam = get_exam(course_key, exam_id)
    users = list(dict.fromkeys(users))
    known = backend.users.get_users([user for user in users if isinstance(user, int)])
    rows = []
    for user in users:
        if isinstance(user, int):
            user_id, error = (user, None) if user in known else (None, USER_NOT_FOUND)
        else:
            user_id, error = _resolve(user)
        if user_id is not None and not backend.special_exams.remove_allowance(
            course_key, exam.id, user_id, allowance_type
        ):
            error = NO_ALLOWANCE
        rows.append(_row(user, exam.id, error))
    return rows


def proctoring_settings(course: CourseData) -> dict:
    """The course's proctoring settings and what its proctoring provider offers the dashboard."""
    exams = get_backend().special_exams
    return {
        "proctoring_provider": course.proctoring_provider or None,
        "proctoring_escalation_email": course.proctoring_escalation_email or None,
        "create_zendesk_tickets": course.create_zendesk_tickets,
        "enable_proctored_exams": course.enable_proctored_exams,
        "supports_onboarding": exams.supports_onboarding(course.course_key),
        "review_dashboard_available": exams.review_dashboard_available(course.course_key),
    }


def update_proctoring_settings(course: CourseData, values: dict) -> dict:
    """Write the :data:`WRITABLE_PROCTORING_SETTINGS` among ``values`` and return the settings."""
    changes = {name: values[name] for name in WRITABLE_PROCTORING_SETTINGS if name in values}
    if changes:
        course = get_backend().courses.update_course_settings(course.course_key, **changes)
    return proctoring_settings(course)
