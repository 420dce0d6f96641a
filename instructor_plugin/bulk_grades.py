"""
The bulk-grades CSV API (Open edX's edx-bulk-grades): gradebook CSV export, CSV import of overrides, history.

The export lists the gradebook's learners (the same filters, read a page at a time) with, per graded
subsection, columns ``name-``, ``grade-``, ``original_grade-``, ``previous_override-`` and
``new_override-`` suffixed by the first 8 characters of its block id. An import reads ``new_override-``
cells back: every row is checked at once, and only a file without errors is applied, in a background
task as edx-bulk-grades does (each value is the learner's graded points on that subsection, recorded as an
override with its history and audited, the course grade recomputed).
Each import is kept as an :class:`~.models.AuditRecord` (``bulk_grades_import``): its counts for the
history, and its per-row results for the ``error_id`` download.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from opaque_keys.edx.keys import CourseKey, UsageKey

from . import gradebook, resolve
from .backends.data import CourseData, CursorRequest, GradebookFilter, GradebookLearnerData, UserData
from .backends.exceptions import BlockNotFound
from .backends.registry import get_backend
from .conf import plugin_setting
from .exceptions import ErrorCategory, InstructorError
from .instructor_tasks import ItemResult, TaskRun, get_task, task_message, task_type
from .models import AuditRecord, InstructorTask, InstructorTaskResult
from .reports import neutralize_cell
from .tasks import submit_task

__all__ = [
    "GRADE_IMPORT_SYSTEM",
    "GRADE_IMPORT_TASK",
    "CsvFilters",
    "UploadTooLarge",
    "export_grades",
    "export_interventions",
    "export_results",
    "import_grades",
    "import_history",
    "import_status",
]

GRADE_IMPORT_SYSTEM = "grade-import"
IMPORT_COMMENT = "Bulk Grade Import"
IMPORT_ACTION = "bulk_grades_import"
#: The background task that applies a checked import.
GRADE_IMPORT_TASK = "bulk_grades_import"
#: Learners read per query while a CSV is written.
EXPORT_CHUNK = 500
_BASE_COLUMNS = ["user_id", "username", "student_key", "course_id", "track", "cohort"]
_GRADE_PREFIXES = ("name", "grade", "original_grade", "previous_override", "new_override")
_INTERVENTION_COLUMNS = [
    "user_id",
    "username",
    "email",
    "student_key",
    "full_name",
    "course_id",
    "track",
    "cohort",
    "number of videos overall",
    "number of videos last week",
    "number of problems overall",
    "number of problems last week",
    "number of correct problems overall",
    "number of correct problems last week",
    "number of problem attempts overall",
    "number of problem attempts last week",
    "number of forum posts overall",
    "number of forum posts last week",
    "date last active",
]
#: The learning-analytics columns of the intervention report: the plugin has no such source, they are 0.
_ENGAGEMENT_COLUMNS = _INTERVENTION_COLUMNS[8:]


class UploadTooLarge(InstructorError):
    """A grades CSV above ``MAX_BULK_GRADES_CSV_UPLOAD_BYTES``."""

    category = ErrorCategory.TOO_LARGE
    error_code = "file_too_large"


class ImportNotFound(InstructorError):
    """An ``error_id`` naming no import of this course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "operation_not_found"
    message = "No grade import with this id in this course."


@dataclass(frozen=True)
class CsvFilters:
    """The Gradebook MFE's filters of a download: the gradebook's, a cohort by name and an assignment type."""

    track: str | None = None
    cohort: str | None = None
    assignment: UsageKey | None = None
    assignment_type: str | None = None
    assignment_grade_min: float | None = None
    assignment_grade_max: float | None = None
    course_grade_min: float | None = None
    course_grade_max: float | None = None
    excluded_course_roles: tuple[str, ...] = ()


