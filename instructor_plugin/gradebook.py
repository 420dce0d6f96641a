"""
The gradebook (grades REST v1): course grades, the grading policy, learners' subsection grades and their overrides.

Every override is written through the backend (which keeps its history and recomputes the course grade)
and audited with an :class:`~.models.AuditRecord`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from . import resolve, toggles
from .backends.data import (
    OVERRIDE_FIELDS,
    BlockData,
    CourseData,
    CursorPage,
    CursorRequest,
    EnrollmentFilter,
    GradebookFilter,
    GradebookLearnerData,
    GradedEnrollmentData,
    PageRequest,
    ProblemStateData,
    SubsectionGradeData,
    UserData,
)
from .backends.exceptions import BlockNotFound, CourseNotFound, UserNotFound
from .backends.registry import get_backend
from .exceptions import ErrorCategory, InstructorError
from .models import AuditRecord

__all__ = [
    "GRADEBOOK_SYSTEM",
    "GradebookDisabled",
    "GradesFrozen",
    "LearnerNotInCourse",
    "are_grades_frozen",
    "bulk_update",
    "can_see_bulk_management",
    "check_writable_gradebook",
    "course_grade",
    "grading_info",
    "grading_policy",
    "legacy_gradebook_page",
    "list_course_grades",
    "list_gradebook",
    "list_section_breakdowns",
    "list_submission_history",
    "subsection_detail",
]

log = logging.getLogger(__name__)

GRADEBOOK_SYSTEM = "GRADEBOOK"
OVERRIDE_ACTION = "override_subsection_grade"
MASTERS = "masters"


class GradebookDisabled(InstructorError):
    category = ErrorCategory.FORBIDDEN
    error_code = "feature_not_enabled"
    message = "The writable gradebook feature is not enabled for this course."


class GradesFrozen(InstructorError):
    category = ErrorCategory.FORBIDDEN
    error_code = "grades_frozen"
    message = "Grades are frozen for this course."


class LearnerNotInCourse(InstructorError):
    """No such user (``user_does_not_exist``), or not enrolled (``user_not_enrolled``)."""

    category = ErrorCategory.NOT_FOUND
    error_code = "user_not_enrolled"
    message = "The user is not enrolled in this course."


@dataclass(frozen=True)
class GradedSubsection:
    """A graded subsection of the course with its label ("HW 01"), its type's short label and its key as text."""

    block: BlockData
    label: str
    short_label: str
    module_id: str


def check_writable_gradebook() -> None:
    """Raise :class:`GradebookDisabled` unless the ``grades.writable_gradebook`` flag is on."""
    if not toggles.is_writable_gradebook_enabled():
        raise GradebookDisabled()


def are_grades_frozen(course: CourseData) -> bool:
    """Frozen: the freeze flag is on and ``GRADEBOOK_FREEZE_DAYS`` have passed since the course end."""
    if not (toggles.enforce_freeze_grades() and course.end):
        return False
    days = getattr(settings, "GRADEBOOK_FREEZE_DAYS", 30)
    return timezone.now() > course.end + timedelta(days=days)


def can_see_bulk_management(course_key: CourseKey) -> bool:
    """A course with a ``masters`` track, or any course with the ``grades.bulk_management`` flag on."""
    if toggles.is_bulk_management_enabled():
        return True
    return any(mode.slug == MASTERS for mode in get_backend().enrollments.list_modes(course_key))


def _short_labels(course: CourseData) -> dict[str, str]:
    return {str(grader.get("type")): str(grader.get("short_label") or grader.get("type")) for grader in course.graders}


