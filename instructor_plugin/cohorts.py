"""
Course cohorts: settings, cohorts, membership and the CSV upload of learner-to-cohort assignments.

The rules are Open edX's: a learner is in at most one cohort per course (adding them to another
moves them), an email of no user yet is *preassigned* (whoever registers with it joins the cohort),
and a course keeps at least one ``random`` cohort once it has one. Error codes are the cohorts
API's own (``cohort-not-found``, ``missing-cohort-name``...). Every change writes an
:class:`~.models.AuditRecord`.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from opaque_keys.edx.keys import CourseKey

from . import resolve
from .backends.data import (
    COHORT_ASSIGNMENT_TYPES,
    COHORT_RANDOM,
    CohortData,
    CohortSettingsData,
    ContentGroupPartitionData,
    Page,
    PageRequest,
    UserData,
)
from .backends.exceptions import AmbiguousIdentifier, UserNotFound
from .backends.registry import get_backend
from .conf import plugin_setting
from .exceptions import ErrorCategory, InstructorError
from .instructor_tasks import ItemResult, TaskRun, task_type
from .models import AuditRecord, AuditRow, InstructorTask, InstructorTaskResult, insert_audit_records
from .reports import CsvBody, store_report, write_csv
from .tasks import submit_task

__all__ = [
    "COHORT_CSV_TASK",
    "CohortError",
    "CohortNotFound",
    "CsvAssignment",
    "Unset",
    "add_users",
    "create_cohort",
    "get_cohort",
    "get_cohort_by_name",
    "get_group_configuration",
    "get_group_configurations",
    "get_learner_cohort",
    "get_settings",
    "list_cohorts",
    "list_members",
    "place_new_learners",
    "read_assignments_csv",
    "remove_user",
    "set_cohorted",
    "start_csv_assignment",
    "update_cohort",
]

#: The task type of a CSV upload (the original's name); one runs at a time per course.
COHORT_CSV_TASK = "cohort_students"
#: The report holding a CSV upload's summary, one row per cohort named in the file.
COHORT_RESULTS_REPORT = "cohort_results"
RESULTS_HEADER = (
    "Cohort Name",
    "Exists",
    "Learners Added",
    "Learners Not Found",
    "Invalid Email Addresses",
    "Preassigned Learners",
)


class CohortError(InstructorError):
    """
    A cohorts request that cannot be served as asked.

    The instance's ``error_code`` is the one Open edX's cohorts API answers (hyphenated, e.g.
    ``missing-cohort-name``): its clients read it, so the original's value wins over the house's
    snake_case. Each class keeps a snake_case code of its own.
    """

    def __init__(self, message: str, error_code: str, field: str | None = None):
        super().__init__(message=message, error_code=error_code, field=field)


class CohortNotFound(InstructorError):
    """No cohort of this id in the URL's course (answered as ``cohort-not-found``, see :class:`CohortError`)."""

    category = ErrorCategory.NOT_FOUND
    error_code = "cohort_not_found"

    def __init__(self, course_key: CourseKey, cohort_id: object):
        message = f"Cohort (ID {cohort_id}) not found for {course_key}"
        super().__init__(cohort_id, message=message, error_code="cohort-not-found")


class CohortUserNotFound(InstructorError):
    """The username of a removal names no user."""

    category = ErrorCategory.NOT_FOUND
    error_code = "user_not_found"
    message = "User does not exist."

    def __init__(self, username: str):
        super().__init__(username, error_code="user-not-found")


class UploadTooLarge(InstructorError):
    """A CSV upload above ``MAX_COHORT_CSV_UPLOAD_BYTES``."""

    category = ErrorCategory.TOO_LARGE
    error_code = "file_too_large"


class Unset:
    """A field a partial update leaves as it is."""


UNSET = Unset()


def _audit(course_key: CourseKey, action: str, actor_id: int | None, learner_id: int | None = None, **detail) -> None:
    AuditRecord.objects.create(
        course_key=course_key, action=action, actor_id=actor_id, learner_id=learner_id, detail=detail
    )


# --- Settings and cohorts ---------------------------------------------------------


def get_settings(course_key: CourseKey) -> CohortSettingsData:
    """Whether the course is cohorted, with the id of its settings."""
    return get_backend().cohorts.get_settings(course_key)


