"""
Enrolling or unenrolling a list of learners, a chunk of identifiers at a time, with progress.

Every identifier yields a result row; a bad identifier is a row, never a failure of the batch.
The accounts, enrollments and allowed entries a chunk's identifiers name are read in sets, and
its enrollments, allowed entries, cohort placements and audit rows written in sets (:class:`_Batch`),
in a savepoint: should a set write fail, the chunk is done again one identifier at a time, each
in its own savepoint.
A long list runs as the background task ``batch_enrollment``
(:func:`start_enrollment_batch_task`), whose per-identifier results are the task's result rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from .backends.data import (
    AllowedEnrollmentData,
    CourseData,
    EnrollmentData,
    IdentifierEnrollmentState,
    ManualEnrollmentAuditData,
)
from .backends.exceptions import AmbiguousIdentifier, CourseFull, EnrollmentClosed, EnrollmentNotAllowed, UserNotFound
from .backends.registry import get_backend
from .cohorts import place_new_learners
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
    enrollment_room,
    enrollment_started_filter_configured,
    get_email_params,
    is_cohorted,
    send_batch_enrollment_summary,
    send_enroll_message,
    send_unenroll_messages,
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
#: Identifiers whose states are read, and whose changes are written, in one set: each set costs about 20
#: queries (the cohorts, the reads, the writes) whatever its size; 500 keeps every ``IN`` list below the
#: 1,000 values at which MariaDB turns it into a derived table.
STATE_CHUNK_SIZE = 500
_NOT_AN_IDENTIFIER = "Not a known username or a valid email address."


def _chunked(identifiers: Sequence[str]) -> Iterator[list[str]]:
    pending = iter(identifiers)
    while chunk := list(islice(pending, STATE_CHUNK_SIZE)):
        yield chunk


@dataclass(frozen=True)
class _Planned:
    """An identifier of a chunk whose state was read in the chunk's set, and the email it names."""

    index: int
    identifier: str
    email: str
    language: str | None
    before: EmailEnrollmentState


