"""
Program enrollments (seed 004): the Python API of Open edX's ``program_enrollments`` app, by name and signature.

Universities enroll their learners in a program (a Master's track) by their own student ids, the
*external user keys*, before the learners have accounts. A program enrollment without an account is
*waiting*; linking an account (:func:`link_program_enrollments`, or :func:`link_external_user_key`
when the organisation's key of a new account becomes known) realises it, and every program-course
enrollment it holds enrolls the account in the course run in the ``masters`` mode::

    write_program_enrollments(uuid, [{"external_user_key": "s-001", "status": "pending",
                                      "curriculum_uuid": curriculum}], create=True, update=False)
    -> {"s-001": "pending"}
    write_program_course_enrollments(uuid, course_key, [{"external_user_key": "s-001", "status": "active"}],
                                     create=True, update=False)
    -> {"s-001": "active"}

Users may be given as ids or as anything with an ``id`` (``UserData``, a ``User``). Reads return the
backend's dataclasses (``ProgramEnrollmentData``...), not model instances. Writes take an optional
``actor_id`` (who asked): program-level changes are recorded in the enrollments' history, course
enrollments and role changes also in the audit trail.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .backends.data import (
    CourseData,
    CursorPage,
    CursorRequest,
    EnrollmentData,
    LearnerCourseRunData,
    NewProgramCourseEnrollment,
    NewProgramEnrollment,
    OrganizationResetData,
    ProgramCourseEnrollmentData,
    ProgramData,
    ProgramEnrollmentData,
    UserData,
)
from .backends.exceptions import AmbiguousIdentifier, CourseNotFound, UserNotFound
from .backends.registry import get_backend
from .conf import plugin_setting
from .exceptions import ErrorCategory, InstructorError
from .models import AuditRecord
from .toggles import is_enrollment_reset_enabled

__all__ = [
    "MAX_ENROLLMENT_RECORDS",
    "CourseNotInProgramException",
    "CourseRunProgressStatuses",
    "ProgramCourseDoesNotExist",
    "ProgramCourseEnrollmentStatuses",
    "ProgramCourseOperationStatuses",
    "ProgramDoesNotExistException",
    "ProgramEnrollmentError",
    "ProgramEnrollmentStatuses",
    "ProgramOperationStatuses",
    "change_program_course_enrollment_status",
    "change_program_enrollment_status",
    "course_run_overviews",
    "create_program_course_enrollment",
    "create_program_enrollment",
    "enroll_in_masters_track",
    "fetch_program_course_enrollments",
    "fetch_program_course_enrollments_by_students",
    "fetch_program_enrollments",
    "fetch_program_enrollments_by_student",
    "fetch_program_enrollments_by_students",
    "get_course_run_status",
    "get_enrollment_http_code",
    "get_enrollment_overviews",
    "get_external_key_by_user_and_course",
    "get_org_key_for_program",
    "get_program",
    "get_program_course_enrollment",
    "get_program_enrollment",
    "get_users_by_external_keys",
    "get_users_by_external_keys_and_org_key",
    "is_course_staff_enrollment",
    "iter_program_course_grades",
    "link_external_user_key",
    "link_program_enrollment_to_lms_user",
    "link_program_enrollments",
    "list_learner_course_runs",
    "list_program_course_enrollments",
    "list_program_course_grades",
    "list_program_enrollments",
    "readable_programs",
    "reset_enrollment_data",
    "write_program_course_enrollments",
    "write_program_enrollments",
]

log = logging.getLogger(__name__)

#: The most records one write request may carry.
MAX_ENROLLMENT_RECORDS = 25
#: The course mode program-course enrollments put learners in.
MASTERS_MODE = "masters"
#: Modes a program-course enrollment converts to ``masters``; any other is left alone.
_CONVERTIBLE_MODES = frozenset({"audit", "honor"})


class ProgramEnrollmentStatuses:
    """The statuses of a program enrollment; ``enrolled`` and ``pending`` are the active ones."""

    ENROLLED = "enrolled"
    PENDING = "pending"
    SUSPENDED = "suspended"
    CANCELED = "canceled"
    ENDED = "ended"
    __ACTIVE__ = (ENROLLED, PENDING)
    __ALL__ = (ENROLLED, PENDING, SUSPENDED, CANCELED, ENDED)


class ProgramCourseEnrollmentStatuses:
    """The statuses of a program-course enrollment."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    __ALL__ = (ACTIVE, INACTIVE)


class _ErrorStatuses:
    DUPLICATED = "duplicated"
    INVALID_STATUS = "invalid-status"
    CONFLICT = "conflict"
    ILLEGAL_OPERATION = "illegal-operation"
    NOT_IN_PROGRAM = "not-in-program"
    INTERNAL_ERROR = "internal-error"


class ProgramOperationStatuses(_ErrorStatuses):
    """What a program enrollment write answers per learner: the new status, or an error."""

    __OK__ = ProgramEnrollmentStatuses.__ALL__


class ProgramCourseOperationStatuses(_ErrorStatuses):
    """What a program-course enrollment write answers per learner: the new status, or an error."""

    NOT_FOUND = "not-found"
    __OK__ = ProgramCourseEnrollmentStatuses.__ALL__


class CourseRunProgressStatuses:
    """Where a learner stands in a course run."""

    IN_PROGRESS = "in_progress"
    UPCOMING = "upcoming"
    COMPLETED = "completed"


class ProgramEnrollmentError(InstructorError):
    """The root of the program enrollment errors."""


