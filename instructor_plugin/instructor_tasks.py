"""
Background-task records: one-running-per-scope submission, execution with progress, history.

A task type is a function registered with :func:`task_type`; it receives a :class:`TaskRun`
and returns its output (a dict, with a ``message`` for people). :meth:`TaskRun.each` applies
a change per item chunk by chunk, committing each chunk's changes, its result rows and the
progress together, so a task that dies leaves a record of exactly what was done.

A task's record is ``failed`` with a readable message when its function raises, when a
worker picks up a task whose earlier worker died (a redelivery), when a running task has
not reported progress for ``TASK_STALE_AFTER_SECONDS``, or when no worker started a pending
one within that time. Messages name an unexpected error by its type only: exception text
can hold server paths, so it goes to the log with the traceback.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey, UsageKey

from .backends.data import Page, PageRequest
from .backends.rows import insert_rows, stored_json
from .conf import plugin_setting
from .exceptions import ErrorCategory, InstructorError
from .models import InstructorTask, InstructorTaskResult

__all__ = [
    "AlreadyRunning",
    "ItemResult",
    "TaskRun",
    "cancel_task",
    "create_task_record",
    "execute_task",
    "expire_stale_tasks",
    "get_task",
    "list_running_tasks",
    "list_task_history",
    "list_task_results",
    "task_message",
    "task_type",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_CHUNK_SIZE = 200
#: How many times a clash on the active key is retried when the task holding it ended meanwhile.
_INSERT_ATTEMPTS = 3


class AlreadyRunning(InstructorError):
    """A task of the same type and scope is pending or running in the course; ``task`` is that task."""

    category = ErrorCategory.CONFLICT
    error_code = "task_already_running"
    message = "A task of this kind is already running for this course."

    def __init__(self, task: InstructorTask, *, message: str | None = None):
        super().__init__(task.task_id, message=message)
        self.task = task


class UnknownTaskType(LookupError):
    """No function is registered under this task type: a programming error, never the request's."""


@dataclass(frozen=True)
class ItemResult:
    """What a task did for one item (a learner, an identifier)."""

    identifier: str
    succeeded: bool
    message: str = ""
    user_id: int | None = None
    detail: dict | None = None


#: The columns of a result row, as :func:`_result_row` gives them.
_RESULT_FIELDS = ("task", "identifier", "user_id", "succeeded", "message", "detail")


def _result_row(task_id: int, result: ItemResult) -> tuple:
    """An item's result as a plain row of ``InstructorTaskResult``."""
    detail = stored_json(InstructorTaskResult, result.detail)
    return (task_id, result.identifier[:255], result.user_id, result.succeeded, result.message, detail)


Handler = Callable[["TaskRun"], dict | None]
_HANDLERS: dict[str, Handler] = {}


