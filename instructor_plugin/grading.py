"""
Grading operations on one problem: look-up, attempts reset, state deletion, rescoring, score override.

One learner's reset and deletion run at once; rescoring, score overrides and the reset of every
learner run as background tasks. Every change writes an :class:`~.models.AuditRecord`, and every
score change sends ``PERSISTENT_GRADE_SUMMARY_CHANGED`` with the learner's recomputed grade.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey, UsageKey
from openedx_events.learning.data import CourseData as EventCourseData
from openedx_events.learning.data import PersistentCourseGradeData
from openedx_events.learning.signals import PERSISTENT_GRADE_SUMMARY_CHANGED

from . import resolve
from .backends.data import BlockData, CourseData, ScoreChangeData, UserData
from .backends.exceptions import AmbiguousIdentifier, StateNotFound, UserNotFound
from .backends.registry import get_backend
from .exceptions import InstructorError
from .instructor_tasks import (
    AlreadyRunning,
    ItemResult,
    TaskRun,
    list_running_tasks,
    list_task_history,
    task_type,
)
from .models import AuditRecord, AuditRow, InstructorTask, insert_audit_records
from .tasks import submit_task

__all__ = [
    "OVERRIDE_SCORE_TASK",
    "RESCORE_TASK",
    "RESET_ATTEMPTS_TASK",
    "InvalidScore",
    "InvalidStudentIdentifier",
    "ProblemLocationRequired",
    "StateNotFound",
    "delete_problem_state",
    "find_instructor_tasks",
    "get_grading_config_text",
    "get_problem_detail",
    "rescore_all_learners",
    "rescore_learners",
    "reset_learner_attempts",
    "start_all_attempts_reset",
    "start_rescore",
    "start_score_override",
]

RESET_ATTEMPTS_TASK = "reset_problem_attempts"
RESCORE_TASK = "rescore_problem"
OVERRIDE_SCORE_TASK = "override_problem_score"
ALL_LEARNERS = "all"
#: Learners a rescoring task rescores, and commits, at a time (the IN lists stay under SQLite's 999 parameters).
RESCORE_CHUNK_SIZE = 500


class InvalidScore(InstructorError):
    """A score outside ``0..max_score`` of the problem."""

    error_code = "invalid_score"


class InvalidStudentIdentifier(InstructorError):
    """The task history was asked for a learner no single user matches."""

    error_code = "invalid_student_identifier"
    message = "Invalid student identifier"


class ProblemLocationRequired(InstructorError):
    """The task history was asked for a learner without a problem."""

    error_code = "problem_location_required"
    message = "unique_student_identifier must be used with problem_location_str"


#: How the task history reports a malformed or foreign problem location (as Open edX words it).
TASK_HISTORY_PROBLEM = resolve.BlockErrors(
    "invalid_problem_location", "Invalid problem location", "problem_not_found", "Problem not found."
)


def get_problem_detail(course_key: CourseKey, location: str, identifier: str | None = None) -> dict:
    """
    The problem, its breadcrumbs from the course down, and the learner's score and attempts when named.

    ``{"id", "name", "breadcrumbs": [{"display_name", "usage_key"}], "current_score": {"score", "total"} | None,
    "attempts": {"current", "total"} | None}``; the course's breadcrumb has ``usage_key`` None.
    """
    backend = get_backend()
    problem = resolve.block(course_key, location, resolve.PROBLEM)
    ancestors = backend.courses.get_ancestors(course_key, problem.usage_key)
    breadcrumbs = [
        {
            "display_name": block.display_name,
            "usage_key": None if block.block_type == "course" else str(block.usage_key),
        }
        for block in (*ancestors, problem)
    ]
    detail: dict[str, object] = {
        "id": str(problem.usage_key),
        "name": problem.display_name,
        "breadcrumbs": breadcrumbs,
        "current_score": None,
        "attempts": None,
    }
    if identifier:
        user = resolve.learner(course_key, identifier)
        state = backend.problem_state.get_state(course_key, problem.usage_key, user.id)
        if state is not None:
            detail["current_score"] = {"score": state.score, "total": state.max_score}
            detail["attempts"] = {"current": state.attempts, "total": problem.max_attempts}
    return detail


def find_instructor_tasks(course_key: CourseKey, problem_location: str, identifier: str) -> list[InstructorTask]:
    """
    The course's pending and running tasks, or the task history of a problem (for one learner when named).

    Raises :class:`InvalidStudentIdentifier`, :class:`ProblemLocationRequired`, or an invalid or
    foreign problem location as :data:`TASK_HISTORY_PROBLEM` says, with the messages of Open edX.
    """
    learner_id = None
    if identifier:
        try:
            learner_id = resolve.member(identifier).id
        except (UserNotFound, AmbiguousIdentifier):
            raise InvalidStudentIdentifier(identifier) from None
        if not problem_location:
            raise ProblemLocationRequired(identifier)
    if not problem_location:
        return list_running_tasks(course_key)
    usage_key = resolve.usage_key(course_key, problem_location, TASK_HISTORY_PROBLEM)
    return list_task_history(course_key, usage_key, learner_id)


def get_grading_config_text(course_key: CourseKey) -> str:
    """The course's grading policy for people: graders and weights, graded subsections and problems, cutoffs."""
    backend = get_backend()
    course = backend.courses.get_course(course_key)
    lines = ["Graders:"]
    for grader in course.graders:
        label = f" ({grader['short_label']})" if grader.get("short_label") else ""
        lines.append(
            f"  {grader.get('type', '')}{label}: weight {float(grader.get('weight', 0)):.0%}, "
            f"at least {grader.get('min_count', 0)}, {grader.get('drop_count', 0)} dropped"
        )
    if not course.graders:
        lines.append("  (none)")
    lines.append("")
    lines.append("Graded subsections:")
    blocks = backend.courses.get_blocks(course_key)
    subsections = [block for block in blocks if block.graded and block.assignment_type and not block.has_score]
    children: dict[UsageKey, list[BlockData]] = {}
    for block in blocks:
        if block.parent_key is not None:
            children.setdefault(block.parent_key, []).append(block)
    for subsection in subsections:
        lines.append(f"  {subsection.display_name} [{subsection.assignment_type}]")
        for problem in _scored_descendants(subsection.usage_key, children):
            weight = problem.weight if problem.weight is not None else 1.0
            lines.append(f"    {problem.display_name} ({problem.usage_key}), weight {weight:g}")
    if not subsections:
        lines.append("  (none)")
    lines.append("")
    lines.append("Grade cutoffs:")
    for letter, cutoff in sorted(course.grade_cutoffs.items(), key=lambda item: item[1], reverse=True):
        lines.append(f"  {letter}: {cutoff:.0%}")
    if not course.grade_cutoffs:
        lines.append("  (none)")
    return "\n".join(lines)


