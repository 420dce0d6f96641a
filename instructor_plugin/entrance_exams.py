"""
Entrance exams: reset, state deletion and rescoring over the exam's problems, its task history, and skips.

A course's entrance exam is one section (chapter); its problems are the scored blocks under it. Every
operation runs as a background task recorded against the exam section (``usage_key``) and the learner
(``learner_id``, none for every learner), over the grading functions of :mod:`.grading`; the exam's task
history filters on exactly those two, as Open edX's ``get_entrance_exam_instructor_task_history`` does.
"""

from __future__ import annotations

from collections.abc import Callable

from opaque_keys.edx.keys import CourseKey, UsageKey

from . import resolve
from .backends.data import BlockData, EntranceExamData, UserData
from .backends.exceptions import AmbiguousIdentifier, StateNotFound, UserNotFound
from .backends.registry import get_backend
from .exceptions import InstructorError
from .grading import InvalidStudentIdentifier, delete_problem_state, rescore_learners, reset_learner_attempts
from .instructor_tasks import AlreadyRunning, ItemResult, TaskRun, expire_stale_tasks, task_type
from .models import AuditRecord, InstructorTask
from .tasks import submit_task

__all__ = [
    "DELETE_EXAM_STATE_TASK",
    "ENTRANCE_EXAM_TASK_TYPES",
    "RESCORE_EXAM_TASK",
    "RESET_EXAM_ATTEMPTS_TASK",
    "InvalidEntranceExam",
    "NoEntranceExam",
    "StudentNotFound",
    "allow_learner_to_skip",
    "exam_problems",
    "get_entrance_exam",
    "list_entrance_exam_tasks",
    "start_exam_attempts_reset",
    "start_exam_rescore",
    "start_exam_state_deletion",
]

RESET_EXAM_ATTEMPTS_TASK = "reset_entrance_exam_attempts"
DELETE_EXAM_STATE_TASK = "delete_entrance_exam_state"
RESCORE_EXAM_TASK = "rescore_entrance_exam"
ENTRANCE_EXAM_TASK_TYPES = (RESET_EXAM_ATTEMPTS_TASK, DELETE_EXAM_STATE_TASK, RESCORE_EXAM_TASK)
#: How many of the exam's latest tasks the history lists (as the problem task history).
TASK_HISTORY_LIMIT = 100


class NoEntranceExam(InstructorError):
    """The course requires no entrance exam (Open edX's 400 ``"Course has no entrance exam section."``)."""

    error_code = "no_entrance_exam"
    message = "Course has no entrance exam section."


class InvalidEntranceExam(InstructorError):
    """The course's entrance exam names a section the course does not have."""

    error_code = "invalid_entrance_exam"
    message = "Course has no valid entrance exam section."


class StudentNotFound(InstructorError):
    """No single user matches the identifier of a skip (Open edX's 400 ``"Could not find student matching : x"``)."""

    error_code = "student_not_found"


def get_entrance_exam(course_key: CourseKey) -> EntranceExamData:
    """The course's entrance exam, whose section must be in the course; raises :class:`NoEntranceExam`."""
    backend = get_backend()
    exam = backend.entrance_exams.get_entrance_exam(course_key)
    if exam is None:
        raise NoEntranceExam(course_key)
    sections = {block.usage_key for block in backend.courses.get_blocks(course_key, ["chapter"])}
    if exam.usage_key not in sections:
        raise InvalidEntranceExam(exam.usage_key)
    return exam


def exam_problems(course_key: CourseKey, exam: EntranceExamData) -> list[UsageKey]:
    """The scored blocks under the exam's section, in course order."""
    blocks = get_backend().courses.get_blocks(course_key)
    children: dict[UsageKey, list[BlockData]] = {}
    for block in blocks:
        if block.parent_key is not None:
            children.setdefault(block.parent_key, []).append(block)
    found: list[UsageKey] = []
    stack = list(reversed(children.get(exam.usage_key, [])))
    while stack:
        block = stack.pop()
        if block.has_score:
            found.append(block.usage_key)
        stack.extend(reversed(children.get(block.usage_key, [])))
    return found


def _submit(
    name: str, course_key: CourseKey, requester_id: int | None, user: UserData | None, conflict: str, **values: object
) -> InstructorTask:
    exam = get_entrance_exam(course_key)
    learner = {"learner_id": user.id, "learner": user.username} if user else {"learner_id": None, "learner": None}
    task_input = {"entrance_exam": str(exam.usage_key), **learner, **values}
    scope = f"entrance_exam:{exam.usage_key}:{user.id if user else 'all'}"
    try:
        return submit_task(
            name,
            course_key,
            requester_id,
            task_input,
            scope=scope,
            usage_key=exam.usage_key,
            learner_id=user.id if user else None,
        )
    except AlreadyRunning as running:
        raise AlreadyRunning(running.task, message=conflict) from None


def start_exam_attempts_reset(requester_id: int | None, course_key: CourseKey, user: UserData | None) -> InstructorTask:
    """Queue the reset of the learner's attempts on every exam problem (every learner's when None)."""
    return _submit(
        RESET_EXAM_ATTEMPTS_TASK, course_key, requester_id, user, "A reset of this entrance exam is already running."
    )


def start_exam_state_deletion(requester_id: int | None, course_key: CourseKey, user: UserData) -> InstructorTask:
    """Queue the deletion of the learner's state and scores on every exam problem."""
    return _submit(
        DELETE_EXAM_STATE_TASK,
        course_key,
        requester_id,
        user,
        "A state deletion of this entrance exam is already running for this learner.",
    )


