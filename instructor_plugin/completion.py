"""
What finishing or resetting a special exam does to its content: completion, and the learner's problem state.

Marking an exam complete (or clearing it) runs as the background task ``exam_completion``, one per
learner, exam content and target completion: a second identical request while one is pending or
running is a duplicate and returns the task already queued.
"""

from __future__ import annotations

import logging

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey

from .backends.data import BlockData, UserData
from .backends.exceptions import AmbiguousIdentifier, BlockNotFound, CourseNotFound, StateNotFound, UserNotFound
from .backends.registry import get_backend
from .grading import delete_problem_state
from .instructor_tasks import AlreadyRunning, TaskRun, task_type
from .models import InstructorTask
from .tasks import submit_task

__all__ = [
    "AGGREGATOR_BLOCK_TYPES",
    "EXAM_COMPLETION_TASK",
    "completable_blocks",
    "reset_exam_attempt",
    "reset_exam_state",
    "start_exam_completion",
]

log = logging.getLogger(__name__)

EXAM_COMPLETION_TASK = "exam_completion"
#: Block types whose completion is that of their children: never marked themselves.
AGGREGATOR_BLOCK_TYPES = frozenset(
    {"course", "chapter", "sequential", "vertical", "library_content", "split_test", "conditional"}
)


def _descendants(course_key, usage_key: UsageKey) -> list[BlockData]:
    children: dict[UsageKey, list[BlockData]] = {}
    for block in get_backend().courses.get_blocks(course_key):
        if block.parent_key is not None:
            children.setdefault(block.parent_key, []).append(block)
    found: list[BlockData] = []
    pending = list(reversed(children.get(usage_key, [])))
    while pending:
        block = pending.pop()
        found.append(block)
        pending.extend(reversed(children.get(block.usage_key, [])))
    return found


def completable_blocks(usage_key: UsageKey) -> list[BlockData]:
    """The leaf blocks under ``usage_key`` (or itself, if a leaf) that can be completed, in course order."""
    course_key = usage_key.course_key
    blocks = _descendants(course_key, usage_key) or [get_backend().courses.get_block(course_key, usage_key)]
    parents = {block.parent_key for block in blocks}
    return [b for b in blocks if b.usage_key not in parents and b.block_type not in AGGREGATOR_BLOCK_TYPES]


def _resolve(user_identifier: str, content_id: str) -> tuple[UserData, UsageKey] | None:
    prefix = (
        "Error occurred while attempting to complete student attempt for user "
        f"{user_identifier} for content_id {content_id}."
    )
    try:
        user = get_backend().users.find_user(user_identifier)
    except (UserNotFound, AmbiguousIdentifier):
        log.error("%s User does not exist!", prefix)
        return None
    try:
        usage_key = UsageKey.from_string(content_id)
    except InvalidKeyError:
        log.error("%s Invalid content_id!", prefix)
        return None
    try:
        get_backend().courses.get_block(usage_key.course_key, usage_key)
    except (BlockNotFound, CourseNotFound):
        log.error("%s Block not found in the course!", prefix)
        return None
    return user, usage_key


def start_exam_completion(user_identifier: str, content_id: str, completion: float) -> InstructorTask | None:
    """
    Queue the marking of every completable block of the exam content as ``completion`` for the learner.

    An unknown learner or a malformed ``content_id`` is logged and nothing is queued (None). A duplicate
    of a pending or running request returns that request's task.
    """
    resolved = _resolve(user_identifier, content_id)
    if resolved is None:
        return None
    user, usage_key = resolved
    try:
        return submit_task(
            EXAM_COMPLETION_TASK,
            usage_key.course_key,
            None,
            {"user_id": user.id, "usage_key": str(usage_key), "completion": completion},
            scope=f"{usage_key}:{user.id}:{completion}",
            usage_key=usage_key,
            learner_id=user.id,
        )
    except AlreadyRunning as running:
        log.info("Exam completion of %s for user %s is already queued: %s", usage_key, user.id, running)
        return running.task


@task_type(EXAM_COMPLETION_TASK)
def _run_exam_completion(run: TaskRun) -> dict:
    """Set the learner's completion of every completable block under the exam content."""
    usage_key = UsageKey.from_string(run.input["usage_key"])
    blocks = completable_blocks(usage_key)
    completion = get_backend().completion
    run.progress(0, len(blocks))
    for block in blocks:
        completion.set_completion(run.course_key, run.input["user_id"], block.usage_key, run.input["completion"])
    run.progress(len(blocks))
    return {"blocks": len(blocks), "message": f"Completion set to {run.input['completion']} on {len(blocks)} blocks."}


def reset_exam_state(requester_id: int | None, usage_key: UsageKey, user: UserData) -> int:
    """Delete the learner's state on every scored problem of the exam content; return how many had state."""
    deleted = 0
    for block in _descendants(usage_key.course_key, usage_key):
        if not block.has_score:
            continue
        try:
            delete_problem_state(requester_id, usage_key.course_key, block.usage_key, user)
        except StateNotFound:
            continue
        deleted += 1
    return deleted


def reset_exam_attempt(requester_id: int | None, usage_key: UsageKey, user: UserData) -> InstructorTask | None:
    """Delete the learner's state on the exam's problems, then queue the clearing of its completion."""
    reset_exam_state(requester_id, usage_key, user)
    return start_exam_completion(user.username, str(usage_key), 0.0)