def graded_subsections(course: CourseData) -> list[GradedSubsection]:
    """The course's graded subsections in course order, numbered within their type ("HW 01", "HW 02" ...)."""
    labels = _short_labels(course)
    numbers: dict[str, int] = {}
    subsections = []
    for block in get_backend().courses.get_blocks(course.course_key, ["sequential"]):
        if not (block.graded and block.assignment_type):
            continue
        short_label = labels.get(block.assignment_type, block.assignment_type)
        numbers[block.assignment_type] = numbers.get(block.assignment_type, 0) + 1
        label = f"{short_label} {numbers[block.assignment_type]:02d}"
        subsections.append(GradedSubsection(block, label, short_label, str(block.usage_key)))
    return subsections


def _effective(grade: SubsectionGradeData | None) -> tuple[float, float, bool]:
    """``(earned, possible, attempted)`` as shown: the override's when set, else 0/0 unless attempted."""
    if grade is None:
        return 0.0, 0.0, False
    override = grade.override
    if override and override.earned_graded_override is not None and override.possible_graded_override is not None:
        return override.earned_graded_override, override.possible_graded_override, grade.attempted
    if not grade.attempted:
        return 0.0, 0.0, False
    return grade.earned_graded, grade.possible_graded, True


def _entry(
    learner: GradebookLearnerData,
    subsections: Sequence[GradedSubsection],
    grades: Mapping[UsageKey, SubsectionGradeData],
) -> dict:
    # Matched by key text: hashing and comparing usage keys (several microseconds each) cost a 25-learner page
    # of 7 subsections about 3 ms.
    by_module_id = {str(usage_key): grade for usage_key, grade in grades.items()}
    breakdown = []
    for subsection in subsections:
        earned, possible, attempted = _effective(by_module_id.get(subsection.module_id))
        breakdown.append(
            {
                "attempted": attempted,
                "category": subsection.block.assignment_type,
                "label": subsection.label,
                "module_id": subsection.module_id,
                "percent": round(earned / possible, 4) if possible else 0.0,
                "score_earned": earned,
                "score_possible": possible,
                "subsection_name": subsection.block.display_name,
            }
        )
    masters = learner.mode == MASTERS
    entry = {
        "user_id": learner.user.id,
        "username": learner.user.username,
        "email": learner.user.email if masters else "",
        "percent": learner.percent,
        "section_breakdown": breakdown,
    }
    if masters:
        entry["full_name"] = learner.user.full_name
    if learner.external_user_key:
        entry["external_user_key"] = learner.external_user_key
    return entry


def _entries(course: CourseData, learners: Sequence[GradebookLearnerData]) -> list[dict]:
    backend = get_backend()
    subsections = graded_subsections(course)
    user_ids = [item.user.id for item in learners]
    grades = backend.gradebook.get_subsection_grades(course.course_key, user_ids)
    # The external user keys of learners enrolled through a program (issue 12), in one query per page.
    if learners and backend.provides("programs"):
        keys = backend.programs.get_external_user_keys(course.course_key, user_ids)
        learners = [
            replace(item, external_user_key=keys.get(item.user.id, item.external_user_key)) for item in learners
        ]
    return [_entry(learner, subsections, grades.get(learner.user.id, {})) for learner in learners]


def _one_learner(course_key: CourseKey, username: str) -> GradebookLearnerData:
    """The learner of a username with any enrollment (active or not) in the course, for single-learner answers."""
    backend = get_backend()
    try:
        user = backend.users.find_user(username)
    except UserNotFound:
        raise LearnerNotInCourse(
            username, message=f"The user {username} does not exist.", error_code="user_does_not_exist"
        ) from None
    if user.username != username:
        raise LearnerNotInCourse(
            username, message=f"The user {username} does not exist.", error_code="user_does_not_exist"
        )
    enrollment = backend.enrollments.get_enrollment(course_key, user.id)
    if enrollment is None:
        raise LearnerNotInCourse(username, message=f"The user {username} is not enrolled in the course {course_key}.")
    page = backend.gradebook.list_gradebook(course_key, GradebookFilter(username=username), CursorRequest(limit=1))
    if page.items:
        return page.items[0]
    return GradebookLearnerData(user=user, mode=enrollment.mode)