def _subsections(
    course: CourseData, assignment: UsageKey | None = None, assignment_type: str | None = None
) -> dict[str, gradebook.GradedSubsection]:
    """The graded subsections by short id (their block id's first 8 characters; the first one wins)."""
    chosen: dict[str, gradebook.GradedSubsection] = {}
    for item in gradebook.graded_subsections(course):
        if assignment is not None and item.block.usage_key.block_id != assignment.block_id:
            continue
        if assignment_type and item.block.assignment_type != assignment_type:
            continue
        chosen.setdefault(item.block.usage_key.block_id[:8], item)
    return chosen


def _gradebook_filter(course_key: CourseKey, filters: CsvFilters, mode: str | None) -> GradebookFilter | None:
    """The gradebook filter of a download; ``None`` when it names a cohort the course does not have."""
    cohort_id = None
    if filters.cohort:
        cohort = get_backend().cohorts.find_cohort(course_key, filters.cohort)
        if cohort is None:
            return None
        cohort_id = cohort.id
    return GradebookFilter(
        cohort_id=cohort_id,
        enrollment_mode=mode,
        assignment=filters.assignment,
        assignment_grade_min=filters.assignment_grade_min,
        assignment_grade_max=filters.assignment_grade_max,
        course_grade_min=filters.course_grade_min,
        course_grade_max=filters.course_grade_max,
        excluded_course_roles=filters.excluded_course_roles,
    )


def _learner_pages(course_key: CourseKey, filters: GradebookFilter | None) -> Iterator[list[GradebookLearnerData]]:
    if filters is None:
        return
    after = None
    while True:
        page = get_backend().gradebook.list_gradebook(
            course_key, filters, CursorRequest(after=after, limit=EXPORT_CHUNK)
        )
        if page.items:
            yield list(page.items)
        if not page.has_more or not page.items:
            return
        after = page.items[-1].user.id