def set_cohorted(course_key: CourseKey, is_cohorted: object, actor_id: int | None) -> CohortSettingsData:
    """Turn cohorts on or off; anything but a JSON boolean is refused, as the original does."""
    if not isinstance(is_cohorted, bool):
        raise CohortError("Cohorted must be a boolean", "invalid-is-cohorted", "is_cohorted")
    settings = get_backend().cohorts.set_cohorted(course_key, is_cohorted)
    _audit(course_key, "cohorts.set_cohorted", actor_id, is_cohorted=is_cohorted)
    return settings


def list_cohorts(course_key: CourseKey, descending: bool, page: PageRequest) -> Page[CohortData]:
    """One page of the course's cohorts by name."""
    return get_backend().cohorts.list_cohorts_page(course_key, descending, page)


def get_cohort(course_key: CourseKey, cohort_id: object) -> CohortData:
    """The course's cohort of this id; a malformed id or another course's cohort raises :class:`CohortNotFound`."""
    number = resolve.database_id(cohort_id)
    found = get_backend().cohorts.get_cohort(course_key, number) if number is not None else None
    if found is None:
        raise CohortNotFound(course_key, cohort_id)
    return found


def get_cohort_by_name(course_key: CourseKey, name: str) -> CohortData:
    """The course's cohort of this exact name; :class:`CohortNotFound` if it has none."""
    found = get_backend().cohorts.find_cohort(course_key, name)
    if found is None:
        raise CohortNotFound(course_key, name)
    return found


def _check_assignment_type(assignment_type: str) -> None:
    if assignment_type not in COHORT_ASSIGNMENT_TYPES:
        raise CohortError(
            f"Assignment type must be one of: {', '.join(COHORT_ASSIGNMENT_TYPES)}.",
            "invalid-assignment-type",
            "assignment_type",
        )


def _check_group(course_key: CourseKey, group_id: int | None, user_partition_id: int | None) -> None:
    """A content group needs its partition, and both must be the course's (its cohort user partition's)."""
    if group_id is None:
        return
    if user_partition_id is None:
        raise CohortError(
            "If group_id is specified, user_partition_id must also be specified.",
            "missing-user-partition-id",
            "user_partition_id",
        )
    partition = get_backend().cohorts.get_content_group_partition(course_key)
    if partition is None or partition.id != user_partition_id:
        raise CohortError(
            f"The course has no content group configuration {user_partition_id}.",
            "invalid-user-partition-id",
            "user_partition_id",
        )
    if group_id not in {group.id for group in partition.groups}:
        raise CohortError(
            f"Content group configuration {user_partition_id} has no group {group_id}.", "invalid-group-id", "group_id"
        )


def create_cohort(
    course_key: CourseKey,
    name: str,
    assignment_type: str,
    group_id: int | None,
    user_partition_id: int | None,
    actor_id: int | None,
) -> CohortData:
    """Create a cohort; the name must be free in the course, a content group needs its partition."""
    if not name:
        raise CohortError('"name" must be specified to create cohort.', "missing-cohort-name", "name")
    if not assignment_type:
        raise CohortError(
            '"assignment_type" must be specified to create cohort.', "missing-assignment-type", "assignment_type"
        )
    _check_assignment_type(assignment_type)
    _check_group(course_key, group_id, user_partition_id)
    cohorts = get_backend().cohorts
    if cohorts.find_cohort(course_key, name) is not None:
        raise CohortError("You cannot create two cohorts with the same name", "cohort-name-exists", "name")
    cohort = cohorts.create_cohort(
        course_key,
        name,
        assignment_type,
        group_id=group_id,
        user_partition_id=user_partition_id if group_id is not None else None,
    )
    _audit(course_key, "cohorts.create", actor_id, cohort_id=cohort.id, name=name, assignment_type=assignment_type)
    return cohort