def learner_entry(course: CourseData, username: str) -> dict:
    """One learner's gradebook entry; raises :class:`LearnerNotInCourse`."""
    return _entries(course, [_one_learner(course.course_key, username)])[0]


def list_gradebook(
    course: CourseData, filters: GradebookFilter, cursor: CursorRequest
) -> tuple[CursorPage[GradebookLearnerData], list[dict], int, int]:
    """A cursor page of gradebook entries, with the course's active enrollments and how many the filters keep."""
    backend = get_backend()
    page = backend.gradebook.list_gradebook(course.course_key, filters, cursor)
    total = backend.enrollments.count_active(course.course_key)
    filtered = backend.gradebook.count_gradebook(course.course_key, filters)
    return page, _entries(course, page.items), total, filtered


def course_grade(course_key: CourseKey, learner: GradebookLearnerData) -> dict:
    """The course-grade dict of grades v1 (``email`` only for ``masters`` learners)."""
    return {
        "username": learner.user.username,
        "email": learner.user.email if learner.mode == MASTERS else "",
        "course_id": str(course_key),
        "passed": learner.passed,
        "percent": learner.percent,
        "letter_grade": learner.letter_grade,
    }


def list_course_grades(course_key: CourseKey, cursor: CursorRequest) -> tuple[CursorPage[GradebookLearnerData], list]:
    """A cursor page of course grades of the actively enrolled learners."""
    page = get_backend().gradebook.list_gradebook(course_key, GradebookFilter(), cursor)
    return page, [course_grade(course_key, learner) for learner in page.items]


def learner_course_grade(course_key: CourseKey, username: str) -> dict:
    """One learner's course grade; raises :class:`LearnerNotInCourse`."""
    return course_grade(course_key, _one_learner(course_key, username))


def grading_policy(course: CourseData) -> list[dict]:
    """The grading policy's assignment types as grades v1 lists them."""
    return [
        {
            "assignment_type": grader.get("type"),
            "count": grader.get("min_count"),
            "dropped": grader.get("drop_count"),
            "weight": grader.get("weight"),
        }
        for grader in course.graders
    ]


def grading_info(course: CourseData, graded_only: bool) -> dict:
    """Assignment types, subsections (graded ones only with ``graded_only``), cutoffs, freeze and bulk management."""
    labels = _short_labels(course)
    assignment_types = {
        str(grader.get("type")): {
            "type": grader.get("type"),
            "short_label": labels[str(grader.get("type"))],
            "min_count": grader.get("min_count"),
            "drop_count": grader.get("drop_count"),
            "weight": grader.get("weight"),
        }
        for grader in course.graders
        if grader.get("type")
    }
    graded = {item.block.usage_key: item for item in graded_subsections(course)}
    subsections = []
    for block in get_backend().courses.get_blocks(course.course_key, ["sequential"]):
        item = graded.get(block.usage_key)
        if graded_only and item is None:
            continue
        row: dict[str, object] = {
            "assignment_type": block.assignment_type or None,
            "display_name": block.display_name,
            "graded": item is not None,
            "module_id": str(block.usage_key),
        }
        if item is not None:
            row["short_label"] = item.label
        subsections.append(row)
    return {
        "assignment_types": assignment_types,
        "subsections": subsections,
        "grade_cutoffs": dict(course.grade_cutoffs),
        "grades_frozen": are_grades_frozen(course),
        "can_see_bulk_management": can_see_bulk_management(course.course_key),
    }


def _grade_values(grade: SubsectionGradeData) -> dict[str, float]:
    return {
        "earned_all": grade.earned_all,
        "possible_all": grade.possible_all,
        "earned_graded": grade.earned_graded,
        "possible_graded": grade.possible_graded,
    }


