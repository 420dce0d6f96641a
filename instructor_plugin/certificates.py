"""
Certificates of a course: the issued list, exceptions, invalidations and (re)generation.

Requests naming learners answer one row per learner, ``{"success": [identifier, ...],
"errors": [{"learner", "message"}]}``: an unknown or ineligible learner is a row, never a failed
request. Generation runs as the ``generate_certificates`` background task, recorded in the
course's generation history.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from . import resolve
from .backends.data import (
    CertificateData,
    CertificateFilter,
    CertificateGenerationRunData,
    CertificateLearnerState,
    Page,
    PageRequest,
    UserData,
)
from .backends.registry import get_backend
from .conf import plugin_setting
from .exceptions import ErrorCategory, InstructorError
from .instructor_tasks import AlreadyRunning, ItemResult, TaskRun, task_type
from .models import InstructorTask
from .tasks import submit_task

__all__ = [
    "CERTIFICATE_STATUSES",
    "ISSUED_FILTERS",
    "STUDENT_SETS",
    "CertificateCaseNotFound",
    "ExceptionRow",
    "InvalidUpload",
    "MalformedCsv",
    "UploadTooLarge",
    "add_exceptions",
    "invalidate_certificates",
    "is_generation_enabled",
    "list_generation_history",
    "list_issued_certificates",
    "parse_exceptions_csv",
    "read_exceptions_upload",
    "remove_exception",
    "remove_invalidation",
    "set_generation_enabled",
    "start_generation",
]

GENERATE_TASK = "generate_certificates"
#: The statuses Open edX gives certificates (what ``regenerate`` accepts).
CERTIFICATE_STATUSES = (
    "deleted",
    "deleting",
    "downloadable",
    "error",
    "generating",
    "notpassing",
    "restricted",
    "unavailable",
    "auditing",
    "audit_passing",
    "audit_notpassing",
    "honor_passing",
    "unverified",
    "invalidated",
    "requesting",
)
ISSUED_FILTERS = (
    "all",
    "received",
    "not_received",
    "audit_passing",
    "audit_not_passing",
    "error",
    "granted_exceptions",
    "invalidated",
)
STUDENT_SETS = ("all", "allowlisted", "allowlisted_not_generated")
#: The column names of an exceptions CSV's header row: the learner's column, then (optionally) ``notes``. Only a
#: first row of exactly these is a header: a first row naming a learner (even one called ``user``) is a learner.
_LEARNER_COLUMNS = ("username", "email", "username or email", "username_or_email")
_HEADER_ROWS = frozenset(
    {(column,) for column in _LEARNER_COLUMNS} | {(column, "notes") for column in _LEARNER_COLUMNS}
)
_CHUNK = 200

NOT_FOUND = "User matching query does not exist."
AMBIGUOUS = "More than one user matches this identifier."
NOT_ENROLLED = "User is not enrolled in this course"
ALREADY_ALLOWLISTED = "User already has a certificate exception"
HAS_INVALIDATION = "User has an active certificate invalidation"
NO_CERTIFICATE = "Certificate not found for this user"
ALREADY_INVALID = "Certificate is already invalid"


class CertificateCaseNotFound(InstructorError):
    """The learner has no exception, certificate or active invalidation to remove; ``error_code`` says which."""

    category = ErrorCategory.NOT_FOUND

    def __init__(self, message: str, error_code: str):
        super().__init__(message=message, error_code=error_code)


class InvalidUpload(InstructorError):
    """An exceptions upload that is missing, not a CSV file, or holds no learner; ``error_code`` says which."""

    def __init__(self, message: str, error_code: str):
        super().__init__(message=message, error_code=error_code, field="file")


class MalformedCsv(InvalidUpload):
    """An uploaded CSV that cannot be read; the message names the line."""

    def __init__(self, line: int, problem: str):
        super().__init__(f"Error processing CSV file: Line {line}: {problem}", "malformed_csv")


class UploadTooLarge(InstructorError):
    """An upload larger than ``MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES``."""

    category = ErrorCategory.TOO_LARGE
    error_code = "file_too_large"


@dataclass(frozen=True)
class ExceptionRow:
    """One learner of an exceptions CSV: the line it is on, the username or email, the notes."""

    line: int
    learner: str
    notes: str = ""


def list_issued_certificates(
    course_key: CourseKey, filters: CertificateFilter, page: PageRequest
) -> Page[CertificateData]:
    """One page of the course's certificates under one of :data:`ISSUED_FILTERS`, ordered by username."""
    return get_backend().certificates.list_certificates(course_key, filters, page)


def list_generation_history(course_key: CourseKey, page: PageRequest) -> Page[CertificateGenerationRunData]:
    """One page of the course's (re)generation runs, newest first."""
    return get_backend().certificates.list_generation_history(course_key, page)


def is_generation_enabled(course_key: CourseKey) -> bool:
    """Whether learners of the course may be issued certificates (never in a CCX)."""
    return not hasattr(course_key, "ccx") and get_backend().certificates.is_generation_enabled(course_key)


