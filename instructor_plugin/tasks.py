"""
The plugin's Celery task, and how work is handed to it.

The host supplies the Celery app (the task is a ``shared_task``). Every background job of the
plugin runs through :func:`run_instructor_task`, which executes the recorded task of that id;
``acks_late`` with ``reject_on_worker_lost`` hands the message back when a worker dies, and
the next worker then marks the record failed with the progress it had reached.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from opaque_keys.edx.keys import CourseKey, UsageKey

from .instructor_tasks import create_task_record, execute_task
from .models import InstructorTask

__all__ = ["queue_task", "run_instructor_task", "submit_task"]


@shared_task(
    name="instructor_plugin.run_instructor_task", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def run_instructor_task(task_id: str) -> None:
    """Run the recorded task ``task_id``."""
    execute_task(task_id)


def submit_task(
    name: str,
    course_key: CourseKey,
    requester_id: int | None,
    task_input: dict,
    *,
    scope: str = "",
    usage_key: UsageKey | None = None,
    learner_id: int | None = None,
) -> InstructorTask:
    """
    Record a task and queue it once the current transaction commits.

    Raises :class:`~instructor_plugin.instructor_tasks.AlreadyRunning` when a task of the
    same type and scope is pending or running in the course.
    """
    record = create_task_record(
        name, course_key, requester_id, task_input, scope=scope, usage_key=usage_key, learner_id=learner_id
    )
    queue_task(record)
    return record


def queue_task(record: InstructorTask) -> None:
    """Queue an already recorded (pending) task once the current transaction commits."""
    task_id = str(record.task_id)
    transaction.on_commit(lambda: run_instructor_task.apply_async(args=[task_id], task_id=task_id))