def update_cohort(
    course_key: CourseKey,
    cohort_id: object,
    actor_id: int | None,
    *,
    name: str | None = None,
    assignment_type: str | None = None,
    group_id: int | Unset | None = UNSET,
    user_partition_id: int | None = None,
) -> CohortData:
    """
    Rename a cohort, change its assignment type and/or its content group (``group_id=None`` unlinks it).

    At least one of the three is required. The last ``random`` cohort of a course stays random.
    """
    if not (name or assignment_type or not isinstance(group_id, Unset)):
        raise CohortError("Request must include name, assignment_type, and/or group_id.", "missing-fields")
    cohort = get_cohort(course_key, cohort_id)
    cohorts = get_backend().cohorts
    new_name = name or cohort.name
    if new_name != cohort.name and cohorts.find_cohort(course_key, new_name) is not None:
        raise CohortError("A cohort with the same name already exists.", "cohort-name-exists", "name")
    new_type = assignment_type or cohort.assignment_type
    _check_assignment_type(new_type)
    if cohort.assignment_type == COHORT_RANDOM and new_type != COHORT_RANDOM:
        randoms = [c for c in cohorts.list_cohorts(course_key) if c.assignment_type == COHORT_RANDOM]
        if len(randoms) == 1:
            raise CohortError(
                "There must be one cohort to which students can automatically be assigned.",
                "last-random-cohort",
                "assignment_type",
            )
    new_group, new_partition = cohort.group_id, cohort.user_partition_id
    if not isinstance(group_id, Unset):
        _check_group(course_key, group_id, user_partition_id)
        new_group, new_partition = group_id, (user_partition_id if group_id is not None else None)
    updated = cohorts.update_cohort(course_key, cohort.id, new_name, new_type, new_group, new_partition)
    _audit(
        course_key,
        "cohorts.update",
        actor_id,
        cohort_id=cohort.id,
        name=new_name,
        assignment_type=new_type,
        group_id=new_group,
        user_partition_id=new_partition,
    )
    return updated


# --- Content groups ---------------------------------------------------------------


class ContentGroupConfigurationNotFound(InstructorError):
    """No cohort user partition of this id in the course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "group_configuration_not_found"

    def __init__(self, configuration_id: object):
        super().__init__(configuration_id, message=f"Content group configuration {configuration_id} not found")


def _studio_link(course_key: CourseKey) -> str:
    studio = (plugin_setting("STUDIO_URL") or "").rstrip("/")
    return f"{studio}/course/{course_key}/group_configurations"


def _group_dicts(partition: ContentGroupPartitionData) -> list[dict]:
    return [{"id": g.id, "name": g.name, "version": g.version, "usage": []} for g in partition.groups]


def get_group_configurations(course_key: CourseKey) -> dict:
    """
    The course's content groups, which cohorts link to, as Open edX's v2 list answers them.

    ``{"id": 50, "groups": [{"id": 1, "name": "Core Track", "version": 1, "usage": []}],
    "studio_content_groups_link": "{STUDIO_URL}/course/{course_id}/group_configurations"}``; a course
    without a cohort user partition answers ``"id": null`` and no groups.
    """
    partition = get_backend().cohorts.get_content_group_partition(course_key)
    return {
        "id": partition.id if partition else None,
        "groups": _group_dicts(partition) if partition else [],
        "studio_content_groups_link": _studio_link(course_key),
    }


#: The version Open edX writes on a user partition's JSON.
USER_PARTITION_VERSION = 3


def get_group_configuration(course_key: CourseKey, configuration_id: int) -> dict:
    """The course's cohort user partition of this id, as Open edX writes a partition; else a 404."""
    partition = get_backend().cohorts.get_content_group_partition(course_key)
    if partition is None or partition.id != configuration_id:
        raise ContentGroupConfigurationNotFound(configuration_id)
    return {
        "id": partition.id,
        "name": partition.name,
        "scheme": "cohort",
        "description": partition.description,
        "parameters": {},
        "groups": _group_dicts(partition),
        "active": True,
        "version": USER_PARTITION_VERSION,
        "is_read_only": False,
    }


# --- Membership -------------------------------------------------------------------


def list_members(course_key: CourseKey, cohort_id: object, page: PageRequest) -> Page[UserData]:
    """One page of the cohort's members by username; :class:`CohortNotFound` as :func:`get_cohort` raises it."""
    number = resolve.database_id(cohort_id)
    if number is None:
        raise CohortNotFound(course_key, cohort_id)
    members = get_backend().cohorts.list_members(course_key, number, page)
    # A cohort with members in the course is the course's; only a list without any needs the cohort looked up.
    if not members.total:
        get_cohort(course_key, cohort_id)
    return members


#: What happened to one identifier added to a cohort (the keys of the add-users response).
ADDED, CHANGED, PRESENT, UNKNOWN, PREASSIGNED, INVALID = (
    "added",
    "changed",
    "present",
    "unknown",
    "preassigned",
    "invalid",
)


@dataclass(frozen=True)
class Assignment:
    """The outcome of adding one identifier to a cohort."""

    outcome: str
    user: UserData | None = None
    previous_cohort: str | None = None