def start_exam_rescore(
    requester_id: int | None, course_key: CourseKey, user: UserData | None, only_if_higher: bool
) -> InstructorTask:
    """Queue the rescoring of the learner's answers on every exam problem (every learner's when None)."""
    return _submit(
        RESCORE_EXAM_TASK,
        course_key,
        requester_id,
        user,
        "A rescore of this entrance exam is already running.",
        only_if_higher=only_if_higher,
    )


def list_entrance_exam_tasks(course_key: CourseKey, identifier: str) -> list[InstructorTask]:
    """
    The latest tasks run on the exam for every learner, or for the learner ``identifier`` names, newest first.

    Raises :class:`NoEntranceExam` and :class:`~.grading.InvalidStudentIdentifier`.
    """
    exam = get_entrance_exam(course_key)
    learner_id = None
    if identifier:
        try:
            learner_id = resolve.member(identifier).id
        except (UserNotFound, AmbiguousIdentifier):
            raise InvalidStudentIdentifier(identifier) from None
    expire_stale_tasks(course_key)
    rows = InstructorTask.objects.filter(
        course_key=course_key, usage_key=exam.usage_key, task_type__in=ENTRANCE_EXAM_TASK_TYPES, learner_id=learner_id
    )
    return list(rows.select_related("requester").order_by("-created")[:TASK_HISTORY_LIMIT])


def allow_learner_to_skip(requester_id: int | None, course_key: CourseKey, identifier: str) -> bool:
    """
    Let the user ``identifier`` names skip the course's entrance exam, audited; False when they already could.

    Raises :class:`StudentNotFound` when no single user matches.
    """
    try:
        user = resolve.member(identifier)
    except (UserNotFound, AmbiguousIdentifier):
        raise StudentNotFound(identifier, message=f"Could not find student matching : {identifier}") from None
    allowed = get_backend().entrance_exams.allow_skip(course_key, user.id)
    if allowed:
        AuditRecord.objects.create(
            course_key=course_key, action="allow_entrance_exam_skip", actor_id=requester_id, learner_id=user.id
        )
    return allowed


# --- Task bodies ----------------------------------------------------------------


def _run_problems(run: TaskRun) -> list[UsageKey]:
    exam = get_backend().entrance_exams.get_entrance_exam(run.course_key)
    if exam is None or str(exam.usage_key) != run.input["entrance_exam"]:
        raise InvalidEntranceExam(run.input["entrance_exam"])
    return exam_problems(run.course_key, exam)


def _run_learners(run: TaskRun, problems: list[UsageKey]) -> list[int]:
    """The task's learner, or every learner holding state on any of the exam's problems."""
    learner_id = run.input.get("learner_id")
    if learner_id is not None:
        return [learner_id]
    service = get_backend().problem_state
    return sorted(
        {user_id for problem in problems for user_id in service.iter_learners_with_state(run.course_key, problem)}
    )


#: A grading function acting on one learner's state on one problem, as :func:`~.grading.reset_learner_attempts`.
LearnerProblemOperation = Callable[[int | None, CourseKey, UsageKey, UserData], dict]


def _each_problem(run: TaskRun, operation: LearnerProblemOperation, verb: str) -> dict:
    """Apply a one-learner grading ``operation`` to every exam problem of every learner of the task."""
    problems = _run_problems(run)
    learners = _run_learners(run, problems)
    users = get_backend().users

    def apply(user_id: int) -> ItemResult:
        user = users.get_user(user_id)
        done = 0
        for problem in problems:
            try:
                operation(run.requester_id, run.course_key, problem, user)
            except StateNotFound:
                continue
            done += 1
        return ItemResult(
            identifier=user.username,
            succeeded=True,
            user_id=user_id,
            message=f"{verb} {done} of {len(problems)} problems.",
        )

    run.each(learners, apply, total=len(learners))
    counts = run.counts()
    message = f"{verb} the entrance exam of {counts['succeeded']} of {len(learners)} learners."
    return {"message": message, "problems": len(problems), **counts}


@task_type(RESET_EXAM_ATTEMPTS_TASK)
def _run_exam_attempts_reset(run: TaskRun) -> dict:
    return _each_problem(run, reset_learner_attempts, "Reset")


@task_type(DELETE_EXAM_STATE_TASK)
def _run_exam_state_deletion(run: TaskRun) -> dict:
    return _each_problem(run, delete_problem_state, "Deleted the state of")


@task_type(RESCORE_EXAM_TASK)
def _run_exam_rescore(run: TaskRun) -> dict:
    problems = _run_problems(run)
    only_if_higher = bool(run.input.get("only_if_higher"))
    service = get_backend().problem_state
    learner_id = run.input.get("learner_id")
    work: list[tuple[UsageKey, list[int]]] = []
    for problem in problems:
        if learner_id is None:
            learners = list(service.iter_learners_with_state(run.course_key, problem))
        else:
            learners = [learner_id] if service.get_state(run.course_key, problem, learner_id) else []
        work.append((problem, learners))
    total = sum(len(learners) for _, learners in work)
    changed = sum(rescore_learners(run, problem, learners, only_if_higher, total) for problem, learners in work)
    counts = run.counts()
    return {
        "message": f"Rescored {counts['succeeded']} answers on {len(problems)} problems; {changed} scores changed.",
        "changed": changed,
        "problems": len(problems),
        **counts,
    }