def subsection_detail(usage_key: UsageKey, user_id: int, history_limit: int | None) -> dict:
    """
    A learner's grade on a subsection, its override and the override's history (newest ``history_limit``).

    The course is the key's; a learner without an enrollment there, or unknown, raises :class:`LearnerNotInCourse`.
    """
    backend = get_backend()
    course_key = usage_key.course_key
    try:
        backend.users.get_user(user_id)
    except UserNotFound:
        raise LearnerNotInCourse(
            user_id, message="The user does not exist.", error_code="user_does_not_exist"
        ) from None
    if backend.enrollments.get_enrollment(course_key, user_id) is None:
        raise LearnerNotInCourse(user_id)
    base = {"subsection_id": str(usage_key), "user_id": user_id, "course_id": str(course_key)}
    try:
        grade = backend.gradebook.get_subsection_grade(course_key, usage_key, user_id)
    except BlockNotFound:
        zero = {"earned_all": 0.0, "possible_all": 0.0, "earned_graded": 0.0, "possible_graded": 0.0}
        return {
            **base,
            "success": False,
            "error_message": "Cannot override subsection grade: subsection is not available for target learner.",
            "original_grade": zero,
            "override": None,
            "history": [],
        }
    override = grade.override
    history = backend.gradebook.list_override_history(course_key, usage_key, user_id, history_limit)
    return {
        **base,
        "success": True,
        "original_grade": _grade_values(grade),
        "override": {name: getattr(override, name) for name in OVERRIDE_FIELDS} if override else None,
        "history": [
            {
                "id": row.history_id,
                "history_id": row.history_id,
                "grade_id": row.override_id,
                "created": row.history_date,
                "history_date": row.history_date,
                "history_type": row.history_type,
                "history_user": row.history_user,
                "history_user_id": row.history_user_id,
                "override_reason": row.override_reason,
                "system": row.system,
                **{name: getattr(row, name) for name in OVERRIDE_FIELDS},
            }
            for row in history
        ],
    }


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or number < 0:
        raise ValueError(value)
    return number


class _ItemFailed(Exception):
    """A bulk item that cannot be applied, with the reason its result gives."""


def _parse_item(course: CourseData, item: object) -> tuple[int, UsageKey, dict[str, float], str]:
    """``(learner id, subsection, override values, comment)`` of a bulk item, or raise :class:`_ItemFailed`."""
    if not isinstance(item, Mapping):
        raise _ItemFailed("Each item must be an object.")
    user_id, usage_id, grade = item.get("user_id"), item.get("usage_id"), item.get("grade")
    learner_id = resolve.database_id(user_id)
    if learner_id is None:
        raise _ItemFailed("User matching query does not exist.")
    if get_backend().enrollments.get_enrollment(course.course_key, learner_id) is None:
        raise _ItemFailed(f"User {user_id} is not enrolled in this course.")
    try:
        usage_key = UsageKey.from_string(str(usage_id))
    except InvalidKeyError:
        raise _ItemFailed(f"<class 'opaque_keys.edx.locator.BlockUsageLocator'>: {usage_id}") from None
    if usage_key.course_key != course.course_key:
        raise _ItemFailed(f"usage_key {usage_key} does not exist in this course.")
    if not isinstance(grade, Mapping):
        raise _ItemFailed("grade must be an object.")
    try:
        values = {name: _number(grade[name]) for name in OVERRIDE_FIELDS if grade.get(name) not in (None, "")}
    except (TypeError, ValueError):
        raise _ItemFailed("Override values must be non-negative numbers.") from None
    return learner_id, usage_key, values, str(grade.get("comment") or "")