def _scored_descendants(usage_key: UsageKey, children: dict[UsageKey, list[BlockData]]) -> list[BlockData]:
    found = []
    for child in children.get(usage_key, []):
        if child.has_score:
            found.append(child)
        found.extend(_scored_descendants(child.usage_key, children))
    return found


def _audit(
    course_key: CourseKey,
    action: str,
    actor_id: int | None,
    usage_key: UsageKey,
    change: ScoreChangeData | None = None,
    *,
    learner_id: int | None = None,
    task: InstructorTask | None = None,
    **detail: object,
) -> AuditRecord:
    if change is not None:
        learner_id = change.user_id
        detail = {**_score_detail(change), **detail}
    return AuditRecord(
        course_key=course_key,
        action=action,
        actor_id=actor_id,
        learner_id=learner_id,
        usage_key=usage_key,
        task=task,
        detail=detail,
    )


def _announce_grade(course: CourseData, change: ScoreChangeData) -> None:
    """Send the learner's new course grade once the change commits."""
    event = _grade_event(course, change, _grading_policy_hash(course))
    if event is not None:
        transaction.on_commit(lambda: PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=event))


def _grading_policy_hash(course: CourseData) -> str:
    policy = json.dumps({"GRADER": list(course.graders), "GRADE_CUTOFFS": dict(course.grade_cutoffs)}, sort_keys=True)
    return hashlib.sha1(policy.encode()).hexdigest()