def set_generation_enabled(course_key: CourseKey, enabled: bool) -> None:
    """Turn certificate generation on or off for the course."""
    get_backend().certificates.set_generation_enabled(course_key, enabled)


def learner_certificate_state(course_key: CourseKey, identifier: str) -> CertificateLearnerState | None:
    """Where the one user a username or email names stands for certificates in the course; None if not exactly one."""
    matches = get_backend().certificates.find_learners(course_key, [identifier]).get(identifier, ())
    return matches[0] if len(matches) == 1 else None


def get_certificate_case(course_key: CourseKey, username: str, status_filter: str) -> CertificateData | None:
    """The learner's row of the issued-certificates list under ``status_filter`` (with its exception, invalidation)."""
    rows = get_backend().certificates.list_certificates(
        course_key, CertificateFilter(status_filter=status_filter, search=username), PageRequest(offset=0, limit=100)
    )
    return next((row for row in rows.items if row.user.username == username), None)


def _resolve(course_key: CourseKey, identifiers: Sequence[str]) -> tuple[dict[str, CertificateLearnerState], list]:
    """Each distinct identifier's learner, and the error rows of those that match nobody or several users."""
    found = get_backend().certificates.find_learners(course_key, identifiers)
    learners, errors = {}, []
    for identifier in dict.fromkeys(identifier.strip() for identifier in identifiers):
        matches = found.get(identifier, ())
        if len(matches) == 1:
            learners[identifier] = matches[0]
        else:
            errors.append({"learner": identifier, "message": AMBIGUOUS if matches else NOT_FOUND})
    return learners, errors


def _exception_problem(state: CertificateLearnerState) -> str | None:
    if not state.enrolled:
        return NOT_ENROLLED
    if state.allowlisted:
        return ALREADY_ALLOWLISTED
    if state.invalidated:
        return HAS_INVALIDATION
    return None


def add_exceptions(course_key: CourseKey, rows: Sequence[ExceptionRow], actor_id: int | None) -> dict:
    """
    Allowlist the learners of ``rows``; a learner named twice takes the last row's notes.

    Error rows of a CSV upload carry the ``line`` of the learner's last row.
    """
    with_lines = any(row.line for row in rows)
    last = {row.learner.strip(): row for row in rows}
    learners, errors = _resolve(course_key, list(last))
    if with_lines:
        errors = [{**error, "line": last[error["learner"]].line} for error in errors]
    accepted, notes = [], {}
    claimed = set()
    for identifier, state in learners.items():
        problem = _exception_problem(state) or (ALREADY_ALLOWLISTED if state.user.id in claimed else None)
        if problem:
            error = {"learner": identifier, "message": problem}
            errors.append({**error, "line": last[identifier].line} if with_lines else error)
            continue
        claimed.add(state.user.id)
        accepted.append(identifier)
        notes[state.user.id] = last[identifier].notes
    get_backend().certificates.add_exceptions(course_key, notes, actor_id)
    return {"success": accepted, "errors": errors}


def remove_exception(course_key: CourseKey, identifier: str) -> None:
    """Remove the learner's exception (their certificate becomes unavailable), or raise ``CertificateCaseNotFound``."""
    backend = get_backend()
    user = resolve.learner(course_key, identifier)
    if not backend.certificates.remove_exception(course_key, user.id):
        raise CertificateCaseNotFound("No certificate exception found for this user", "certificate_exception_not_found")


def read_exceptions_upload(upload: UploadedFile | None) -> list[ExceptionRow]:
    """
    The rows of an uploaded exceptions CSV (see :func:`parse_exceptions_csv`).

    Raises :class:`InvalidUpload` without a file, for a name not ending ``.csv`` and for a file
    without learners, :class:`MalformedCsv`, or :class:`UploadTooLarge` above
    ``MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES``.
    """
    if upload is None:
        raise InvalidUpload("No file uploaded", "file_missing")
    if not (upload.name or "").lower().endswith(".csv"):
        raise InvalidUpload("File must be in CSV format", "invalid_file_type")
    limit = plugin_setting("MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES")
    if upload.size > limit:
        raise UploadTooLarge(upload.size, message=f"The file is larger than {limit} bytes.")
    rows = parse_exceptions_csv(upload.read())
    if not rows:
        raise InvalidUpload("CSV file is empty or contains no valid entries", "empty_csv")
    return rows