def _override_one(course: CourseData, item: object, actor: UserData | None) -> dict:
    """One bulk item: ``{user_id, usage_id, success, reason}``; a failure is a result, never an error."""
    echo = item if isinstance(item, Mapping) else {}
    failed = {"user_id": echo.get("user_id"), "usage_id": echo.get("usage_id"), "success": False}
    actor_id = actor.id if actor else None
    try:
        learner_id, usage_key, values, comment = _parse_item(course, item)
        with transaction.atomic():
            result = get_backend().gradebook.override_subsection_grade(
                course.course_key, usage_key, learner_id, values, comment, GRADEBOOK_SYSTEM, actor_id
            )
            AuditRecord.objects.create(
                course_key=course.course_key,
                action=OVERRIDE_ACTION,
                actor_id=actor_id,
                learner_id=learner_id,
                usage_key=usage_key,
                detail={**values, "comment": comment, "system": GRADEBOOK_SYSTEM},
            )
    except _ItemFailed as failure:
        return {**failed, "reason": str(failure)}
    except BlockNotFound as missing:
        return {
            **failed,
            "reason": f"usage_key {missing.args[0] if missing.args else ''} does not exist in this course.",
        }
    log.info("Grades: Bulk_Update, course %s, user %s, subsection %s", course.course_key, learner_id, usage_key)
    return {"user_id": learner_id, "usage_id": str(result.usage_key), "success": True, "reason": None}


def bulk_update(course: CourseData, items: Sequence[object], actor: UserData | None) -> tuple[list[dict], bool]:
    """
    Override the subsection grades of many (learner, subsection) pairs; the per-item results and whether all succeeded.

    Raises :class:`GradesFrozen` when the course's grades are frozen, writing nothing.
    """
    if are_grades_frozen(course):
        raise GradesFrozen(course.course_key)
    results = [_override_one(course, item, actor) for item in items]
    return results, all(result["success"] for result in results)


# --- Section grades breakdown and submission history (global staff) ---------


def _graded_points(grade: SubsectionGradeData | None) -> tuple[float, float]:
    """``(earned, possible)`` graded points counting toward the course grade: the override's when set."""
    if grade is None:
        return 0.0, 0.0
    override = grade.override
    if override and override.earned_graded_override is not None and override.possible_graded_override is not None:
        return override.earned_graded_override, override.possible_graded_override
    return grade.earned_graded, grade.possible_graded


def _type_summary(
    grader: Mapping[str, str | float],
    subsections: Sequence[GradedSubsection],
    grades: Mapping[UsageKey, SubsectionGradeData],
    total: float,
) -> list[dict]:
    """One assignment type's rows of a course grade summary: its subsections (or their average alone)."""
    assignment_type = str(grader.get("type"))
    short_label = str(grader.get("short_label") or assignment_type)
    rows: list[dict] = []
    for index, subsection in enumerate(subsections, start=1):
        earned, possible = _graded_points(grades.get(subsection.block.usage_key))
        percent = earned / possible if possible else 0.0
        detail = (
            f"{assignment_type} {index} - {subsection.block.display_name} - {percent:.2%} ({earned:.3n}/{possible:.3n})"
        )
        rows.append({"percent": percent, "label": subsection.label, "detail": detail, "category": assignment_type})
    for index in range(len(rows) + 1, int(float(grader.get("min_count") or 0)) + 1):
        rows.append(
            {
                "percent": 0.0,
                "label": f"{short_label} {index:02d}",
                "detail": f"{assignment_type} {index} Unreleased - 0% (?/?)",
                "category": assignment_type,
            }
        )
    drop_count = int(float(grader.get("drop_count") or 0))
    if 0 < drop_count < len(rows):
        lowest = sorted(range(len(rows)), key=lambda position: rows[position]["percent"])[:drop_count]
        for position in lowest:
            rows[position]["mark"] = {
                "detail": f"The lowest {drop_count} {assignment_type} scores are dropped.",
            }
    if len(rows) == 1:
        detail = f"{assignment_type} = {total:.2%}"
        return [
            {"percent": total, "label": short_label, "detail": detail, "category": assignment_type, "prominent": True}
        ]
    detail = f"{assignment_type} Average = {total:.2%}"
    label = f"{short_label} Avg"
    return [*rows, {"percent": total, "label": label, "detail": detail, "category": assignment_type, "prominent": True}]