def _assign(course_key: CourseKey, cohort: CohortData, identifier: str, actor_id: int | None) -> Assignment:
    """
    Put the user an identifier names in the cohort, moving them from their previous one.

    An unknown identifier that is a valid email is preassigned; one with ``@`` that is not valid is
    invalid; any other unknown (or ambiguous) identifier is unknown.
    """
    backend = get_backend()
    try:
        user = backend.users.find_user(identifier)
    except (UserNotFound, AmbiguousIdentifier) as missing:
        try:
            validate_email(identifier)
        except ValidationError:
            return Assignment(INVALID if "@" in identifier else UNKNOWN)
        if isinstance(missing, AmbiguousIdentifier):
            return Assignment(UNKNOWN)
        backend.cohorts.preassign_email(course_key, cohort.id, identifier)
        _audit(course_key, "cohorts.preassign", actor_id, cohort_id=cohort.id, email=identifier)
        return Assignment(PREASSIGNED)
    current = backend.cohorts.get_user_cohort(course_key, user.id)
    if current is not None and current.id == cohort.id:
        return Assignment(PRESENT, user)
    move = backend.cohorts.assign_member(course_key, cohort.id, user.id)
    _audit(
        course_key,
        "cohorts.add_user",
        actor_id,
        user.id,
        cohort_id=cohort.id,
        previous_cohort=move.previous_cohort,
    )
    return Assignment(CHANGED if move.previous_cohort else ADDED, user, move.previous_cohort)


def add_users(course_key: CourseKey, cohort_id: object, identifiers: Sequence[str], actor_id: int | None) -> dict:
    """
    Add usernames or emails to the cohort; the answer sorts each into the original's lists.

    ``{"success": true, "added": [{"username", "email"}], "changed": [{"email", "previous_cohort",
    "username"}], "present": [...], "unknown": [...], "preassigned": [...], "invalid": [...]}``
    """
    cohort = get_cohort(course_key, cohort_id)
    if not [identifier for identifier in identifiers if identifier]:
        raise CohortError("Missing users key in payload", "missing-users", "users")
    result: dict = {"success": True, ADDED: [], CHANGED: [], PRESENT: [], UNKNOWN: [], PREASSIGNED: [], INVALID: []}
    for identifier in identifiers:
        if not identifier:
            continue
        done = _assign(course_key, cohort, identifier, actor_id)
        if done.outcome == ADDED and done.user:
            result[ADDED].append({"username": done.user.username, "email": done.user.email})
        elif done.outcome == CHANGED and done.user:
            result[CHANGED].append(
                {"email": done.user.email, "previous_cohort": done.previous_cohort, "username": done.user.username}
            )
        else:
            result[done.outcome].append(identifier)
    return result


def remove_user(course_key: CourseKey, cohort_id: object, username: str, actor_id: int | None) -> None:
    """Take a user (by username or email) out of the cohort; not in it is a 400, no such user a 404."""
    cohort = get_cohort(course_key, cohort_id)
    backend = get_backend()
    try:
        user = backend.users.find_user(username)
    except (UserNotFound, AmbiguousIdentifier):
        raise CohortUserNotFound(username) from None
    if not backend.cohorts.remove_member(course_key, cohort.id, user.id):
        raise CohortError("User not assigned to the given cohort.", "user-not-in-cohort")
    _audit(course_key, "cohorts.remove_user", actor_id, user.id, cohort_id=cohort.id)


# --- A learner's own cohort: preassigned, else random ---------------------------------

#: The random cohort made for a course that needs one and has none (Open edX's name).
DEFAULT_COHORT_NAME = "Default Group"


def _random_cohort(course_key: CourseKey) -> CohortData:
    """One of the course's ``random`` cohorts, picked at random; ``Default Group`` is made if it has none."""
    return secrets.choice(_random_cohorts(course_key, get_backend().cohorts.list_cohorts(course_key)))


def _random_cohorts(course_key: CourseKey, listed: Sequence[CohortData]) -> list[CohortData]:
    """The ``random`` cohorts of the course's ``listed`` cohorts, else ``Default Group`` (made if missing)."""
    randoms = [cohort for cohort in listed if cohort.assignment_type == COHORT_RANDOM]
    if randoms:
        return randoms
    cohorts = get_backend().cohorts
    existing = cohorts.find_cohort(course_key, DEFAULT_COHORT_NAME)
    if existing is not None:
        return [existing]
    cohort = cohorts.create_cohort(course_key, DEFAULT_COHORT_NAME, COHORT_RANDOM)
    _audit(course_key, "cohorts.create", None, cohort_id=cohort.id, name=cohort.name, assignment_type=COHORT_RANDOM)
    return [cohort]