def _grade_event(course: CourseData, change: ScoreChangeData, policy_hash: str) -> PersistentCourseGradeData | None:
    """The data of the grade event a score change announces (``None`` when it changed no course grade)."""
    grade = change.course_grade
    if grade is None:
        return None
    return PersistentCourseGradeData(
        user_id=grade.user_id,
        course=EventCourseData(course_key=course.course_key, display_name=course.display_name),
        course_edited_timestamp=None,
        course_version="",
        grading_policy_hash=policy_hash,
        percent_grade=grade.percent,
        letter_grade=grade.letter_grade or "",
        passed_timestamp=timezone.now() if grade.passed else None,
    )


def _announce_grades(events: list[PersistentCourseGradeData]) -> None:
    """Send these grade events, in order, once the changes commit."""

    def send() -> None:
        for event in events:
            PERSISTENT_GRADE_SUMMARY_CHANGED.send_event(grade=event)

    if events:
        transaction.on_commit(send)


def _sync_result(user: UserData, usage_key: UsageKey, message: str, change: ScoreChangeData | None = None) -> dict:
    return {
        "success": True,
        "learner": user.username,
        "problem_location": str(usage_key),
        "score": change.new_score if change else None,
        "previous_score": change.previous_score if change else None,
        "message": message,
    }


def reset_learner_attempts(
    requester_id: int | None, course_key: CourseKey, usage_key: UsageKey, user: UserData
) -> dict:
    """Reset one learner's attempts at once, keeping the score; raises ``StateNotFound``."""
    with transaction.atomic():
        state = get_backend().problem_state.reset_attempts(course_key, usage_key, user.id)
        _audit(course_key, "reset_attempts", requester_id, usage_key, learner_id=user.id).save()
    result = _sync_result(user, usage_key, "Attempts reset successfully")
    result["score"] = result["previous_score"] = state.score
    return result


def delete_problem_state(requester_id: int | None, course_key: CourseKey, usage_key: UsageKey, user: UserData) -> dict:
    """Delete one learner's state and score on the problem at once; raises ``StateNotFound``."""
    backend = get_backend()
    course = backend.courses.get_course(course_key)
    with transaction.atomic():
        change = backend.problem_state.delete_state(course_key, usage_key, user.id)
        _audit(course_key, "delete_state", requester_id, usage_key, change).save()
        _announce_grade(course, change)
    return _sync_result(user, usage_key, "State deleted successfully", change)


def _require_state(course_key: CourseKey, usage_key: UsageKey, user_id: int):
    state = get_backend().problem_state.get_state(course_key, usage_key, user_id)
    if state is None:
        raise StateNotFound(usage_key, user_id)
    return state


def _task_input(usage_key: UsageKey, user: UserData | None, **values: object) -> dict:
    learner = {"learner_id": user.id, "learner": user.username} if user else {"learner_id": None, "learner": None}
    return {"usage_key": str(usage_key), **learner, **values}


def _scope(usage_key: UsageKey, user: UserData | None) -> str:
    return f"{usage_key}:{user.id if user else ALL_LEARNERS}"