def _section_summary(
    course: CourseData,
    subsections: Sequence[GradedSubsection],
    grades: Mapping[UsageKey, SubsectionGradeData],
    breakdown: Mapping[str, float],
) -> list[dict]:
    """The course grade summary's ``section_breakdown``: per type, its subsections and its average, in policy order."""
    summary: list[dict] = []
    for grader in course.graders:
        assignment_type = str(grader.get("type") or "")
        if not assignment_type:
            continue
        of_type = [item for item in subsections if item.block.assignment_type == assignment_type]
        summary.extend(_type_summary(grader, of_type, grades, float(breakdown.get(assignment_type, 0.0))))
    return summary


def _by_course(items: Sequence[GradedEnrollmentData]) -> dict[CourseKey, list[GradedEnrollmentData]]:
    courses: dict[CourseKey, list[GradedEnrollmentData]] = {}
    for item in items:
        courses.setdefault(item.course_key, []).append(item)
    return courses


def list_section_breakdowns(
    course_key: CourseKey | None, usernames: Sequence[str], cursor: CursorRequest
) -> tuple[CursorPage[GradedEnrollmentData], list[dict]]:
    """
    A cursor page (by enrollment) of active learners' course grades with their section summary, in one course
    or every course, for some usernames only when given. Enrollments in courses that no longer exist are skipped.
    """
    backend = get_backend()
    page = backend.gradebook.list_graded_enrollments(course_key, usernames, cursor)
    results: dict[int, dict] = {}
    for key, items in _by_course(page.items).items():
        try:
            course = backend.courses.get_course(key)
        except CourseNotFound:
            continue
        subsections = graded_subsections(course)
        grades = backend.gradebook.get_subsection_grades(key, [item.learner.user.id for item in items])
        for item in items:
            summary = _section_summary(course, subsections, grades.get(item.learner.user.id, {}), item.breakdown)
            results[item.id] = {
                "course_id": str(key),
                "username": item.learner.user.username,
                "passed": item.learner.passed,
                "current_grade": int(item.learner.percent * 100),
                "section_breakdown": summary,
            }
    return page, [results[item.id] for item in page.items if item.id in results]


def _history(state: ProblemStateData) -> list[dict]:
    """
    The submissions of a learner on a problem, oldest first: one per entry of the state's score history
    (with that attempt's answers and correctness), or the current state alone when it keeps no history.
    """
    scores = state.state.get("score_history")
    if not isinstance(scores, list) or not scores:
        if state.score is None and not state.attempts:
            return []
        return [{"state": dict(state.state), "grade": state.score, "max_grade": state.max_score}]
    answers = state.state.get("student_answers_history")
    correctness = state.state.get("correct_map_history")
    submissions = []
    for index, score in enumerate(scores):
        snapshot: dict[str, object] = {"attempts": index + 1}
        if isinstance(answers, list) and index < len(answers):
            snapshot["student_answers"] = answers[index]
        if isinstance(correctness, list) and index < len(correctness):
            snapshot["correct_map"] = correctness[index]
        submissions.append({"state": snapshot, "grade": score, "max_grade": state.max_score})
    return submissions


#: The ancestors of a problem the submission history reads, nearest first (a course block is optional).
_PROBLEM_DEPTH = ("vertical", "sequential", "chapter", "course")


def _problem_blocks(course_key: CourseKey) -> list[BlockData]:
    """Scored problems at the depth the original reads: course / chapter / sequential / vertical / problem."""
    blocks = get_backend().courses.get_blocks(course_key)
    types = {block.usage_key: block.block_type for block in blocks}
    parents = {block.usage_key: block.parent_key for block in blocks}
    problems = []
    for block in blocks:
        if block.block_type != "problem" or not block.has_score:
            continue
        chain: list[str | None] = []
        key = block.parent_key
        while key is not None and len(chain) < len(_PROBLEM_DEPTH):
            chain.append(types.get(key))
            key = parents.get(key)
        if tuple(chain) in (_PROBLEM_DEPTH, _PROBLEM_DEPTH[:-1]):
            problems.append(block)
    return problems