class _Batch:
    """
    One batch's settings and what its chunks share: the course, read once, and the accounts changed so far.

    A chunk's states are read in one set and its writes made in sets (:meth:`process`). An identifier
    asked for a second time, or naming an account or email this batch already changed, has no pre-read
    state: it is processed on its own, after the chunk's sets, as is every identifier of a chunk whose
    writes in sets failed.
    """

    def __init__(
        self,
        actor_id: int | None,
        course_key: CourseKey,
        action: str,
        auto_enroll: bool,
        email_students: bool,
        reason: str | None,
        secure: bool,
    ):
        self.actor_id = actor_id
        self.course_key = course_key
        self.action = action
        self.auto_enroll = auto_enroll
        self.email_students = email_students
        self.reason = reason
        self.email_params = get_email_params(self.course, auto_enroll, secure=secure) if email_students else None
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

    def process(self, chunk: list[str]) -> list[dict]:
        """
        The result of every identifier of ``chunk``, in order, its changes made.

        With a ``CourseEnrollmentStarted`` step configured, enrolling goes one identifier at a time, so
        that the step sees, and may refuse or re-mode, each new enrollment as on every other door.
        """
        if self.action == ENROLL and enrollment_started_filter_configured():
            return [self._process_alone(identifier) for identifier in chunk]
        fresh = [identifier for identifier in dict.fromkeys(chunk) if identifier not in self._asked]
        states = get_backend().enrollments.get_identifier_states(self.course_key, fresh) if fresh else {}
        results: list[dict | None] = [None] * len(chunk)
        planned: list[_Planned] = []
        alone: list[int] = []
        for index, identifier in enumerate(chunk):
            state = self._claim(identifier, states)
            if state is None:
                alone.append(index)
            elif state.ambiguous:
                results[index] = _failure(identifier, "error", "More than one user matches this identifier.")
            else:
                user = state.user
                email, language = (user.email, user.language) if user else (identifier.strip(), None)
                try:
                    validate_email(email)
                except ValidationError:
                    results[index] = _failure(identifier, "invalid_identifier", _NOT_AN_IDENTIFIER)
                    continue
                records = (state.enrollment, state.allowed)
                before = EmailEnrollmentState(self.course_key, email, user=user, records=records)
                planned.append(_Planned(index, identifier, email, language, before))
        if planned:
            try:
                with transaction.atomic():
                    outcomes = self._enroll(planned) if self.action == ENROLL else self._unenroll(planned)
            except Exception:
                log.exception(
                    "Could not %s a chunk in %s in sets; one identifier at a time", self.action, self.course_key
                )
                alone.extend(item.index for item in planned)
            else:
                for item, outcome in zip(planned, outcomes, strict=True):
                    results[item.index] = outcome
        for index in sorted(alone):
            results[index] = self._process_alone(chunk[index])
        return [result for result in results if result is not None]

    def _claim(
        self, identifier: str, states: Mapping[str, IdentifierEnrollmentState]
    ) -> IdentifierEnrollmentState | None:
        if identifier in self._asked:
            return None
        self._asked.add(identifier)
        state = states[identifier]
        user_id = state.user.id if state.user else None
        email = (state.user.email if state.user else identifier).strip().lower()
        if user_id in self._changed or email in self._changed:
            return None
        self._changed.update(key for key in (user_id, email) if key is not None)
        return state

    def _process_alone(self, identifier: str) -> dict:
        return _process_one(
            self.actor_id,
            self.course_key,
            self.action,
            identifier,
            self.auto_enroll,
            self.email_students,
            self.reason,
            self.email_params,
        )

    def _enroll(self, planned: list[_Planned]) -> list[dict]:
        """Enroll active accounts and allow the other emails, in sets; new learners join their cohorts."""
        enrollments = get_backend().enrollments
        allowing = {item.index for item in planned if not (item.before.user and item.before.user.is_active)}
        newcomers = [item for item in planned if item.index not in allowing and not item.before.enrollment]
        refused = self._refusals(newcomers)
        joining = [item.before.user for item in newcomers if item.index not in refused and item.before.user]
        enrolled = enrollments.enroll_many(self.course_key, [user.id for user in joining]) if joining else {}
        if joining and self.cohorted:
            place_new_learners(self.course_key, joining)
        emails = [item.email for item in planned if item.index in allowing]
        allowed = enrollments.allow_many(self.course_key, emails, self.auto_enroll) if emails else {}
        outcomes: list[dict] = []
        audits: list[ManualEnrollmentAuditData] = []
        for item in planned:
            before, user = item.before, item.before.user
            if item.index in refused:
                outcomes.append(_failure(item.identifier, "error", refused[item.index]))
                continue
            records: tuple[EnrollmentData | None, AllowedEnrollmentData | None]
            if item.index in allowing:
                records = (before.enrollment_record, allowed[item.email.strip().lower()])
            else:
                records = (enrolled.get(user.id, before.enrollment_record) if user else None, before.allowed_record)
            after = EmailEnrollmentState(self.course_key, item.email, user=user, records=records)
            if self.email_students:
                send_enroll_message(item.email, before, self.email_params, item.language)
            outcomes.append(self._success(item, after, _enroll_transition(before, after), audits))
        enrollments.record_manual_enrollments(audits)
        return outcomes

    def _refusals(self, newcomers: list[_Planned]) -> dict[int, str]:
        """The error message of each new enrollment the course's window or capacity refuses, by index."""
        if not newcomers:
            return {}
        try:
            room = enrollment_room(self.course, len(newcomers))
        except EnrollmentClosed as closed:
            return {item.index: closed.message for item in newcomers}
        return {item.index: CourseFull(self.course_key).message for item in newcomers[room:]}

    def _unenroll(self, planned: list[_Planned]) -> list[dict]:
        """End the enrollments and withdraw the allowed entries of the chunk, in sets."""
        enrollments = get_backend().enrollments
        leaving = [item.before.user.id for item in planned if item.before.enrollment and item.before.user]
        unenrolled = enrollments.unenroll_many(self.course_key, leaving) if leaving else {}
        withdrawn = [item.email for item in planned if item.before.allowed]
        if withdrawn:
            enrollments.disallow_many(self.course_key, withdrawn)
        outcomes: list[dict] = []
        audits: list[ManualEnrollmentAuditData] = []
        for item in planned:
            before, user = item.before, item.before.user
            enrollment = before.enrollment_record
            if before.enrollment and user:
                enrollment = unenrolled.get(user.id, enrollment)
            after = EmailEnrollmentState(self.course_key, item.email, user=user, records=(enrollment, None))
            if self.email_students:
                send_unenroll_messages(item.email, before, self.email_params, item.language)
            outcomes.append(self._success(item, after, _unenroll_transition(before), audits))
        enrollments.record_manual_enrollments(audits)
        return outcomes

    def _success(
        self, item: _Planned, after: EmailEnrollmentState, transition: str, audits: list[ManualEnrollmentAuditData]
    ) -> dict:
        audits.append(
            ManualEnrollmentAuditData(
                enrolled_by_id=self.actor_id,
                enrolled_email=item.email,
                course_key=self.course_key,
                state_transition=transition,
                reason=self.reason or "",
            )
        )
        return {
            "identifier": item.identifier,
            "before": item.before.to_dict(),
            "after": after.to_dict(),
            "success": True,
            "state_transition": transition,
        }


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
) -> dict:
    backend = get_backend()
    language: str | None = None
    try:
        user = backend.users.find_user(identifier)
        email, language = user.email, user.language
    except UserNotFound:
        email = identifier.strip()
    except AmbiguousIdentifier:
        return _failure(identifier, "error", "More than one user matches this identifier.")
    try:
        validate_email(email)
    except ValidationError:
        return _failure(identifier, "invalid_identifier", _NOT_AN_IDENTIFIER)

    try:
        with transaction.atomic():
            if action == ENROLL:
                before, after, _ = enroll_email(course_key, email, auto_enroll, email_students, email_params, language)
                transition = _enroll_transition(before, after)
            else:
                before, after = unenroll_email(course_key, email, email_students, email_params, language)
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
    batch = _Batch(
        request_user.pk if request_user else None, course_key, action, auto_enroll, email_students, reason, secure
    )
    results: list[dict] = []
    total = len(identifiers)
    for chunk in _chunked(identifiers):
        results.extend(batch.process(chunk))
        if progress_callback:
            for done in range(len(results) - len(chunk) + 1, len(results) + 1):
                progress_callback(done, total, results[:done])
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
    batch = _Batch(
        run.requester_id,
        run.course_key,
        action,
        data["auto_enroll"],
        data["email_students"],
        data["reason"],
        data["secure"],
    )
    for chunk in _chunked(identifiers):
        # The chunk's writes, its result rows and the task's progress commit together.
        with transaction.atomic():
            results = batch.process(chunk)
            run.each(
                list(zip(chunk, results, strict=True)),
                _item_result,
                total=len(identifiers),
                describe=lambda pair: pair[0],
                chunk_size=len(chunk),
                savepoints=False,
            )
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


def _item_result(pair: tuple[str, dict]) -> ItemResult:
    identifier, result = pair
    return ItemResult(
        identifier=identifier,
        succeeded=result["success"],
        message=result.get("error_message", result.get("state_transition", "")),
        detail=result,
    )


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