def _submit(
    name: str,
    course_key: CourseKey,
    requester_id: int | None,
    task_input: dict,
    *,
    scope: str,
    usage_key: UsageKey,
    learner_id: int | None = None,
    conflict: str,
) -> InstructorTask:
    """:func:`submit_task`, its ``AlreadyRunning`` saying ``conflict``."""
    try:
        return submit_task(
            name, course_key, requester_id, task_input, scope=scope, usage_key=usage_key, learner_id=learner_id
        )
    except AlreadyRunning as running:
        raise AlreadyRunning(running.task, message=conflict) from None


def start_all_attempts_reset(requester_id: int | None, course_key: CourseKey, usage_key: UsageKey) -> InstructorTask:
    """Queue the reset of every learner's attempts; raises ``AlreadyRunning``."""
    return _submit(
        RESET_ATTEMPTS_TASK,
        course_key,
        requester_id,
        _task_input(usage_key, None),
        scope=_scope(usage_key, None),
        usage_key=usage_key,
        conflict="A reset task is already running for this problem.",
    )


def start_rescore(
    requester_id: int | None, course_key: CourseKey, usage_key: UsageKey, user: UserData | None, only_if_higher: bool
) -> InstructorTask:
    """Queue the rescoring of one learner (who must hold state) or of all; raises ``AlreadyRunning``."""
    if user is not None:
        _require_state(course_key, usage_key, user.id)
    return _submit(
        RESCORE_TASK,
        course_key,
        requester_id,
        _task_input(usage_key, user, only_if_higher=only_if_higher),
        scope=_scope(usage_key, user),
        usage_key=usage_key,
        learner_id=user.id if user else None,
        conflict=f"A rescore task is already running for this {'learner and ' if user else ''}problem.",
    )


def start_score_override(
    requester_id: int | None, course_key: CourseKey, usage_key: UsageKey, user: UserData, score: float
) -> InstructorTask:
    """
    Queue the override of one learner's score.

    Raises ``StateNotFound``, :class:`InvalidScore` for a score outside ``0..max_score``, or ``AlreadyRunning``.
    """
    state = _require_state(course_key, usage_key, user.id)
    if score < 0 or (state.max_score is not None and score > state.max_score):
        message = f"The score must be between 0 and the problem's maximum of {state.max_score:g}."
        raise InvalidScore(score, message=message, field="score")
    return _submit(
        OVERRIDE_SCORE_TASK,
        course_key,
        requester_id,
        _task_input(usage_key, user, score=score),
        scope=_scope(usage_key, user),
        usage_key=usage_key,
        learner_id=user.id,
        conflict="A score override task is already running for this learner and problem.",
    )


def _learners(run: TaskRun, usage_key: UsageKey) -> list[int]:
    learner_id = run.input.get("learner_id")
    if learner_id is not None:
        return [learner_id]
    return list(get_backend().problem_state.iter_learners_with_state(run.course_key, usage_key))


def _identifier(run: TaskRun, user_id: int) -> str:
    return run.input.get("learner") or str(user_id)


def _score_message(change: ScoreChangeData) -> str:
    return f"Score {_points(change.previous_score)} -> {_points(change.new_score)} of {_points(change.max_score)}."