def list_submission_history(
    course: CourseData, username: str | None, cursor: CursorRequest
) -> tuple[CursorPage[GradedEnrollmentData], list[dict]]:
    """A cursor page (by enrollment) of the course's active learners with their submissions on each problem."""
    backend = get_backend()
    page = backend.gradebook.list_graded_enrollments(course.course_key, [username] if username else [], cursor)
    problems = _problem_blocks(course.course_key)
    states = backend.gradebook.get_problem_states(course.course_key, [item.learner.user.id for item in page.items])
    results = []
    for item in page.items:
        own = {state.usage_key: state for state in states.get(item.learner.user.id, ())}
        entries = []
        for block in problems:
            state = own.get(block.usage_key)
            submissions = _history(state) if state else []
            if submissions:
                entries.append(
                    {
                        "location": str(block.usage_key),
                        "name": block.display_name,
                        "submission_history": submissions,
                        "data": block.data,
                    }
                )
        results.append(
            {
                "course_id": str(course.course_key),
                "course_name": course.display_name,
                "user": item.learner.user.username,
                "problems": entries,
            }
        )
    return page, results


# --- The legacy staff gradebook page ---------------------------------------

#: Learners per page of the legacy staff gradebook (the original's).
LEGACY_PAGE_SIZE = 20


def _offset(text: str, total: int) -> int:
    """A page offset as the original reads it: a bad, negative or too large one is 0."""
    if not (text.isdigit() and len(text) < 10):  # noqa: PLR2004 (an int, never a huge number)
        return 0
    offset = int(text)
    return offset if offset < total else 0


def legacy_gradebook_page(course: CourseData, offset_text: str) -> dict:
    """
    A page of the legacy staff gradebook: up to 20 active learners by username, each with their grade per
    column of the course grade summary (the first learner's columns head the table) and their total.
    """
    backend = get_backend()
    course_key = course.course_key
    total = backend.enrollments.count_active(course_key)
    offset = _offset(offset_text, total)
    page = backend.enrollments.list_enrollments(course_key, EnrollmentFilter(), PageRequest(offset, LEGACY_PAGE_SIZE))
    usernames = [row.user.username for row in page.items]
    graded: dict[str, GradedEnrollmentData] = {}
    if usernames:
        found = backend.gradebook.list_graded_enrollments(course_key, usernames, CursorRequest(limit=len(usernames)))
        graded = {item.learner.user.username: item for item in found.items}
    subsections = graded_subsections(course)
    grades = backend.gradebook.get_subsection_grades(course_key, [row.user.id for row in page.items])
    students = []
    for row in page.items:
        item = graded.get(row.user.username)
        summary = _section_summary(course, subsections, grades.get(row.user.id, {}), item.breakdown if item else {})
        students.append(
            {
                "id": row.user.id,
                "username": row.user.username,
                "email": row.user.email,
                "grades": [entry["percent"] for entry in summary],
                "labels": [entry["label"] for entry in summary],
                "percent": item.learner.percent if item else 0.0,
            }
        )
    previous_offset = offset - LEGACY_PAGE_SIZE
    next_offset = offset + LEGACY_PAGE_SIZE
    return {
        "students": students,
        "headings": students[0]["labels"] if students else [],
        "ordered_grades": sorted(course.grade_cutoffs.items(), key=lambda cutoff: cutoff[1], reverse=True),
        "page": {
            "offset": offset,
            "page_num": offset // LEGACY_PAGE_SIZE + 1,
            "total_pages": max(math.ceil(total / LEGACY_PAGE_SIZE), 1),
            "previous_offset": previous_offset if offset > 0 and previous_offset >= 0 else None,
            "next_offset": next_offset if next_offset < total else None,
        },
    }