def _csv_lines(columns: Sequence[str], rows: Iterator[Mapping[str, object]]) -> Iterator[str]:
    """CSV text, one line at a time, every cell neutralised against formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralize_cell(cell) for cell in cells])
        return buffer.getvalue()

    yield line(columns)
    for row in rows:
        yield line([row.get(column) for column in columns])


def _grade_rows(
    course: CourseData, filters: CsvFilters, subsections: Mapping[str, gradebook.GradedSubsection]
) -> Iterator[dict[str, object]]:
    backend = get_backend()
    course_key = course.course_key
    for learners in _learner_pages(course_key, _gradebook_filter(course_key, filters, filters.track or None)):
        ids = [learner.user.id for learner in learners]
        grades = backend.gradebook.get_subsection_grades(course_key, ids)
        cohorts = backend.cohorts.get_cohort_names(course_key, ids)
        for learner in learners:
            row: dict[str, object] = {
                "user_id": learner.user.id,
                "username": learner.user.username,
                "student_key": learner.external_user_key or None if learner.mode == gradebook.MASTERS else None,
                "course_id": str(course_key),
                "track": learner.mode,
                "cohort": cohorts.get(learner.user.id),
            }
            own = grades.get(learner.user.id, {})
            for short_id, item in subsections.items():
                row[f"name-{short_id}"] = item.block.display_name
                grade = own.get(item.block.usage_key)
                if grade is None:
                    continue
                override = grade.override.earned_graded_override if grade.override else None
                row[f"original_grade-{short_id}"] = grade.earned_graded
                row[f"previous_override-{short_id}"] = override
                row[f"grade-{short_id}"] = grade.earned_graded if override is None else override
            yield row


def export_grades(course: CourseData, filters: CsvFilters) -> Iterator[str]:
    """The grades CSV of the learners the filters keep, streamed a line at a time."""
    subsections = _subsections(course, filters.assignment, filters.assignment_type)
    columns = [*_BASE_COLUMNS, *(f"{prefix}-{key}" for key in subsections for prefix in _GRADE_PREFIXES)]
    return _csv_lines(columns, _grade_rows(course, filters, subsections))


def export_interventions(course: CourseData, filters: CsvFilters) -> Iterator[str]:
    """The intervention CSV: ``masters`` learners the filters keep, their grades, course grade and engagement."""
    subsections = _subsections(course, filters.assignment, filters.assignment_type)
    columns = [
        *_INTERVENTION_COLUMNS,
        *(f"{prefix}-{key}" for key in subsections for prefix in ("name", "grade")),
        "course grade letter",
        "course grade numeric",
    ]
    return _csv_lines(columns, _intervention_rows(course, filters, subsections))


def _intervention_rows(
    course: CourseData, filters: CsvFilters, subsections: Mapping[str, gradebook.GradedSubsection]
) -> Iterator[dict[str, object]]:
    backend = get_backend()
    course_key = course.course_key
    for learners in _learner_pages(course_key, _gradebook_filter(course_key, filters, gradebook.MASTERS)):
        ids = [learner.user.id for learner in learners]
        grades = backend.gradebook.get_subsection_grades(course_key, ids)
        cohorts = backend.cohorts.get_cohort_names(course_key, ids)
        for learner in learners:
            row: dict[str, object] = {
                "user_id": learner.user.id,
                "username": learner.user.username,
                "email": learner.user.email,
                "student_key": learner.external_user_key or None,
                "full_name": learner.user.full_name,
                "course_id": str(course_key),
                "track": learner.mode,
                "cohort": cohorts.get(learner.user.id),
                **dict.fromkeys(_ENGAGEMENT_COLUMNS, 0),
                "course grade letter": learner.letter_grade,
                "course grade numeric": learner.percent,
            }
            own = grades.get(learner.user.id, {})
            for short_id, item in subsections.items():
                row[f"name-{short_id}"] = item.block.display_name
                grade = own.get(item.block.usage_key)
                if grade is not None:
                    override = grade.override.earned_graded_override if grade.override else None
                    row[f"grade-{short_id}"] = grade.earned_graded if override is None else override
            yield row


# --- Import ------------------------------------------------------------------


@dataclass(frozen=True)
class _Override:
    line: int
    user_id: int
    usage_key: UsageKey
    points: float


class _RowError(Exception):
    """A row that cannot be applied, with the message its result shows."""


def _read_upload(upload: UploadedFile) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of an uploaded CSV; raises :class:`_RowError` for a file that is not UTF-8 CSV."""
    limit = plugin_setting("MAX_BULK_GRADES_CSV_UPLOAD_BYTES")
    if upload.size > limit:
        raise UploadTooLarge(upload.size, message=f"The CSV file must be under {limit} bytes")
    content = upload.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _RowError("The file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [{str(key): (value or "") for key, value in row.items() if key is not None} for row in reader]
    except csv.Error as exc:
        raise _RowError(f"Error processing CSV file: Line {reader.line_num}: {exc}") from None
    return [str(name) for name in reader.fieldnames or []], rows


def _row_overrides(
    course: CourseData, line: int, row: Mapping[str, str], subsections: Mapping[str, gradebook.GradedSubsection]
) -> list[_Override]:
    if row.get("course_id", "").strip() != str(course.course_key):
        raise _RowError(f"Wrong course id {row.get('course_id', '')} != {course.course_key}")
    overrides = []
    for column, cell in row.items():
        value = (cell or "").strip()
        if not column.startswith("new_override-") or not value:
            continue
        item = subsections.get(column.split("-", 1)[1])
        if item is None:
            raise _RowError(f"Unknown subsection column {column}")
        try:
            points = float(value)
        except ValueError:
            raise _RowError("Grade must be a number") from None
        if not math.isfinite(points) or points < 0:
            raise _RowError("Grade must be positive")
        user_id = resolve.database_id(row.get("user_id", "").strip())
        if user_id is None or get_backend().enrollments.get_enrollment(course.course_key, user_id) is None:
            raise _RowError(f"User {row.get('user_id', '')} is not enrolled in this course.")
        overrides.append(_Override(line, user_id, item.block.usage_key, points))
    return overrides


def _apply(course_key: CourseKey, override: _Override, actor_id: int | None) -> None:
    values = {"earned_graded_override": override.points}
    get_backend().gradebook.override_subsection_grade(
        course_key, override.usage_key, override.user_id, values, IMPORT_COMMENT, GRADE_IMPORT_SYSTEM, actor_id
    )
    AuditRecord.objects.create(
        course_key=course_key,
        action=gradebook.OVERRIDE_ACTION,
        actor_id=actor_id,
        learner_id=override.user_id,
        usage_key=override.usage_key,
        detail={**values, "comment": IMPORT_COMMENT, "system": GRADE_IMPORT_SYSTEM},
    )


def _status(
    detail: Mapping, processed: int, saved: int, messages: Sequence[str], error_id: int | None, task_id: str | None
) -> dict:
    """The original's import status of an import record's ``detail``; ``task_id`` while it is applied."""
    results = detail.get("results", [])
    return {
        "total": len(results),
        "processed": processed,
        "saved": saved,
        "error_rows": [result for result in results if result.get("error")],
        "error_messages": list(messages),
        "percentage": format(saved / float(len(results) or 1), ".1%"),
        "can_commit": bool(processed) and not messages,
        "saved_error_id": error_id,
        "result_id": task_id,
        "waiting": task_id is not None,
    }


def import_grades(course: CourseData, upload: UploadedFile, actor: UserData | None) -> dict:
    """
    Check every row of an uploaded grades CSV now, then apply its ``new_override-`` cells in a background task
    (``bulk_grades_import``) when no row failed, as edx-bulk-grades commits every import in a Celery task.

    The answer is the original's status: ``total``, ``processed``, ``saved``, ``error_rows``,
    ``error_messages`` (empty on success), ``percentage``, ``can_commit``, ``saved_error_id`` (the import to
    download the per-row results of), and, while the task runs, ``waiting`` with its ``result_id`` (see
    :func:`import_status`); a task that already finished answers its final status. Raises
    :class:`gradebook.GradesFrozen` and :class:`UploadTooLarge` (413).
    """
    if gradebook.are_grades_frozen(course):
        raise gradebook.GradesFrozen(course.course_key)
    subsections = _subsections(course)
    messages: dict[str, None] = {}
    results: list[dict[str, str]] = []
    staged: list[tuple[int, list[_Override]]] = []
    columns: list[str] = []
    try:
        columns, rows = _read_upload(upload)
        for column in ("user_id", "course_id"):
            if column not in columns:
                raise _RowError(f"Missing column: {column}")
    except _RowError as failure:
        messages[str(failure)] = None
        rows = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        result = {**row, "status": "Success", "error": ""}
        try:
            user = row.get("user_id", "").strip()
            overrides = [] if user in seen else _row_overrides(course, index + 2, row, subsections)
            seen.add(user)
            if overrides:
                staged.append((index, overrides))
            else:
                result["status"] = "No Action"
        except _RowError as failure:
            messages[str(failure)] = None
            result.update(status="Failure", error=str(failure))
        results.append(result)
    applies = bool(staged) and not messages
    detail = {
        "operation": "stage" if applies else ("error" if messages else "commit"),
        "original_filename": upload.name or "",
        "total_rows": len(rows),
        "processed_rows": len(staged),
        "saved_rows": 0,
        "columns": columns,
        "results": results,
    }
    actor_id = actor.id if actor else None
    record = AuditRecord.objects.create(
        course_key=course.course_key, action=IMPORT_ACTION, actor_id=actor_id, detail=detail
    )
    if not applies:
        return _status(detail, len(staged), 0, list(messages), record.pk if messages else None, None)
    task_input = {
        "import_id": record.pk,
        "rows": [[index, [[o.user_id, str(o.usage_key), o.points] for o in overrides]] for index, overrides in staged],
    }
    task = submit_task(GRADE_IMPORT_TASK, course.course_key, actor_id, task_input, scope=str(record.pk))
    return import_status(course.course_key, str(task.task_id))


def import_status(course_key: CourseKey, result_id: str) -> dict:
    """
    The status of the import applied by task ``result_id``: ``waiting`` while it runs, its final status once
    it ended. Raises :class:`ImportNotFound` for a task that is not an import of this course.
    """
    task = get_task(course_key, result_id)
    if task is None or task.task_type != GRADE_IMPORT_TASK:
        raise ImportNotFound(result_id)
    record = AuditRecord.objects.filter(pk=task.task_input.get("import_id"), action=IMPORT_ACTION).first()
    if record is None:
        raise ImportNotFound(result_id)
    detail = record.detail
    if task.state == InstructorTask.COMPLETED:
        messages = detail.get("error_messages", [])
        return _status(
            detail, detail["processed_rows"], detail["saved_rows"], messages, record.pk if messages else None, None
        )
    if task.state == InstructorTask.FAILED:
        saved = task.results.filter(succeeded=True).count()  # the chunks it committed before it stopped
        return _status(detail, detail["processed_rows"], saved, [task_message(task)], record.pk, None)
    return _status(detail, detail["processed_rows"], 0, [], None, str(task.task_id))


@task_type(GRADE_IMPORT_TASK)
def _run_import(run: TaskRun) -> dict:
    """
    Apply a checked import, one CSV row (its learner's overrides, each recomputing the course grade) per
    item, then record on the import what was saved: it joins the history, and a row that failed here (its
    subsection gone meanwhile) shows in the ``error_id`` download.
    """
    record = AuditRecord.objects.get(pk=run.input["import_id"])
    course_key = run.course_key

    def apply(item: list) -> ItemResult:
        index, overrides = item
        user_id = overrides[0][0]
        try:
            for learner_id, usage_id, points in overrides:
                _apply(
                    course_key,
                    _Override(index + 2, learner_id, UsageKey.from_string(usage_id), points),
                    run.requester_id,
                )
        except BlockNotFound:
            message = f"usage_key {overrides[0][1]} does not exist in this course."
            return ItemResult(str(user_id), False, message, user_id, {"row": index})
        return ItemResult(str(user_id), True, "", user_id, {"row": index})

    rows = run.input.get("rows", [])
    run.each(rows, apply, total=len(rows), describe=lambda item: f"row {item[0] + 2}")
    detail = dict(record.detail)
    results = [dict(result) for result in detail.get("results", [])]
    messages: dict[str, None] = {}
    for failure in InstructorTaskResult.objects.filter(task=run.record, succeeded=False).order_by("pk"):
        messages[failure.message] = None
        row = (failure.detail or {}).get("row")
        if isinstance(row, int) and row < len(results):
            results[row].update(status="Failure", error=failure.message)
    counts = run.counts()
    detail.update(operation="commit", saved_rows=counts["succeeded"], results=results, error_messages=list(messages))
    record.detail = detail
    record.save(update_fields=["detail"])
    return {"message": f"Grade import: {counts['succeeded']} rows saved, {counts['failed']} failed.", **counts}


def import_history(course_key: CourseKey) -> list[dict]:
    """The course's applied imports, newest first: ``id``, ``user``, ``modified``, ``original_filename``, counts."""
    records = (
        AuditRecord.objects.filter(course_key=course_key, action=IMPORT_ACTION, detail__operation="commit")
        .select_related("actor")
        .order_by("-created", "-pk")
    )
    return [
        {
            "id": record.pk,
            "class_name": "bulk_grades.api.GradeCSVProcessor",
            "unique_id": str(course_key),
            "operation": "commit",
            "user": record.actor.username if record.actor else None,
            "modified": record.created,
            "original_filename": record.detail.get("original_filename", ""),
            "data": {name: record.detail.get(name, 0) for name in ("total_rows", "processed_rows", "saved_rows")},
        }
        for record in records
    ]


def export_results(course_key: CourseKey, import_id: object) -> Iterator[str]:
    """An import's rows with their ``status`` and ``error`` as CSV; raises :class:`ImportNotFound`."""
    pk = resolve.database_id(import_id)
    record = AuditRecord.objects.filter(course_key=course_key, action=IMPORT_ACTION, pk=pk).first() if pk else None
    if record is None:
        raise ImportNotFound(import_id)
    columns = [*record.detail.get("columns", []), "status", "error"]
    return _csv_lines(columns, iter(record.detail.get("results", [])))
