"""
Request text turned into typed values of one course: the course, a learner, a block, an exam, a task, a report.

Every parser of a course id, a usage key or an id from a request goes through here, so each
follows one rule and raises one error of :mod:`instructor_plugin.exceptions`:

- a course id that is malformed or names no course: ``CourseNotFound``;
- a usage key: malformed is :class:`InvalidUsageKey`; a run-less legacy key (``i4x://org/num/...``)
  of the course's org and number is taken as the course's; a key of any other course is
  ``BlockNotFound``, as is a key naming no block;
- an id (exam, report, schedule): anything but an integer in ``1..MAX_ID`` is not found, before any query;
- everything named must belong to the course: another course's is not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from .backends.data import BlockData, CourseData, SpecialExamData, UserData
from .backends.exceptions import BlockNotFound, CourseNotFound, ExamNotFound
from .backends.registry import get_backend
from .exceptions import ErrorCategory, InstructorError
from .instructor_tasks import get_task
from .models import CourseEmailSchedule, InstructorTask, Report

__all__ = [
    "BLOCK",
    "MAX_ID",
    "PROBLEM",
    "UNIT",
    "BlockErrors",
    "InvalidUsageKey",
    "LearnerNotEnrolled",
    "ReportNotFound",
    "ScheduleNotFound",
    "TaskNotFound",
    "TaskNotVisible",
    "block",
    "course",
    "database_id",
    "exam",
    "learner",
    "member",
    "report",
    "schedule",
    "task",
    "usage_key",
]

#: The largest id a database integer column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class InvalidUsageKey(InstructorError):
    """The text is not a usage key."""

    error_code = "invalid_usage_key"
    message = "Invalid usage key."


class LearnerNotEnrolled(InstructorError):
    """The learner is not enrolled in the course."""

    error_code = "learner_not_enrolled"
    message = "Could not find student enrollment in the course."


class TaskNotFound(InstructorError):
    """No background task of this id in the course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "task_not_found"
    message = "Task not found."


class TaskNotVisible(InstructorError):
    """The caller may see only the tasks they started, and this one (if it exists) is not theirs."""

    category = ErrorCategory.FORBIDDEN
    error_code = "permission_denied"
    message = "You may only see tasks you started."


class ReportNotFound(InstructorError):
    """No report of this id in the course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "report_not_found"
    message = "Report not found."


class ScheduleNotFound(InstructorError):
    """No scheduled email of this id in the course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "schedule_not_found"

    def __init__(self, schedule_id: object):
        message = f"Cannot update instructor task schedule '{schedule_id}', a schedule with this ID does not exist"
        super().__init__(schedule_id, message=message)


@dataclass(frozen=True)
class BlockErrors:
    """How a block that cannot be resolved is reported where it is asked for (a problem, a unit ...)."""

    invalid_code: str = InvalidUsageKey.error_code
    invalid_message: str = InvalidUsageKey.message
    missing_code: str = BlockNotFound.error_code
    missing_message: str = BlockNotFound.message

    def invalid(self, text: str) -> InvalidUsageKey:
        return InvalidUsageKey(text, message=self.invalid_message, error_code=self.invalid_code)

    def missing(self, key: object) -> BlockNotFound:
        return BlockNotFound(key, message=self.missing_message, error_code=self.missing_code)


BLOCK = BlockErrors()
PROBLEM = BlockErrors(
    "invalid_problem_location", "Invalid problem location.", "problem_not_found", "Problem not found."
)
UNIT = BlockErrors("invalid_block_id", "Invalid block id.", "block_not_found", "Unit not found in this course.")


def course(course_id: str | CourseKey) -> CourseData:
    """The course of a course id (``course-v1:ORG+NUM+RUN`` or ``ORG/NUM/RUN``); raises ``CourseNotFound``."""
    if isinstance(course_id, CourseKey):
        course_key = course_id
    else:
        try:
            course_key = CourseKey.from_string(str(course_id))
        except InvalidKeyError:
            raise CourseNotFound(course_id) from None
    return get_backend().courses.get_course(course_key)