def get_learner_cohort(course_key: CourseKey, user: UserData, assign: bool = True) -> CohortData | None:
    """
    The learner's cohort in the course, giving them one first if they have none (unless ``assign`` is false).

    As Open edX's ``get_cohort``: a course that is not cohorted gives ``None``; a learner without a
    cohort joins the cohort their email was preassigned to (the preassignment is used up), else one
    of the course's ``random`` cohorts, chosen at random (``Default Group`` is made when there is
    none). A manual-only course thus still places every learner. The enrollment API calls it when a
    learner enrolls; the assignment is audited (``cohorts.auto_assign``, no actor).
    """
    cohorts = get_backend().cohorts
    if not cohorts.is_cohorted(course_key):
        return None
    for _attempt in range(2):
        current = cohorts.get_user_cohort(course_key, user.id)
        if current is not None or not assign:
            return current
        try:
            return _place(course_key, user)
        except IntegrityError:
            # Another request placed the learner, or made the default cohort, meanwhile: read again.
            continue
    return cohorts.get_user_cohort(course_key, user.id)


def _place(course_key: CourseKey, user: UserData) -> CohortData | None:
    cohorts = get_backend().cohorts
    with transaction.atomic():
        preassigned_id = cohorts.pop_preassignment(course_key, user.email) if user.email else None
        preassigned = cohorts.get_cohort(course_key, preassigned_id) if preassigned_id is not None else None
        cohort = preassigned or _random_cohort(course_key)
        cohorts.assign_member(course_key, cohort.id, user.id)
        _audit(
            course_key, "cohorts.auto_assign", None, user.id, cohort_id=cohort.id, preassigned=preassigned is not None
        )
    return cohorts.get_cohort(course_key, cohort.id)


def place_new_learners(course_key: CourseKey, users: Sequence[UserData]) -> None:
    """
    :func:`get_learner_cohort` with ``assign`` for many newly enrolled learners, in a few queries.

    For a cohorted course only (the caller checks). Learners already in a cohort stay; the others
    join their preassigned cohort, else a random one, each placement audited as one learner's would be.
    """
    cohorts = get_backend().cohorts
    placed = cohorts.get_cohort_names(course_key, [user.id for user in users])
    waiting = [user for user in users if user.id not in placed]
    if not waiting:
        return
    preassigned = cohorts.pop_preassignments(course_key, [user.email for user in waiting if user.email])
    listed = cohorts.list_cohorts(course_key)
    existing = {cohort.id for cohort in listed}
    randoms: list[CohortData] = []
    cohort_by_user: dict[int, int] = {}
    audits: list[AuditRow] = []
    for user in waiting:
        preassigned_id = preassigned.get(user.email.strip().lower()) if user.email else None
        is_preassigned = preassigned_id in existing
        if preassigned_id is not None and is_preassigned:
            cohort_id = preassigned_id
        else:
            randoms = randoms or _random_cohorts(course_key, listed)
            cohort_id = secrets.choice(randoms).id
        cohort_by_user[user.id] = cohort_id
        audits.append((None, user.id, "", None, {"cohort_id": cohort_id, "preassigned": is_preassigned}))
    cohorts.add_members(course_key, cohort_by_user)
    insert_audit_records(course_key, "cohorts.auto_assign", audits)


def split_identifiers(text: str) -> list[str]:
    """The usernames or emails of a text separated by commas and/or whitespace."""
    return [part for part in re.split(r"[\s,]+", text) if part]


# --- The CSV upload ---------------------------------------------------------------


@dataclass(frozen=True)
class CsvAssignment:
    """One data row of an assignments CSV: its line, the email or else username, the cohort name."""

    line: int
    identifier: str
    cohort: str


def _failed_validation(message: str) -> CohortError:
    return CohortError(message, "failed-validation", "uploaded-file")