def _points(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _score_detail(change: ScoreChangeData) -> dict:
    return {"previous_score": change.previous_score, "new_score": change.new_score, "max_score": change.max_score}


@task_type(RESET_ATTEMPTS_TASK)
def _run_attempts_reset(run: TaskRun) -> dict:
    usage_key = UsageKey.from_string(run.input["usage_key"])
    service = get_backend().problem_state
    learners = _learners(run, usage_key)

    def reset_one(user_id: int) -> ItemResult:
        service.reset_attempts(run.course_key, usage_key, user_id)
        _audit(
            run.course_key, "reset_attempts", run.requester_id, usage_key, learner_id=user_id, task=run.record
        ).save()
        return ItemResult(identifier=_identifier(run, user_id), succeeded=True, user_id=user_id, message="Reset.")

    run.each(learners, reset_one, total=len(learners))
    counts = run.counts()
    return {"message": f"Reset the attempts of {counts['succeeded']} of {len(learners)} learners.", **counts}


def rescore_all_learners(run: TaskRun) -> dict:
    """
    The body of ``rescore_problem`` tasks: rescore the learner of the task, or everyone with state.

    Learners are rescored a chunk at a time with the backend's bulk ``rescore_many``; each
    chunk's scores, grades, result rows and audit records commit together.
    """
    usage_key = UsageKey.from_string(run.input["usage_key"])
    learners = _learners(run, usage_key)
    changed = rescore_learners(run, usage_key, learners, bool(run.input.get("only_if_higher")), total=len(learners))
    counts = run.counts()
    return {
        "message": f"Rescored {counts['succeeded']} of {len(learners)} learners; {changed} scores changed.",
        "changed": changed,
        **counts,
    }


task_type(RESCORE_TASK)(rescore_all_learners)


def rescore_learners(run: TaskRun, usage_key: UsageKey, learners: list[int], only_if_higher: bool, total: int) -> int:
    """
    Rescore these learners on one problem within a task, a chunk at a time; returns how many scores changed.

    ``total`` is the task's whole item count (a task may rescore several problems).
    """
    course = get_backend().courses.get_course(run.course_key)
    policy_hash = _grading_policy_hash(course)
    changed = 0
    for start in range(0, len(learners), RESCORE_CHUNK_SIZE):
        chunk = learners[start : start + RESCORE_CHUNK_SIZE]
        changed += _rescore_chunk(run, course, policy_hash, usage_key, chunk, only_if_higher, total=total)
    return changed


def _rescore_chunk(
    run: TaskRun,
    course: CourseData,
    policy_hash: str,
    usage_key: UsageKey,
    chunk: list[int],
    only_if_higher: bool,
    total: int,
) -> int:
    """
    Rescore one chunk of learners and commit it with its results and audit; returns how many scores changed.

    The chunk's grade events go out together once it commits.
    """
    audits: list[AuditRow] = []
    events = []
    location = str(usage_key)
    with transaction.atomic():
        changes = get_backend().problem_state.rescore_many(run.course_key, usage_key, chunk, only_if_higher)

        def record_one(user_id: int) -> ItemResult:
            change = changes.get(user_id)
            if change is None:
                raise StateNotFound(f"No state found for learner {user_id} on this problem.")
            audits.append((run.requester_id, user_id, location, run.record.pk, _score_detail(change)))
            event = _grade_event(course, change, policy_hash)
            if event is not None:
                events.append(event)
            return ItemResult(
                identifier=_identifier(run, user_id),
                succeeded=True,
                user_id=user_id,
                message=_score_message(change),
                detail=_score_detail(change),
            )

        run.each(chunk, record_one, total=total, chunk_size=len(chunk), savepoints=False)
        insert_audit_records(run.course_key, "rescore", audits)
        _announce_grades(events)
    return sum(1 for change in changes.values() if change.new_score != change.previous_score)


@task_type(OVERRIDE_SCORE_TASK)
def _run_score_override(run: TaskRun) -> dict:
    usage_key = UsageKey.from_string(run.input["usage_key"])
    backend = get_backend()
    course = backend.courses.get_course(run.course_key)

    def override_one(user_id: int) -> ItemResult:
        change = backend.problem_state.override_score(run.course_key, usage_key, user_id, float(run.input["score"]))
        _audit(run.course_key, "override_score", run.requester_id, usage_key, change, task=run.record).save()
        _announce_grade(course, change)
        return ItemResult(
            identifier=_identifier(run, user_id),
            succeeded=True,
            user_id=user_id,
            message=_score_message(change),
            detail=_score_detail(change),
        )

    learners = _learners(run, usage_key)
    run.each(learners, override_one, total=len(learners))
    counts = run.counts()
    if counts["failed"]:
        return {"message": "The score override failed; see the task's results.", **counts}
    return {"message": "Score overridden.", **counts}
