"""
Enrolling or unenrolling a list of learners, one identifier at a time, with progress.

Every identifier is processed in its own savepoint and yields a result row; a bad
identifier is a row, never a failure of the batch. The accounts, enrollments and allowed
entries the identifiers name are read in sets, a chunk at a time (:class:`_StateReader`).
A long list runs as the background task ``batch_enrollment``
(:func:`start_enrollment_batch_task`), whose per-identifier results are the task's result rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from .backends.data import CourseData, IdentifierEnrollmentState, ManualEnrollmentAuditData
from .backends.exceptions import AmbiguousIdentifier, CourseFull, EnrollmentClosed, EnrollmentNotAllowed, UserNotFound
from .backends.registry import get_backend
from .enrollment import (
    ALLOWEDTOENROLL_TO_ENROLLED,
    ALLOWEDTOENROLL_TO_UNENROLLED,
    DEFAULT_TRANSITION_STATE,
    ENROLLED_TO_ENROLLED,
    ENROLLED_TO_UNENROLLED,
    UNENROLLED_TO_ALLOWEDTOENROLL,
    UNENROLLED_TO_ENROLLED,
    UNENROLLED_TO_UNENROLLED,
    EmailEnrollmentState,
    enroll_email,
    get_email_params,
    is_cohorted,
    send_batch_enrollment_summary,
    unenroll_email,
)
from .instructor_tasks import ItemResult, TaskRun, task_type
from .models import InstructorTask
from .tasks import submit_task

__all__ = [
    "ENROLL",
    "ENROLLMENT_BATCH_TASK",
    "UNENROLL",
    "process_single_student_enrollment",
    "process_student_enrollment_batch",
    "start_enrollment_batch_task",
]

log = logging.getLogger(__name__)

ENROLL = "enroll"
UNENROLL = "unenroll"
ENROLLMENT_BATCH_TASK = "batch_enrollment"

ProgressCallback = Callable[[int, int, list[dict]], None]
#: Identifiers whose states are read in one set.
STATE_CHUNK_SIZE = 200


def _chunked(identifiers: Sequence[str]) -> Iterator[list[str]]:
    pending = iter(identifiers)
    while chunk := list(islice(pending, STATE_CHUNK_SIZE)):
        yield chunk


class _StateReader:
    """
    The states of a batch's identifiers, read a chunk ahead in a fixed number of queries per chunk.

    Identifiers are asked for in the batch's order. One asked for a second time, or naming an account
    or email this batch already changed, has no pre-read state (``None``): it is read on its own.
    """

    def __init__(self, course_key: CourseKey, identifiers: Sequence[str]):
        self.course_key = course_key
        self._chunks: Iterator[list[str]] = _chunked(identifiers)
        self._states: dict[str, IdentifierEnrollmentState] = {}
        self._asked: set[str] = set()
        self._changed: set[str | int] = set()

    @cached_property
    def course(self) -> CourseData:
        """The course, read once for the enrollment rules of every identifier."""
        return get_backend().courses.get_course(self.course_key)

    @cached_property
    def cohorted(self) -> bool:
        """Whether newly enrolled learners join a cohort, read once."""
        return is_cohorted(self.course_key)

    def state(self, identifier: str) -> IdentifierEnrollmentState | None:
        if identifier in self._asked:
            return None
        self._asked.add(identifier)
        while identifier not in self._states:
            chunk = next(self._chunks, None)
            if chunk is None:
                return None
            self._states = dict(get_backend().enrollments.get_identifier_states(self.course_key, chunk))
        state = self._states.pop(identifier)
        user_id = state.user.id if state.user else None
        email = (state.user.email if state.user else identifier).strip().lower()
        if user_id in self._changed or email in self._changed:
            return None
        self._changed.update(key for key in (user_id, email) if key is not None)
        return state


def _enroll_transition(before: EmailEnrollmentState, after: EmailEnrollmentState) -> str:
    if before.user and after.enrollment:
        if before.enrollment:
            return ENROLLED_TO_ENROLLED
        if before.allowed:
            return ALLOWEDTOENROLL_TO_ENROLLED
        return UNENROLLED_TO_ENROLLED
    if after.allowed:
        return UNENROLLED_TO_ALLOWEDTOENROLL
    return DEFAULT_TRANSITION_STATE


def _unenroll_transition(before: EmailEnrollmentState) -> str:
    if before.enrollment:
        return ENROLLED_TO_UNENROLLED
    if before.allowed:
        return ALLOWEDTOENROLL_TO_UNENROLLED
    return UNENROLLED_TO_UNENROLLED


def process_single_student_enrollment(
    request_user,
    course_key: CourseKey,
    action: str,
    identifier: str,
    auto_enroll: bool,
    email_students: bool,
    reason: str | None,
    email_params: dict | None,
) -> dict:
    """
    Enroll or unenroll one learner given by username or email, and audit the change.

    Returns ``{"identifier", "before", "after", "success": True, "state_transition"}`` or,
    on failure, ``{"identifier", "success": False, "invalid_identifier" | "error": True,
    "error_message"}``. An unknown username that is not an email is an invalid identifier;
    an unknown email becomes an allowed-to-enroll entry.
    """
    return _process_one(
        request_user.pk if request_user else None,
        course_key,
        action,
        identifier,
        auto_enroll,
        email_students,
        reason,
        email_params,
    )


def _process_one(
    actor_id: int | None,
    course_key: CourseKey,
    action: str,
    identifier: str,
    auto_enroll: bool,
    email_students: bool,
    reason: str | None,
    email_params: dict | None,
    reader: _StateReader | None = None,
) -> dict:
    backend = get_backend()
    state = reader.state(identifier) if reader else None
    known: EmailEnrollmentState | None = None
    if state is not None:
        if state.ambiguous:
            return _failure(identifier, "error", "More than one user matches this identifier.")
        user = state.user
        email, language = (user.email, user.language) if user else (identifier.strip(), None)
        known = EmailEnrollmentState(course_key, email, user=user, records=(state.enrollment, state.allowed))
    else:
        try:
            user = backend.users.find_user(identifier)
            email, language = user.email, user.language
        except UserNotFound:
            email, language = identifier.strip(), None
        except AmbiguousIdentifier:
            return _failure(identifier, "error", "More than one user matches this identifier.")
    try:
        validate_email(email)
    except ValidationError:
        return _failure(identifier, "invalid_identifier", "Not a known username or a valid email address.")

    try:
        with transaction.atomic():
            if action == ENROLL:
                before, after, _ = enroll_email(
                    course_key,
                    email,
                    auto_enroll,
                    email_students,
                    email_params,
                    language=language,
                    before=known,
                    course=reader.course if reader and known else None,
                    cohorted=reader.cohorted if reader else None,
                )
                transition = _enroll_transition(before, after)
            else:
                before, after = unenroll_email(
                    course_key, email, email_students, email_params, language=language, before=known
                )
                transition = _unenroll_transition(before)
            backend.enrollments.record_manual_enrollment(
                ManualEnrollmentAuditData(
                    enrolled_by_id=actor_id,
                    enrolled_email=email,
                    course_key=course_key,
                    state_transition=transition,
                    reason=reason or "",
                )
            )
    except (EnrollmentClosed, EnrollmentNotAllowed, CourseFull) as error:
        return _failure(identifier, "error", error.message)
    except Exception:
        log.exception("Could not %s %r in %s", action, identifier, course_key)
        return _failure(identifier, "error", "The change could not be made; nothing was changed for this learner.")
    return {
        "identifier": identifier,
        "before": before.to_dict(),
        "after": after.to_dict(),
        "success": True,
        "state_transition": transition,
    }


def _failure(identifier: str, kind: str, message: str) -> dict:
    return {"identifier": identifier, kind: True, "success": False, "error_message": message}


def process_student_enrollment_batch(
    request_user,
    course_key: CourseKey,
    action: str,
    identifiers: Sequence[str],
    auto_enroll: bool,
    email_students: bool,
    reason: str | None,
    secure: bool,
    progress_callback: ProgressCallback | None = None,
) -> dict:
    """
    Enroll or unenroll every identifier, calling ``progress_callback(done, total, results)`` after each.

    Returns ``{"action", "auto_enroll", "results", "successful_operations",
    "failed_operations", "total_students"}``.
    """
    email_params = None
    if email_students:
        course = get_backend().courses.get_course(course_key)
        email_params = get_email_params(course, auto_enroll, secure=secure)
    results: list[dict] = []
    total = len(identifiers)
    reader = _StateReader(course_key, identifiers)
    actor_id = request_user.pk if request_user else None
    for done, identifier in enumerate(identifiers, start=1):
        results.append(
            _process_one(
                actor_id, course_key, action, identifier, auto_enroll, email_students, reason, email_params, reader
            )
        )
        if progress_callback:
            progress_callback(done, total, results)
    succeeded = sum(1 for result in results if result["success"])
    return {
        "action": action,
        "auto_enroll": auto_enroll,
        "results": results,
        "successful_operations": succeeded,
        "failed_operations": total - succeeded,
        "total_students": total,
    }


def start_enrollment_batch_task(
    request_user,
    course_key: CourseKey,
    action: str,
    identifiers: Sequence[str],
    auto_enroll: bool,
    email_students: bool,
    reason: str | None,
    secure: bool,
) -> InstructorTask:
    """
    Queue the enrollment change of ``identifiers`` as a background task.

    The same list submitted again while the first runs raises ``AlreadyRunning``.
    """
    digest = hashlib.sha256("\n".join(sorted(identifiers)).encode()).hexdigest()
    task_input = {
        "action": action,
        "identifiers": list(identifiers),
        "auto_enroll": auto_enroll,
        "email_students": email_students,
        "reason": reason or "",
        "secure": secure,
    }
    return submit_task(ENROLLMENT_BATCH_TASK, course_key, request_user.pk, task_input, scope=f"{action}:{digest}")


@task_type(ENROLLMENT_BATCH_TASK)
def _run_enrollment_batch(run: TaskRun) -> dict:
    data = run.input
    action, identifiers = data["action"], data["identifiers"]
    email_params = None
    if data["email_students"]:
        course = get_backend().courses.get_course(run.course_key)
        email_params = get_email_params(course, data["auto_enroll"], secure=data["secure"])
    reader = _StateReader(run.course_key, identifiers)

    def enroll_one(identifier: str) -> ItemResult:
        result = _process_one(
            run.requester_id,
            run.course_key,
            action,
            identifier,
            data["auto_enroll"],
            data["email_students"],
            data["reason"],
            email_params,
            reader,
        )
        return ItemResult(
            identifier=identifier,
            succeeded=result["success"],
            message=result.get("error_message", result.get("state_transition", "")),
            detail=result,
        )

    # Each identifier's writes run in _process_one's own savepoint, which turns every error into a result row.
    run.each(identifiers, enroll_one, total=len(identifiers), savepoints=False)
    counts = run.counts()
    summary = {
        "message": f"{action.capitalize()}ed {counts['succeeded']} of {len(identifiers)} identifiers.",
        "action": action,
        "auto_enroll": data["auto_enroll"],
        "successful_operations": counts["succeeded"],
        "failed_operations": counts["failed"],
        "total_students": len(identifiers),
    }
    _send_summary(run, summary)
    return summary


def _send_summary(run: TaskRun, summary: dict) -> None:
    """Mail the batch's outcome to the user who started it, if they still exist."""
    if run.requester_id is None:
        return
    backend = get_backend()
    try:
        requester = backend.users.get_user(run.requester_id)
    except UserNotFound:
        return
    course = backend.courses.get_course(run.course_key)
    send_batch_enrollment_summary(requester, course, str(run.record.task_id), summary)