class ProgramDoesNotExistException(ProgramEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "program_does_not_exist"
    message = "no program exists with given key"


class CourseNotInProgramException(ProgramEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "course_not_in_program"
    message = "the program's curriculum does not contain the given course"


class ProgramCourseDoesNotExist(ProgramEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "course_does_not_exist"
    message = "Course not found."


class ProgramEnrollmentNotFound(ProgramEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "program_enrollment_does_not_exist"
    message = "No such program enrollment."


# --- helpers -------------------------------------------------------------------------


def _user_id(user: Any) -> int:
    return user if isinstance(user, int) else user.id


def _user_ids(users: Iterable[Any] | None) -> list[int] | None:
    return None if users is None else [_user_id(user) for user in users]


def _course_key(course_key: str | CourseKey) -> CourseKey:
    return course_key if isinstance(course_key, CourseKey) else CourseKey.from_string(str(course_key))


def _realized(realized_only: bool, waiting_only: bool) -> bool | None:
    if realized_only and waiting_only:
        raise ValueError("realized_only and waiting_only are mutually exclusive; at most one may be True.")
    return True if realized_only else False if waiting_only else None


def _one(found: Sequence, what: str):
    if not found:
        raise ProgramEnrollmentNotFound(what)
    if len(found) > 1:
        raise ProgramEnrollmentError(what, message="More than one enrollment matches.", error_code="ambiguous")
    return found[0]


def _audit(action: str, course_key: CourseKey, actor_id: int | None, learner_id: int | None, **detail: object) -> None:
    AuditRecord.objects.create(
        course_key=course_key, action=action, actor_id=actor_id, learner_id=learner_id, detail=detail
    )


def _organize(requests: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Mapping[str, Any]], set[str]]:
    """The requests by external key, and the keys asked for more than once (case-insensitively)."""
    requests = list(requests)
    counts = Counter(request["external_user_key"].lower() for request in requests)
    by_key: dict[str, Mapping[str, Any]] = {}
    duplicated: set[str] = set()
    for request in requests:
        key = request["external_user_key"]
        if counts[key.lower()] > 1:
            duplicated.add(key)
        else:
            by_key[key] = request
    return by_key, duplicated


# --- the catalog ------------------------------------------------------------------------


def get_program(program_uuid: str) -> ProgramData:
    """The program, or ``ProgramDoesNotExistException``."""
    program = get_backend().programs.get_program(str(program_uuid))
    if program is None:
        raise ProgramDoesNotExistException(program_uuid)
    return program


def get_program_course(program_uuid: str, course_id: str | CourseKey) -> tuple[ProgramData, CourseData]:
    """
    The program and a course run of its curricula; ``ProgramDoesNotExistException``, ``CourseNotFound``
    (a malformed or unknown course) or ``CourseNotInProgramException``.
    """
    program = get_program(program_uuid)
    try:
        course_key = _course_key(course_id)
    except InvalidKeyError:
        raise ProgramCourseDoesNotExist(
            course_id, message="The provided course key cannot be parsed.", error_code="invalid_course_key"
        ) from None
    try:
        course = get_backend().courses.get_course(course_key)
    except CourseNotFound:
        raise ProgramCourseDoesNotExist(course_key) from None
    if course_key not in program.course_keys:
        raise CourseNotInProgramException(program_uuid, course_key)
    return program, course


def get_org_key_for_program(program_uuid: str) -> str:
    """The short name of the organisation authoring the program."""
    return get_program(program_uuid).org


def readable_programs(user: UserData, program_type: str | None = "masters") -> list[ProgramData]:
    """
    The programs the user may read: every program of the type for global staff; else those of the
    type holding a course run they are staff or instructor of, those they administer, and those they
    are enrolled in (``enrolled`` or ``pending``, any type).
    """
    programs = get_backend().programs
    if user.is_staff:
        return list(programs.list_programs(program_type))
    staff_courses = [
        role.course_key
        for role in get_backend().roles.list_user_roles(user.id)
        if role.course_key is not None and role.role in ("staff", "instructor")
    ]
    found = {p.uuid: p for p in programs.list_programs(program_type, staff_courses)} if staff_courses else {}
    administered = set(programs.list_admin_program_uuids(user.id))
    enrolled = {
        enrollment.program_uuid
        for enrollment in programs.fetch_program_enrollments(
            user_ids=[user.id], statuses=ProgramEnrollmentStatuses.__ACTIVE__
        )
    }
    for uuid in (administered | enrolled) - set(found):
        program = programs.get_program(uuid)
        if program is not None:
            found[uuid] = program
    return sorted(found.values(), key=lambda program: program.uuid)


def is_program_admin(program_uuid: str, user: UserData) -> bool:
    """Whether the user administers the program's enrollments (global staff always do)."""
    return user.is_staff or str(program_uuid) in get_backend().programs.list_admin_program_uuids(user.id)


# --- reading ---------------------------------------------------------------------------------


def get_program_enrollment(
    program_uuid: str, user: Any = None, external_user_key: str | None = None, curriculum_uuid: str | None = None
) -> ProgramEnrollmentData:
    """The one program enrollment of the learner (by account or external key); ``ProgramEnrollmentNotFound``."""
    if user is None and not external_user_key:
        raise ValueError("user and external_user_key are both None; at least one must be provided.")
    found = get_backend().programs.fetch_program_enrollments(
        str(program_uuid),
        external_user_keys=[external_user_key] if external_user_key else None,
        user_ids=None if user is None else [_user_id(user)],
        curriculum_uuids=[curriculum_uuid] if curriculum_uuid else None,
    )
    return _one(found, program_uuid)


def get_program_course_enrollment(
    program_uuid: str,
    course_key: str | CourseKey,
    user: Any = None,
    external_user_key: str | None = None,
    curriculum_uuid: str | None = None,
) -> ProgramCourseEnrollmentData:
    """The one program-course enrollment of the learner in the course run; ``ProgramEnrollmentNotFound``."""
    if user is None and not external_user_key:
        raise ValueError("user and external_user_key are both None; at least one must be provided.")
    found = [
        row
        for row in get_backend().programs.fetch_program_course_enrollments(
            str(program_uuid),
            [_course_key(course_key)],
            external_user_keys=[external_user_key] if external_user_key else None,
            user_ids=None if user is None else [_user_id(user)],
        )
        if curriculum_uuid is None or row.program_enrollment.curriculum_uuid == str(curriculum_uuid)
    ]
    return _one(found, program_uuid)


def list_program_enrollments(program_uuid: str, cursor: CursorRequest) -> CursorPage[ProgramEnrollmentData]:
    """A cursor page of the program's enrollments, by id (``ProgramDoesNotExistException``)."""
    return get_backend().programs.list_program_enrollments(get_program(program_uuid).uuid, cursor)


def list_program_course_enrollments(
    program_uuid: str, course_id: str | CourseKey, cursor: CursorRequest
) -> CursorPage[ProgramCourseEnrollmentData]:
    """A cursor page of the program's enrollments in a course run of its curricula, by id."""
    program, course = get_program_course(program_uuid, course_id)
    return get_backend().programs.list_program_course_enrollments(program.uuid, course.course_key, cursor)


def fetch_program_enrollments(
    program_uuid: str,
    curriculum_uuids: Iterable[str] | None = None,
    users: Iterable[Any] | None = None,
    external_user_keys: Iterable[str] | None = None,
    program_enrollment_statuses: Iterable[str] | None = None,
    realized_only: bool = False,
    waiting_only: bool = False,
) -> Sequence[ProgramEnrollmentData]:
    """The program's enrollments that every given filter keeps, by id."""
    return get_backend().programs.fetch_program_enrollments(
        str(program_uuid),
        external_user_keys=external_user_keys,
        user_ids=_user_ids(users),
        statuses=program_enrollment_statuses,
        curriculum_uuids=curriculum_uuids,
        realized=_realized(realized_only, waiting_only),
    )


def fetch_program_course_enrollments(
    program_uuid: str,
    course_key: str | CourseKey,
    curriculum_uuids: Iterable[str] | None = None,
    users: Iterable[Any] | None = None,
    external_user_keys: Iterable[str] | None = None,
    program_enrollment_statuses: Iterable[str] | None = None,
    program_enrollments: Iterable[ProgramEnrollmentData] | None = None,
    active_only: bool = False,
    inactive_only: bool = False,
    realized_only: bool = False,
    waiting_only: bool = False,
) -> Sequence[ProgramCourseEnrollmentData]:
    """The program's enrollments in the course run that every given filter keeps, by id."""
    return _filter_course_enrollments(
        get_backend().programs.fetch_program_course_enrollments(
            str(program_uuid),
            [_course_key(course_key)],
            external_user_keys=external_user_keys,
            user_ids=_user_ids(users),
            program_enrollment_ids=None if program_enrollments is None else [e.id for e in program_enrollments],
        ),
        curriculum_uuids,
        program_enrollment_statuses,
        active_only,
        inactive_only,
        _realized(realized_only, waiting_only),
    )


def _filter_course_enrollments(
    rows: Sequence[ProgramCourseEnrollmentData],
    curriculum_uuids: Iterable[str] | None,
    program_enrollment_statuses: Iterable[str] | None,
    active_only: bool,
    inactive_only: bool,
    realized: bool | None,
) -> list[ProgramCourseEnrollmentData]:
    if active_only and inactive_only:
        raise ValueError("active_only and inactive_only are mutually exclusive; at most one may be True.")
    curricula = None if curriculum_uuids is None else {str(uuid) for uuid in curriculum_uuids}
    statuses = None if program_enrollment_statuses is None else set(program_enrollment_statuses)
    wanted = "active" if active_only else "inactive" if inactive_only else None
    return [
        row
        for row in rows
        if (curricula is None or row.program_enrollment.curriculum_uuid in curricula)
        and (statuses is None or row.program_enrollment.status in statuses)
        and (wanted is None or row.status == wanted)
        and (realized is None or (row.program_enrollment.user is not None) == realized)
    ]


def fetch_program_enrollments_by_student(
    user: Any = None,
    external_user_key: str | None = None,
    program_uuids: Iterable[str] | None = None,
    curriculum_uuids: Iterable[str] | None = None,
    program_enrollment_statuses: Iterable[str] | None = None,
    realized_only: bool = False,
    waiting_only: bool = False,
) -> list[ProgramEnrollmentData]:
    """The learner's program enrollments in every program (or those of ``program_uuids``)."""
    if user is None and not external_user_key:
        raise ValueError("user and external_user_key are both None; at least one must be provided.")
    return fetch_program_enrollments_by_students(
        users=None if user is None else [user],
        external_user_keys=[external_user_key] if external_user_key else None,
        program_enrollment_statuses=program_enrollment_statuses,
        realized_only=realized_only,
        waiting_only=waiting_only,
        program_uuids=program_uuids,
        curriculum_uuids=curriculum_uuids,
    )


def fetch_program_enrollments_by_students(
    users: Iterable[Any] | None = None,
    external_user_keys: Iterable[str] | None = None,
    program_enrollment_statuses: Iterable[str] | None = None,
    realized_only: bool = False,
    waiting_only: bool = False,
    *,
    program_uuids: Iterable[str] | None = None,
    curriculum_uuids: Iterable[str] | None = None,
) -> list[ProgramEnrollmentData]:
    """The program enrollments of these learners, in every program."""
    if not (users or external_user_keys):
        raise ValueError("users and external_user_keys are both empty; at least one must be provided.")
    rows = get_backend().programs.fetch_program_enrollments(
        external_user_keys=external_user_keys,
        user_ids=_user_ids(users),
        statuses=program_enrollment_statuses,
        curriculum_uuids=curriculum_uuids,
        realized=_realized(realized_only, waiting_only),
    )
    wanted = None if program_uuids is None else {str(uuid) for uuid in program_uuids}
    return [row for row in rows if wanted is None or row.program_uuid in wanted]


def fetch_program_course_enrollments_by_students(
    users: Iterable[Any] | None = None,
    external_user_keys: Iterable[str] | None = None,
    program_uuids: Iterable[str] | None = None,
    curriculum_uuids: Iterable[str] | None = None,
    course_keys: Iterable[str | CourseKey] | None = None,
    program_enrollment_statuses: Iterable[str] | None = None,
    active_only: bool = False,
    inactive_only: bool = False,
    realized_only: bool = False,
    waiting_only: bool = False,
) -> list[ProgramCourseEnrollmentData]:
    """The program-course enrollments of these learners, in every program."""
    if not (users or external_user_keys):
        raise ValueError("users and external_user_keys are both empty; at least one must be provided.")
    rows = get_backend().programs.fetch_program_course_enrollments(
        course_keys=None if course_keys is None else [_course_key(key) for key in course_keys],
        external_user_keys=external_user_keys,
        user_ids=_user_ids(users),
    )
    wanted = None if program_uuids is None else {str(uuid) for uuid in program_uuids}
    rows = [row for row in rows if wanted is None or row.program_enrollment.program_uuid in wanted]
    return _filter_course_enrollments(
        rows,
        curriculum_uuids,
        program_enrollment_statuses,
        active_only,
        inactive_only,
        _realized(realized_only, waiting_only),
    )


def get_users_by_external_keys_and_org_key(
    external_user_keys: Iterable[str], org_key: str
) -> dict[str, UserData | None]:
    """Each external key of the organisation to the account linked to it, or None."""
    return dict(get_backend().programs.get_users_by_external_keys(org_key, external_user_keys))


def get_users_by_external_keys(program_uuid: str, external_user_keys: Iterable[str]) -> dict[str, UserData | None]:
    """Each external key to its account, through the organisation authoring the program."""
    return get_users_by_external_keys_and_org_key(external_user_keys, get_org_key_for_program(program_uuid))


def get_external_key_by_user_and_course(user: Any, course_key: str | CourseKey) -> str | None:
    """The external key under which the learner takes the course through a program, or None."""
    keys = get_backend().programs.get_external_user_keys(_course_key(course_key), [_user_id(user)])
    return keys.get(_user_id(user))


def is_course_staff_enrollment(program_course_enrollment: ProgramCourseEnrollmentData) -> bool:
    """Whether the program-course enrollment asks for the course staff role."""
    return bool(program_course_enrollment.course_staff)


# --- writing ---------------------------------------------------------------------------------


def write_program_enrollments(
    program_uuid: str,
    enrollment_requests: Iterable[Mapping[str, Any]],
    create: bool,
    update: bool,
    *,
    actor_id: int | None = None,
) -> dict[str, str]:
    """
    Create and/or update program enrollments in bulk; ``{external_user_key: status or error status}``.

    Each request holds ``external_user_key``, ``status`` and (to create) ``curriculum_uuid``. A key asked
    twice is ``duplicated``; a status outside :class:`ProgramEnrollmentStatuses` is ``invalid-status``;
    an existing enrollment without ``update`` is ``conflict``, a missing one without ``create``
    ``not-in-program``; a curriculum outside the program is ``invalid-status`` too (nothing to enroll in).
    """
    if not (create or update):
        raise ValueError("At least one of (create, update) must be True")
    program = get_program(program_uuid)
    programs = get_backend().programs
    by_key, duplicated = _organize(enrollment_requests)
    results: dict[str, str] = {}
    if by_key:
        users = get_users_by_external_keys_and_org_key(by_key, program.org)
        existing = {e.external_user_key.lower(): e for e in programs.fetch_program_enrollments(program.uuid, by_key)}
        curricula = {c.uuid for c in program.curricula}
        to_create: list[NewProgramEnrollment] = []
        to_update: dict[int, str] = {}
        with transaction.atomic():
            for key, request in by_key.items():
                status = request["status"]
                enrollment = existing.get(key.lower())
                if status not in ProgramEnrollmentStatuses.__ALL__:
                    results[key] = ProgramOperationStatuses.INVALID_STATUS
                elif enrollment is not None:
                    if update:
                        to_update[enrollment.id] = status
                    results[key] = status if update else ProgramOperationStatuses.CONFLICT
                elif not create:
                    results[key] = ProgramOperationStatuses.NOT_IN_PROGRAM
                elif str(request.get("curriculum_uuid")) not in curricula:
                    results[key] = ProgramOperationStatuses.INVALID_STATUS
                else:
                    user = users.get(key)
                    to_create.append(
                        NewProgramEnrollment(key, str(request["curriculum_uuid"]), status, user.id if user else None)
                    )
                    results[key] = status
            programs.set_program_enrollment_statuses(to_update, actor_id)
            programs.create_program_enrollments(program.uuid, to_create, actor_id)
    results.update(dict.fromkeys(duplicated, ProgramOperationStatuses.DUPLICATED))
    return results


def create_program_enrollment(
    program_uuid: str,
    curriculum_uuid: str,
    user: Any,
    external_user_key: str,
    status: str,
    *,
    actor_id: int | None = None,
) -> ProgramEnrollmentData:
    """Create one program enrollment (``user`` may be None: it waits for an account)."""
    if not (user or external_user_key):
        raise ValueError("At least one of (user, external_user_key) must be given.")
    new = NewProgramEnrollment(
        external_user_key, str(curriculum_uuid), status, None if user is None else _user_id(user)
    )
    return get_backend().programs.create_program_enrollments(str(program_uuid), [new], actor_id)[0]


def change_program_enrollment_status(
    program_enrollment: ProgramEnrollmentData, new_status: str, *, actor_id: int | None = None
) -> str:
    """Set the enrollment's status; the new status, or ``invalid-status``."""
    if new_status not in ProgramEnrollmentStatuses.__ALL__:
        return ProgramOperationStatuses.INVALID_STATUS
    get_backend().programs.set_program_enrollment_statuses({program_enrollment.id: new_status}, actor_id)
    return new_status


def write_program_course_enrollments(
    program_uuid: str,
    course_key: str | CourseKey,
    enrollment_requests: Iterable[Mapping[str, Any]],
    create: bool,
    update: bool,
    *,
    actor_id: int | None = None,
) -> dict[str, str]:
    """
    Create and/or update the program learners' enrollments in one course run of the program.

    Each request holds ``external_user_key``, ``status`` (``active``/``inactive``) and optionally
    ``course_staff``. Beside the errors of :func:`write_program_enrollments`, a learner without a
    program enrollment is ``not-in-program``, an update of a missing course enrollment ``not-found``,
    and asking ``active`` while the learner is active in this course under another program ``conflict``.
    A learner with an account is enrolled in the course in the ``masters`` mode (see
    :func:`enroll_in_masters_track`) and given or refused the course staff role as asked.
    """
    if not (create or update):
        raise ValueError("At least one of (create, update) must be True")
    course_key = _course_key(course_key)
    program, _course = get_program_course(program_uuid, course_key)
    programs = get_backend().programs
    by_key, duplicated = _organize(enrollment_requests)
    results: dict[str, str] = dict.fromkeys(duplicated, ProgramCourseOperationStatuses.DUPLICATED)
    if not by_key:
        return results
    in_program = {e.external_user_key.lower(): e for e in programs.fetch_program_enrollments(program.uuid, by_key)}
    existing: dict[str, ProgramCourseEnrollmentData] = {}
    active_elsewhere: set[str] = set()
    for row in programs.fetch_program_course_enrollments(course_keys=[course_key], external_user_keys=by_key):
        key = row.program_enrollment.external_user_key.lower()
        if row.program_enrollment.program_uuid == program.uuid:
            existing[key] = row
        elif row.status == ProgramCourseEnrollmentStatuses.ACTIVE:
            active_elsewhere.add(key)
    to_create: list[NewProgramCourseEnrollment] = []
    to_update: dict[int, tuple[str, bool | None]] = {}
    with transaction.atomic():
        for key, request in by_key.items():
            status = request["status"]
            if status == ProgramCourseEnrollmentStatuses.ACTIVE and key.lower() in active_elsewhere:
                log.error("Learner %s is already active in %s under another program.", key, course_key)
                results[key] = ProgramCourseOperationStatuses.CONFLICT
            elif status not in ProgramCourseEnrollmentStatuses.__ALL__:
                results[key] = ProgramCourseOperationStatuses.INVALID_STATUS
            elif key.lower() not in in_program:
                results[key] = ProgramCourseOperationStatuses.NOT_IN_PROGRAM
            else:
                results[key] = _queue_course_write(
                    in_program[key.lower()], existing.get(key.lower()), request, create, update, to_create, to_update
                )
        _update_course_enrollments(list(existing.values()), to_update, actor_id)
        _realise_course_enrollments(
            programs.create_program_course_enrollments(course_key, to_create, actor_id), actor_id
        )
    return results


def _queue_course_write(
    program_enrollment: ProgramEnrollmentData,
    current: ProgramCourseEnrollmentData | None,
    request: Mapping[str, Any],
    create: bool,
    update: bool,
    to_create: list[NewProgramCourseEnrollment],
    to_update: dict[int, tuple[str, bool | None]],
) -> str:
    """Queue the update of ``current`` or its creation; the learner's result."""
    status, course_staff = request["status"], request.get("course_staff")
    if current is not None:
        if not update:
            return ProgramCourseOperationStatuses.CONFLICT
        to_update[current.id] = (status, course_staff)
        return status
    if not create:
        return ProgramCourseOperationStatuses.NOT_FOUND
    to_create.append(NewProgramCourseEnrollment(program_enrollment.id, status, course_staff))
    return status


def create_program_course_enrollment(
    program_enrollment: ProgramEnrollmentData,
    course_key: str | CourseKey,
    status: str,
    course_staff: bool | None = None,
    *,
    actor_id: int | None = None,
) -> ProgramCourseEnrollmentData:
    """Create one program-course enrollment, enrolling the learner's account (if any) in ``masters``."""
    course_key = _course_key(course_key)
    get_backend().courses.get_course(course_key)
    new = NewProgramCourseEnrollment(program_enrollment.id, status, course_staff)
    created = get_backend().programs.create_program_course_enrollments(course_key, [new], actor_id)[0]
    _realise_course_enrollments([created], actor_id)
    return created


def change_program_course_enrollment_status(
    program_course_enrollment: ProgramCourseEnrollmentData,
    new_status: str,
    course_staff: bool | None = None,
    *,
    actor_id: int | None = None,
) -> str:
    """Set the status (activating or deactivating the account's course enrollment); the new status."""
    if new_status not in ProgramCourseEnrollmentStatuses.__ALL__:
        return ProgramCourseOperationStatuses.INVALID_STATUS
    changes = {program_course_enrollment.id: (new_status, course_staff)}
    return _update_course_enrollments([program_course_enrollment], changes, actor_id)[0].status


def _update_course_enrollments(
    before: Sequence[ProgramCourseEnrollmentData],
    changes: Mapping[int, tuple[str, bool | None]],
    actor_id: int | None,
) -> Sequence[ProgramCourseEnrollmentData]:
    """
    Apply ``{id: (status, course_staff)}`` to program-course enrollments of one course run in bulk; an
    account whose status changed gets its course enrollment (de)activated, or created in ``masters``.
    """
    if not changes:
        return []
    updated = get_backend().programs.update_program_course_enrollments(changes, actor_id)
    old_status = {row.id: row.status for row in before}
    changed_users = {
        row.program_enrollment.user.id: row.status
        for row in updated
        if row.program_enrollment.user is not None and row.status != old_status.get(row.id)
    }
    if updated:
        _set_masters_enrollments(updated[0].course_key, changed_users, actor_id, convert_modes=False)
    for row in updated:
        _apply_course_staff(row, changes[row.id][1], actor_id)
    return updated


def enroll_in_masters_track(
    user: Any, course_key: str | CourseKey, status: str, *, actor_id: int | None = None
) -> EnrollmentData:
    """
    Make sure the account is enrolled in the course in ``masters`` (active when ``status`` is ``active``).

    An ``audit`` or ``honor`` enrollment is converted; any other mode (``verified``...) is kept and logged.
    Program enrollment bypasses the course's enrollment window, invitation and capacity, as in Open edX.
    """
    course_key = _course_key(course_key)
    if status not in ProgramCourseEnrollmentStatuses.__ALL__:
        raise ValueError(f"invalid program course enrollment status: {status}")
    backend = get_backend()
    backend.courses.get_course(course_key)
    user_id = _user_id(user)
    _set_masters_enrollments(course_key, {user_id: status}, actor_id, convert_modes=True)
    return backend.enrollments.get_enrollments(course_key, [user_id])[user_id]


def _set_masters_enrollments(
    course_key: CourseKey, statuses: Mapping[int, str], actor_id: int | None, *, convert_modes: bool
) -> None:
    """
    Give each account (by id) a course enrollment active as its program-course status (in sets, audited).

    A missing enrollment is created in ``masters``; with ``convert_modes`` an ``audit`` or ``honor`` one
    becomes ``masters`` too (any other mode is kept and logged), else an existing one keeps its mode.
    """
    if not statuses:
        return
    enrollments = get_backend().enrollments
    current = enrollments.get_enrollments(course_key, statuses)
    changes: dict[int, tuple[str, bool]] = {}
    for user_id, status in statuses.items():
        enrollment = current.get(user_id)
        mode = MASTERS_MODE if enrollment is None else enrollment.mode
        if enrollment is not None and convert_modes and mode != MASTERS_MODE:
            if mode in _CONVERTIBLE_MODES:
                mode = MASTERS_MODE
            else:
                log.error("Learner %s keeps mode %s in %s: not converted to masters.", user_id, mode, course_key)
        active = status == ProgramCourseEnrollmentStatuses.ACTIVE
        if enrollment is None or (enrollment.mode, enrollment.is_active) != (mode, active):
            changes[user_id] = (mode, active)
    enrollments.set_enrollments(course_key, changes)
    AuditRecord.objects.bulk_create(
        AuditRecord(
            course_key=course_key,
            action="program_masters_enrollment",
            actor_id=actor_id,
            learner_id=user_id,
            detail={"mode": mode, "is_active": active},
        )
        for user_id, (mode, active) in changes.items()
    )


def _realise_course_enrollments(enrollments: Sequence[ProgramCourseEnrollmentData], actor_id: int | None) -> None:
    """Enroll the accounts of these program-course enrollments in ``masters``, a course run's set at a time."""
    statuses_by_course: dict[CourseKey, dict[int, str]] = defaultdict(dict)
    for row in enrollments:
        if row.program_enrollment.user is not None:
            statuses_by_course[row.course_key][row.program_enrollment.user.id] = row.status
    for course_key, statuses in statuses_by_course.items():
        _set_masters_enrollments(course_key, statuses, actor_id, convert_modes=True)
    for row in enrollments:
        _apply_course_staff(row, row.course_staff, actor_id)


def _apply_course_staff(enrollment: ProgramCourseEnrollmentData, course_staff: bool | None, actor_id: int | None):
    user = enrollment.program_enrollment.user
    if user is None or course_staff is None:
        return
    roles = get_backend().roles
    if course_staff:
        roles.add_course_role(enrollment.course_key, user.id, "staff")
    else:
        roles.remove_course_role(enrollment.course_key, user.id, "staff")
    _audit("program_course_staff", enrollment.course_key, actor_id, user.id, course_staff=course_staff)


# --- linking ---------------------------------------------------------------------------------


def link_program_enrollment_to_lms_user(
    program_enrollment: ProgramEnrollmentData, user: Any, *, actor_id: int | None = None
) -> ProgramEnrollmentData:
    """Attach the account to a waiting program enrollment and realise its program-course enrollments."""
    backend = get_backend()
    linked = backend.programs.link_program_enrollment(program_enrollment.id, _user_id(user), actor_id)
    _realise_course_enrollments(
        backend.programs.fetch_program_course_enrollments(program_enrollment_ids=[linked.id]), actor_id
    )
    return linked


def link_program_enrollments(
    program_uuid: str, external_keys_to_usernames: Mapping[str, str], *, actor_id: int | None = None
) -> dict[str, str]:
    """
    Link the program's waiting enrollments to accounts, ``{external key: username}``; the errors by key.

    A key without an enrollment in the program, an unknown username, a user already enrolled in the
    program under another key, or an enrollment linked to another account is an error; the others are
    linked, their keys recorded for the program's organisation, their course enrollments realised.
    """
    program = get_program(program_uuid)
    backend = get_backend()
    enrollments = {
        e.external_user_key.lower(): e
        for e in backend.programs.fetch_program_enrollments(program.uuid, external_keys_to_usernames)
    }
    errors: dict[str, str] = {}
    with transaction.atomic():
        for key, username in external_keys_to_usernames.items():
            enrollment = enrollments.get(key.lower())
            user = _find_user(username)
            if enrollment is None:
                errors[key] = (
                    f"No program enrollment found for program uuid={program.uuid} and external student key={key}"
                )
            elif user is None:
                errors[key] = f"No user found with username {username}"
            elif enrollment.user is not None and enrollment.user.id != user.id:
                errors[key] = f"Program enrollment with external_student_key={key} is already linked to another account"
            elif any(
                other.external_user_key.lower() != key.lower()
                for other in backend.programs.fetch_program_enrollments(program.uuid, user_ids=[user.id])
            ):
                errors[key] = f"User {username} already has a program enrollment in program {program.uuid}"
            else:
                backend.programs.set_external_user_key(program.org, enrollment.external_user_key, user.id)
                link_program_enrollment_to_lms_user(enrollment, user, actor_id=actor_id)
    return errors


def link_external_user_key(org: str, external_user_key: str, user: Any, *, actor_id: int | None = None) -> int:
    """
    Record that the organisation's key is this account (a new account signing in through the
    organisation) and realise every waiting enrollment under that key in the organisation's programs;
    how many were realised.
    """
    backend = get_backend()
    with transaction.atomic():
        backend.programs.set_external_user_key(org, external_user_key, _user_id(user))
        waiting = backend.programs.fetch_program_enrollments(external_user_keys=[external_user_key], realized=False)
        orgs = {e.program_uuid: backend.programs.get_program(e.program_uuid) for e in waiting}
        realised = 0
        for enrollment in waiting:
            program = orgs[enrollment.program_uuid]
            if program is not None and program.org == org:
                link_program_enrollment_to_lms_user(enrollment, user, actor_id=actor_id)
                realised += 1
    return realised


def _find_user(username: str) -> UserData | None:
    try:
        user = get_backend().users.find_user(username)
    except (UserNotFound, AmbiguousIdentifier):
        return None
    return user if user.username == username else None


# --- integration sandboxes --------------------------------------------------------------------


class EnrollmentResetNotEnabled(ProgramEnrollmentError):
    category = ErrorCategory.FORBIDDEN
    error_code = "reset_not_enabled"
    message = "reset not enabled on this environment"


class OrganizationDoesNotExist(ProgramEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "organization_not_found"
    message = "No program or external user key names this organization."


def reset_enrollment_data(org: str) -> OrganizationResetData:
    """
    Wipe an organisation's integration data (``FEATURES['ENABLE_ENROLLMENT_RESET']`` only): the enrollments
    in its programs, the course enrollments they made and the accounts linked to its external user keys.
    The catalog (programs, curricula) stays. ``EnrollmentResetNotEnabled``, ``OrganizationDoesNotExist``.
    """
    if not is_enrollment_reset_enabled():
        raise EnrollmentResetNotEnabled(org)
    deleted = get_backend().programs.reset_organization(org)
    if deleted is None:
        raise OrganizationDoesNotExist(org, message=f"organization {org} not found")
    log.warning("Integration reset of organization %s deleted %s.", org, deleted)
    return deleted


# --- the REST API's rules --------------------------------------------------------------------


def get_enrollment_http_code(result_statuses: Iterable[str], ok_statuses: Iterable[str]) -> int:
    """200 when every result is a success, 207 for a mix, 422 when none is, 204 for no result."""
    results = list(result_statuses)
    ok = set(ok_statuses)
    if not results:
        return 204
    succeeded = sum(1 for status in results if status in ok)
    if succeeded == len(results):
        return 200
    return 207 if succeeded else 422


def get_course_run_status(course: CourseData, certificate_info: Mapping[str, Any] | None) -> str:
    """
    ``completed`` once the run ended (a self-paced run also once a passing certificate is 30 days
    old), else ``in_progress`` once started, else ``upcoming``.
    """
    now = timezone.now()
    if course.self_paced and certificate_info and certificate_info.get("is_passing"):
        created: datetime | None = certificate_info.get("created")
        if created is not None and created <= now - timedelta(days=30):
            return CourseRunProgressStatuses.COMPLETED
    if course.end is not None and course.end < now:
        return CourseRunProgressStatuses.COMPLETED
    if course.start is None or course.start <= now:
        return CourseRunProgressStatuses.IN_PROGRESS
    return CourseRunProgressStatuses.UPCOMING


#: The modes whose course runs a learner's program overview shows.
OVERVIEW_MODES = frozenset({"verified", "masters", "executive-education", "paid-executive-education", "paid-bootcamp"})


class NotEnrolledInProgram(ProgramEnrollmentError):
    category = ErrorCategory.FORBIDDEN
    error_code = "user_not_enrolled_in_program"
    message = "The user is not enrolled in this program."


#: Certificate statuses that count as passed (a self-paced run is completed 30 days after one).
_PASSING_CERTIFICATE_STATUSES = frozenset({"downloadable", "generating"})


def list_learner_course_runs(user: UserData, program_uuid: str) -> tuple[ProgramData, list[LearnerCourseRunData]]:
    """
    The program and the learner's active enrollments in its course runs in a paid or ``masters`` mode
    (through the program or not), oldest first. ``ProgramDoesNotExistException``; ``NotEnrolledInProgram``
    unless the learner's program enrollment is ``enrolled``.
    """
    program = get_program(program_uuid)
    programs = get_backend().programs
    if not programs.fetch_program_enrollments(
        program.uuid, user_ids=[user.id], statuses=[ProgramEnrollmentStatuses.ENROLLED]
    ):
        raise NotEnrolledInProgram(program.uuid, user.id)
    return program, list(programs.list_learner_course_runs(user.id, program.course_keys, OVERVIEW_MODES))


def course_run_overviews(user: UserData, program: ProgramData, runs: Iterable[LearnerCourseRunData]) -> list[dict]:
    """
    Each run as ``{course_run_id, display_name, course_run_status, course_run_url, start_date, end_date,
    due_dates: [{name, url, date}]}`` (due dates while in progress) plus, where known, ``emails_enabled``,
    ``certificate_download_url``, ``micromasters_title`` (a MicroMasters program) and ``resume_course_run_url``.
    """
    return [_overview(user, run, program) for run in runs]


def get_enrollment_overviews(user: UserData, program_uuid: str) -> list[dict]:
    """The overviews (:func:`course_run_overviews`) of every course run :func:`list_learner_course_runs` gives."""
    program, runs = list_learner_course_runs(user, program_uuid)
    return course_run_overviews(user, program, runs)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _overview(user: UserData, run: LearnerCourseRunData, program: ProgramData) -> dict:
    root = plugin_setting("LMS_ROOT_URL").rstrip("/")
    course = run.course
    certificate = {
        "is_passing": run.certificate_status in _PASSING_CERTIFICATE_STATUSES,
        "created": run.certificate_created,
    }
    status = get_course_run_status(course, certificate)
    overview: dict[str, Any] = {
        "course_run_id": str(course.course_key),
        "display_name": course.display_name,
        "course_run_status": status,
        "course_run_url": f"{root}/courses/{course.course_key}/course/",
        "start_date": _iso(course.start),
        "end_date": _iso(course.end),
        "due_dates": _due_dates(user, course, root) if status == CourseRunProgressStatuses.IN_PROGRESS else [],
    }
    if run.emails_enabled is not None:
        overview["emails_enabled"] = run.emails_enabled
    if run.certificate_download_url:
        overview["certificate_download_url"] = f"{root}{run.certificate_download_url}"
    if program.program_type.lower() == "micromasters":
        overview["micromasters_title"] = program.title
    if run.resume_block is not None:
        overview["resume_course_run_url"] = f"{root}/courses/{course.course_key}/jump_to/{run.resume_block}"
    return overview


def _due_dates(user: UserData, course: CourseData, root: str) -> list[dict]:
    backend = get_backend()
    dates = backend.due_dates.get_learner_due_dates(course.course_key, user.id)
    names = {block.usage_key: block.display_name for block in backend.courses.get_blocks(course.course_key)}
    return [
        {"name": names.get(key, ""), "url": f"{root}/courses/{course.course_key}/jump_to/{key}", "date": _iso(date)}
        for key, date in sorted(dates.items(), key=lambda item: item[1])
    ]


# --- grades ------------------------------------------------------------------------------------


def _grade_rows(course_key: CourseKey, enrollments: Sequence[ProgramCourseEnrollmentData]) -> list[dict]:
    users = {e.program_enrollment.user.id for e in enrollments if e.program_enrollment.user is not None}
    grades = get_backend().programs.get_course_grades(course_key, users) if users else {}
    rows: list[dict] = []
    for enrollment in enrollments:
        key = enrollment.program_enrollment.external_user_key
        user = enrollment.program_enrollment.user
        grade = grades.get(user.id) if user is not None else None
        if grade is None:
            log.error("Failed to load course grade for %s in %s: not enrolled.", key, course_key)
            rows.append({"student_key": key, "error": "The learner is not enrolled in the course."})
        else:
            rows.append(
                {
                    "student_key": key,
                    "passed": grade.passed,
                    "percent": grade.percent,
                    "letter_grade": grade.letter_grade,
                }
            )
    return rows


def list_program_course_grades(
    program_uuid: str, course_id: str | CourseKey, cursor: CursorRequest
) -> tuple[CursorPage[ProgramCourseEnrollmentData], list[dict]]:
    """
    A cursor page of the course grades of the program's learners with an account in a course run:
    ``{student_key, passed, percent, letter_grade}``, or ``{student_key, error}`` when no grade can be read.
    """
    program, course = get_program_course(program_uuid, course_id)
    page = get_backend().programs.list_program_course_enrollments(program.uuid, course.course_key, cursor, True)
    return page, _grade_rows(course.course_key, page.items)


def iter_program_course_grades(program_uuid: str, course_key: str | CourseKey) -> Iterator[dict]:
    """Every grade row of :func:`list_program_course_grades`, a page at a time."""
    cursor = CursorRequest(limit=500)
    while True:
        page, rows = list_program_course_grades(program_uuid, course_key, cursor)
        yield from rows
        if not page.has_more or not page.items:
            return
        cursor = CursorRequest(after=page.items[-1].id, limit=cursor.limit)