def read_assignments_csv(upload: UploadedFile | None) -> list[CsvAssignment]:
    """
    The rows of an uploaded assignments CSV: columns ``cohort`` and ``email`` and/or ``username``.

    Raises ``failed-validation`` errors (400) for a missing file, a name not ending ``.csv``, text
    that is not UTF-8 CSV (naming the line), or a header without the required columns, and
    :class:`UploadTooLarge` (413) above ``MAX_COHORT_CSV_UPLOAD_BYTES``. Blank rows are skipped.
    """
    if upload is None:
        raise _failed_validation("No file uploaded with key 'uploaded-file'.")
    if not (upload.name or "").lower().endswith(".csv"):
        raise _failed_validation("The file must end with the extension '.csv'.")
    limit = plugin_setting("MAX_COHORT_CSV_UPLOAD_BYTES")
    if upload.size > limit:
        raise UploadTooLarge(upload.size, message=f"Maximum upload file size is {limit} bytes.")
    content = upload.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise _failed_validation(f"Error processing CSV file: Line {line}: the file is not UTF-8 text.") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [])]
        if "cohort" not in header:
            raise _failed_validation("The file must contain a 'cohort' column containing cohort names.")
        if "email" not in header and "username" not in header:
            raise _failed_validation("The file must contain a 'username' column, an 'email' column, or both.")
        rows = []
        for raw in reader:
            cells = dict(zip(header, (cell.strip() for cell in raw), strict=False))
            if not any(cells.values()):
                continue
            identifier = cells.get("email") or cells.get("username") or ""
            rows.append(CsvAssignment(line=reader.line_num, identifier=identifier, cohort=cells.get("cohort", "")))
    except csv.Error as exc:
        raise _failed_validation(f"Error processing CSV file: Line {reader.line_num}: {exc}") from None
    return rows


def start_csv_assignment(course_key: CourseKey, rows: Sequence[CsvAssignment], requester_id: int | None):
    """Queue the assignments as the course's ``cohort_students`` task (one at a time per course)."""
    task_input = {"rows": [[row.line, row.identifier, row.cohort] for row in rows]}
    return submit_task(COHORT_CSV_TASK, course_key, requester_id, task_input)


@task_type(COHORT_CSV_TASK)
def _run_csv_assignment(run: TaskRun) -> dict:
    """
    Apply each row, recording a result row per CSV row (``detail``: line, cohort, outcome), then store
    the original's summary report (``cohort_results``), one row per cohort named.
    """
    course_key = run.course_key
    cohorts: dict[str, CohortData | None] = {}

    def apply(row: list) -> ItemResult:
        line, identifier, name = row
        if name not in cohorts:
            cohorts[name] = get_backend().cohorts.find_cohort(course_key, name)
        cohort = cohorts[name]
        detail = {"line": line, "cohort": name}
        if cohort is None:
            return ItemResult(identifier, False, f"Line {line}: cohort '{name}' does not exist.", None, detail)
        if not identifier:
            return ItemResult(identifier, False, f"Line {line}: no username or email.", None, detail)
        done = _assign(course_key, cohort, identifier, run.requester_id)
        detail["outcome"] = done.outcome
        user_id = done.user.id if done.user else None
        if done.outcome == UNKNOWN:
            return ItemResult(identifier, False, f"Line {line}: no such user.", None, detail)
        if done.outcome == INVALID:
            return ItemResult(identifier, False, f"Line {line}: invalid email address.", None, detail)
        return ItemResult(identifier, True, done.outcome, user_id, detail)

    rows = run.input.get("rows", [])
    run.each(rows, apply, total=len(rows), describe=lambda row: str(row[1]))
    report = _store_summary(run.record, [name for name in dict.fromkeys(row[2] for row in rows)], cohorts)
    counts = run.counts()
    return {
        "message": f"Cohort assignments: {counts['succeeded']} succeeded, {counts['failed']} failed.",
        "report_id": report.pk,
        **counts,
    }


def _store_summary(task: InstructorTask, names: list[str], cohorts: dict[str, CohortData | None]):
    added: dict[str, int] = defaultdict(int)
    lists: dict[tuple[str, str], list[str]] = defaultdict(list)
    for result in InstructorTaskResult.objects.filter(task=task).order_by("pk").iterator():
        detail = result.detail or {}
        name, outcome = detail.get("cohort", ""), detail.get("outcome")
        if outcome in (ADDED, CHANGED):
            added[name] += 1
        elif outcome in (UNKNOWN, INVALID, PREASSIGNED):
            lists[(name, outcome)].append(result.identifier)
    body = CsvBody(
        header=RESULTS_HEADER,
        rows=[
            [
                name,
                cohorts.get(name) is not None,
                added[name],
                ",".join(lists[(name, UNKNOWN)]),
                ",".join(lists[(name, INVALID)]),
                ",".join(lists[(name, PREASSIGNED)]),
            ]
            for name in names
        ],
    )
    with tempfile.TemporaryFile() as content:
        write_csv(content, body)
        return store_report(task.course_key, COHORT_RESULTS_REPORT, content, task=task, created_by_id=task.requester_id)