def _in_course(key: UsageKey, course_key: CourseKey) -> bool:
    """
    Whether a usage key is of the course: same org and number, and same run unless the key has none
    (a legacy key), whatever its form (``course-v1:`` or ``org/num/run``, with a branch or not).
    """
    key_course = key.course_key
    if type(key_course) is not type(course_key):
        return False
    names = ("org", "course", "ccx") if key_course.run is None else ("org", "course", "run", "ccx")
    return all(getattr(key_course, name, None) == getattr(course_key, name, None) for name in names)


def usage_key(course_key: CourseKey, text: str, errors: BlockErrors = BLOCK) -> UsageKey:
    """
    The usage key ``text`` names in the course, by the one key rule (without looking the block up).

    A run-less legacy key of the course's org and number is mapped into the course; a malformed key
    raises ``errors.invalid``, a key of another course ``errors.missing``.
    """
    try:
        key = UsageKey.from_string(str(text).strip())
    except InvalidKeyError:
        raise errors.invalid(text) from None
    if _in_course(key, course_key):
        return key.map_into_course(course_key)
    raise errors.missing(key)


def block(course_key: CourseKey, text: str, errors: BlockErrors = BLOCK) -> BlockData:
    """The block of the course ``text`` names (see :func:`usage_key`); one naming no block raises ``errors.missing``."""
    key = usage_key(course_key, text, errors)
    try:
        return get_backend().courses.get_block(course_key, key)
    except BlockNotFound:
        raise errors.missing(key) from None


def learner(course_key: CourseKey, identifier: str, *, enrolled: bool = False) -> UserData:
    """
    The user a username or email names (exact; email case-insensitive); with ``enrolled``, actively enrolled.

    Raises ``UserNotFound``, ``AmbiguousIdentifier`` or :class:`LearnerNotEnrolled`.
    """
    backend = get_backend()
    user = backend.users.find_user(identifier)
    if enrolled:
        enrollment = backend.enrollments.get_enrollment(course_key, user.id)
        if not (enrollment and enrollment.is_active):
            raise LearnerNotEnrolled(user.username)
    return user


def member(identifier: str) -> UserData:
    """The user (a course-team member or one to become one) a username or email names; as :func:`learner`."""
    return get_backend().users.find_user(identifier)


def database_id(value: object) -> int | None:
    """An id as the database stores it: an integer (or its digits) in ``1..MAX_ID``; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def exam(course_key: CourseKey, exam_id: object) -> SpecialExamData:
    """The course's special exam of this id; a malformed or out-of-range id, another course's exam: ``ExamNotFound``."""
    number = database_id(exam_id)
    if number is None:
        raise ExamNotFound(exam_id)
    return get_backend().special_exams.get_exam(course_key, number)


def task(course_key: CourseKey, task_id: object, *, requester_id: int | None = None) -> InstructorTask:
    """
    The course's background task of this id (a UUID).

    With ``requester_id``, the caller may see only tasks that user started: any other id, whether
    or not it exists, raises :class:`TaskNotVisible`. Otherwise an unknown id raises :class:`TaskNotFound`.
    """
    record = get_task(course_key, str(task_id))
    if requester_id is not None and (record is None or record.requester_id != requester_id):
        raise TaskNotVisible(task_id)
    if record is None:
        raise TaskNotFound(task_id)
    return record


def report(course_key: CourseKey, report_id: object) -> Report:
    """The course's report of this id; raises :class:`ReportNotFound`."""
    number = database_id(report_id)
    found = Report.objects.filter(course_key=course_key, pk=number).first() if number is not None else None
    if found is None:
        raise ReportNotFound(report_id)
    return found


def schedule(course_key: CourseKey, schedule_id: object, *, for_update: bool = False) -> CourseEmailSchedule:
    """The course's email schedule of this id (locked with ``for_update``); raises :class:`ScheduleNotFound`."""
    number = database_id(schedule_id)
    rows = CourseEmailSchedule.objects.filter(email__course_key=course_key, task__course_key=course_key)
    if for_update:
        rows = rows.select_for_update()
    found = rows.select_related("task", "email").filter(pk=number).first() if number is not None else None
    if found is None:
        raise ScheduleNotFound(schedule_id)
    return found