def task_type(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the body of tasks of type ``name``."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[name] = handler
        return handler

    return register


def _active_key(course_key: CourseKey, name: str, scope: str) -> str:
    return hashlib.sha256(f"{course_key}\n{name}\n{scope}".encode()).hexdigest()


def create_task_record(
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
    Record a pending task, or raise :class:`AlreadyRunning` with the task holding the scope.

    The unique ``active_key`` decides between concurrent requests on every database: the
    insert that loses raises ``IntegrityError`` once the winner has committed, and the winner
    is then read back. If it already ended (its key was freed in between), the insert is
    tried again. The record is created in its own savepoint, so a clash leaves the caller's
    transaction usable.
    """
    if name not in _HANDLERS:
        raise UnknownTaskType(name)
    expire_stale_tasks(course_key)
    key = _active_key(course_key, name, scope)
    attempts_left = _INSERT_ATTEMPTS
    while True:
        try:
            with transaction.atomic():
                return InstructorTask.objects.create(
                    course_key=course_key,
                    task_type=name,
                    scope=scope[:255],
                    active_key=key,
                    usage_key=usage_key,
                    learner_id=learner_id,
                    requester_id=requester_id,
                    task_input=task_input,
                )
        except IntegrityError:
            holder = _active_holder(key)
            if holder is not None:
                raise AlreadyRunning(holder) from None
            attempts_left -= 1
            if not attempts_left:
                raise


def _active_holder(key: str) -> InstructorTask | None:
    """
    The task holding ``key``, read with a locking read.

    A locking read sees the latest committed row even under MySQL's REPEATABLE READ, where a
    plain read in a transaction that began earlier would not.
    """
    with transaction.atomic():
        return InstructorTask.objects.select_for_update().filter(active_key=key).first()


def get_task(course_key: CourseKey, task_id: str) -> InstructorTask | None:
    """The course's task with this id, if any (a malformed id is simply not found)."""
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        return None
    expire_stale_tasks(course_key)
    return InstructorTask.objects.select_related("requester").filter(course_key=course_key, task_id=task_uuid).first()


def list_running_tasks(course_key: CourseKey) -> list[InstructorTask]:
    """Pending and running tasks of the course, newest first."""
    expire_stale_tasks(course_key)
    rows = InstructorTask.objects.filter(course_key=course_key, state__in=InstructorTask.ACTIVE_STATES)
    return list(rows.select_related("requester").order_by("-created"))


def list_task_history(
    course_key: CourseKey, usage_key: UsageKey, learner_id: int | None = None, limit: int = 100
) -> list[InstructorTask]:
    """The latest tasks run on a problem, optionally only those for one learner, newest first."""
    expire_stale_tasks(course_key)
    rows = InstructorTask.objects.filter(course_key=course_key, usage_key=usage_key)
    if learner_id is not None:
        rows = rows.filter(learner_id=learner_id)
    return list(rows.select_related("requester").order_by("-created")[:limit])


def expire_stale_tasks(course_key: CourseKey) -> int:
    """
    Fail the course's tasks that went silent for ``TASK_STALE_AFTER_SECONDS``; return how many.

    A running task that stopped reporting progress lost its worker; a pending task that no
    worker started is lost too (its worker failed before its first save, or its message was
    dropped). Either would otherwise hold its scope forever. A record that changed since it
    was read (a worker just started it) is left alone.
    """
    seconds = plugin_setting("TASK_STALE_AFTER_SECONDS")
    cutoff = timezone.now() - timedelta(seconds=seconds)
    stale = InstructorTask.objects.filter(
        course_key=course_key, state__in=InstructorTask.ACTIVE_STATES, updated__lt=cutoff
    )
    expired = 0
    for record in stale:
        if record.state == InstructorTask.PENDING:
            message = (
                f"No worker started this task within {seconds} seconds, so it was given up. "
                "Nothing was done; start the task again."
            )
        else:
            message = _stopped_message(record, "stopped reporting progress")
        now = timezone.now()
        expired += InstructorTask.objects.filter(pk=record.pk, state=record.state, updated=record.updated).update(
            state=InstructorTask.FAILED, error=message, active_key=None, finished=now, updated=now
        )
    return expired


def _progress_text(record: InstructorTask) -> str:
    """``"40 of 100"``, or ``"40 of ?"`` while the total is not known."""
    total = record.progress_total if record.progress_total is not None else "?"
    return f"{record.progress_current} of {total}"


def _stopped_message(record: InstructorTask, how: str) -> str:
    return (
        f"The worker running this task {how} after {_progress_text(record)} items. "
        "What was done before that stays done; start the task again to finish the rest."
    )


def _finish_failed(record: InstructorTask, message: str) -> None:
    record.state = InstructorTask.FAILED
    record.error = message
    record.active_key = None
    record.finished = timezone.now()
    record.save(update_fields=["state", "error", "active_key", "finished", "updated"])


def cancel_task(record: InstructorTask, message: str) -> None:
    """Mark a task that has not started failed with ``message``, which frees its scope."""
    _finish_failed(record, message)


def execute_task(task_id: str) -> None:
    """Run a recorded task in this process (a worker's job), leaving its record completed or failed."""
    with transaction.atomic():
        record = InstructorTask.objects.select_for_update().filter(task_id=task_id).first()
        if record is None:
            log.error("Instructor task %s has no record; nothing to run.", task_id)
            return
        if record.state not in InstructorTask.ACTIVE_STATES:
            log.info("Instructor task %s is already %s; ignoring a repeated delivery.", task_id, record.state)
            return
        if record.state == InstructorTask.RUNNING:
            _finish_failed(record, _stopped_message(record, "stopped"))
            return
        record.state = InstructorTask.RUNNING
        record.started = timezone.now()
        record.deliveries += 1
        record.save(update_fields=["state", "started", "deliveries", "updated"])
    run = TaskRun(record)
    try:
        output = _HANDLERS[record.task_type](run)
    except Exception as exc:
        log.exception("Instructor task %s (%s) failed", task_id, record.task_type)
        run.fail(exc)
        return
    run.complete(output or {})


class TaskRun:
    """A running task as its function sees it: the input, progress reporting and per-item results."""

    def __init__(self, record: InstructorTask):
        self.record = record
        self.succeeded = 0
        self.failed = 0

    @property
    def input(self) -> dict:
        return self.record.task_input

    @property
    def course_key(self) -> CourseKey:
        return self.record.course_key

    @property
    def requester_id(self) -> int | None:
        return self.record.requester_id

    def progress(self, current: int, total: int | None = None) -> None:
        """Save how far the task got (this is also its heartbeat)."""
        self.record.progress_current = current
        if total is not None:
            self.record.progress_total = total
        self.record.save(update_fields=["progress_current", "progress_total", "updated"])

    def each(
        self,
        items: Iterable[T],
        apply: Callable[[T], ItemResult],
        *,
        total: int,
        describe: Callable[[T], str] = str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        savepoints: bool = True,
    ) -> None:
        """
        Apply ``apply`` to every item; its unexpected errors become failed result rows.

        Each chunk commits its changes, its result rows and the new progress in one
        transaction. Each item runs in its own savepoint, so that a failed item's partial
        writes are undone; ``savepoints=False`` saves those two queries per item when
        ``apply`` writes nothing itself (the chunk's writes were made in bulk beforehand).
        """
        self.progress(self.record.progress_current, total)
        task_id = self.record.pk
        iterator = iter(items)
        while chunk := list(islice(iterator, chunk_size)):
            # Within a caller's transaction (a chunk writing in sets), a savepoint would only add two queries.
            with transaction.atomic(savepoint=False):
                rows = [self._apply_one(item, apply, describe, savepoints) for item in chunk]
                insert_rows(InstructorTaskResult, _RESULT_FIELDS, [_result_row(task_id, row) for row in rows])
                self.succeeded += sum(1 for row in rows if row.succeeded)
                self.failed += sum(1 for row in rows if not row.succeeded)
                self.progress(self.record.progress_current + len(rows))

    @staticmethod
    def _apply_one(
        item: T, apply: Callable[[T], ItemResult], describe: Callable[[T], str], savepoints: bool
    ) -> ItemResult:
        try:
            if not savepoints:
                return apply(item)
            with transaction.atomic():
                return apply(item)
        except Exception as exc:
            log.exception("Instructor task item %s failed", describe(item))
            return ItemResult(identifier=describe(item), succeeded=False, message=_readable(exc))

    def counts(self) -> dict:
        """Succeeded and failed item counts so far."""
        return {"succeeded": self.succeeded, "failed": self.failed}

    def complete(self, output: dict) -> None:
        record = self.record
        record.state = InstructorTask.COMPLETED
        record.finished = timezone.now()
        record.active_key = None
        duration_ms = int((record.finished - (record.started or record.created)).total_seconds() * 1000)
        record.output = {"duration_ms": duration_ms, **output}
        record.save(update_fields=["state", "finished", "active_key", "output", "updated"])

    def fail(self, exc: Exception) -> None:
        record = self.record
        record.refresh_from_db(fields=["progress_current", "progress_total"])
        where = f" after {_progress_text(record)} items" if record.progress_current else ""
        _finish_failed(record, f"The task failed{where}: {_readable(exc)}")


def _readable(exc: Exception) -> str:
    """
    What people are shown of an error: a plugin error's own message (written for them), else only
    the error's type, since exception text can hold server paths (the traceback is in the log).
    """
    if isinstance(exc, InstructorError):
        return exc.message
    return f"An unexpected error occurred ({exc.__class__.__name__}); the details are in the server log."


def task_message(task: InstructorTask) -> str:
    """A sentence for people on where the task stands."""
    if task.state == InstructorTask.PENDING:
        return "Waiting for a worker."
    if task.state == InstructorTask.FAILED:
        return task.error or "Task failed."
    if task.state == InstructorTask.RUNNING:
        return f"In progress: {_progress_text(task)} done."
    return (task.output or {}).get("message") or "Done."


def list_task_results(task: InstructorTask, succeeded: bool | None, page: PageRequest) -> Page[InstructorTaskResult]:
    """The task's per-item results in the order they were written, optionally only successes or failures."""
    rows = task.results.order_by("pk")
    if succeeded is not None:
        rows = rows.filter(succeeded=succeeded)
    return Page(items=list(rows[page.offset : page.offset + page.limit]), total=rows.count())