def parse_exceptions_csv(content: bytes) -> list[ExceptionRow]:
    """
    The rows of an exceptions CSV: username or email, then optional notes; a first row of exactly the column names
    (``username,notes``, ``email,notes``, ``username`` ...: see ``_HEADER_ROWS``) is skipped.

    A UTF-8 byte-order mark is ignored, as are blank rows. Raises :class:`MalformedCsv` naming the line
    when the file is not UTF-8 text or not CSV.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise MalformedCsv(line, "the file is not UTF-8 text.") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, first = [], True
    try:
        for raw in reader:
            cells = [cell.strip() for cell in raw]
            if not any(cells):
                continue
            if first and tuple(cell.lower() for cell in cells if cell) in _HEADER_ROWS:
                first = False
                continue
            first = False
            if cells[0]:
                rows.append(ExceptionRow(line=reader.line_num, learner=cells[0], notes=",".join(cells[1:]).strip(",")))
    except csv.Error as exc:
        raise MalformedCsv(reader.line_num, str(exc)) from None
    return rows


def invalidate_certificates(
    course_key: CourseKey, identifiers: Sequence[str], notes: str, actor_id: int | None
) -> dict:
    """Invalidate the learners' certificates; a learner without one, or with an invalid one, is an error row."""
    learners, errors = _resolve(course_key, identifiers)
    accepted, notes_by_user = [], {}
    for identifier, state in learners.items():
        if state.certificate_status is None or state.certificate_status in ("deleted", "deleting"):
            errors.append({"learner": identifier, "message": NO_CERTIFICATE})
        elif state.invalidated or state.certificate_status == "unavailable" or state.user.id in notes_by_user:
            errors.append({"learner": identifier, "message": ALREADY_INVALID})
        else:
            accepted.append(identifier)
            notes_by_user[state.user.id] = notes
    get_backend().certificates.invalidate(course_key, notes_by_user, actor_id)
    return {"success": accepted, "errors": errors}


def remove_invalidation(course_key: CourseKey, identifier: str, actor_id: int | None) -> InstructorTask | None:
    """
    Lift the invalidation of the learner's certificate and queue its regeneration; return that task.

    Raises ``CertificateCaseNotFound`` when the learner has no certificate or no active invalidation.
    The regeneration is skipped (``None``) when one for the learner is already running.
    """
    backend = get_backend()
    user = resolve.learner(course_key, identifier)
    state = backend.certificates.find_learners(course_key, [user.username])[user.username]
    if not state or state[0].certificate_status is None:
        raise CertificateCaseNotFound(NO_CERTIFICATE, "certificate_not_found")
    with transaction.atomic():
        if not backend.certificates.remove_invalidation(course_key, user.id):
            raise CertificateCaseNotFound(
                "No active invalidation found for this certificate", "certificate_invalidation_not_found"
            )
        try:
            return start_generation(course_key, actor_id, learner_ids=[user.id], candidates=user.username)
        except AlreadyRunning:
            return None


def start_generation(
    course_key: CourseKey,
    actor_id: int | None,
    *,
    statuses: Sequence[str] = (),
    student_set: str = "all",
    learner_ids: Sequence[int] = (),
    candidates: str = "",
) -> InstructorTask:
    """
    Queue a (re)generation and add it to the generation history; raises ``AlreadyRunning``.

    ``learner_ids`` names the learners outright; otherwise ``student_set`` and ``statuses`` pick them when
    the task runs (see ``CertificateService.select_candidates``). Naming statuses makes it a regeneration.
    """
    statuses = [] if student_set != "all" else list(statuses)
    is_regeneration = bool(statuses)
    scope = f"learner:{learner_ids[0]}" if len(learner_ids) == 1 else "course"
    task_input = {"statuses": statuses, "student_set": student_set, "learner_ids": list(learner_ids)}
    with transaction.atomic():
        task = submit_task(GENERATE_TASK, course_key, actor_id, task_input, scope=scope)
        get_backend().certificates.record_generation_run(
            course_key, actor_id, is_regeneration, candidates or _describe(statuses, student_set), str(task.task_id)
        )
    return task


def _describe(statuses: Sequence[str], student_set: str) -> str:
    if student_set == "allowlisted":
        return "All allowlisted learners"
    if student_set == "allowlisted_not_generated":
        return "Allowlisted learners without a certificate"
    if statuses:
        return f"Learners with status: {', '.join(statuses)}"
    return "All learners"


@task_type(GENERATE_TASK)
def _generate(run: TaskRun) -> dict:
    """Decide the candidates' certificates chunk by chunk, one result row per learner (its status)."""
    backend = get_backend()
    data = run.input
    learner_ids = data.get("learner_ids") or backend.certificates.select_candidates(
        run.course_key, data.get("statuses", []), data.get("student_set", "all")
    )
    is_regeneration = bool(data.get("statuses"))
    iterator = iter(learner_ids)
    while chunk := list(islice(iterator, _CHUNK)):
        with transaction.atomic():
            statuses = backend.certificates.generate(run.course_key, chunk, is_regeneration)
            users = backend.users.get_users(chunk)
            run.each(
                chunk,
                partial(_result, statuses=statuses, users=users),
                total=len(learner_ids),
                savepoints=False,
            )
    counts = run.counts()
    return {"message": f"Certificates generated for {counts['succeeded']} learners.", **counts}


def _result(user_id: int, statuses: Mapping[int, str], users: Mapping[int, UserData]) -> ItemResult:
    user = users.get(user_id)
    identifier = user.username if user else str(user_id)
    if user_id not in statuses:
        return ItemResult(identifier=identifier, succeeded=False, message=NOT_ENROLLED, user_id=user_id)
    return ItemResult(identifier=identifier, succeeded=True, message=statuses[user_id], user_id=user_id)
