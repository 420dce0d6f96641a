"""The background-task framework: one running task per scope, execution, failure, redelivery and staleness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.exceptions import StateNotFound
from instructor_plugin.instructor_tasks import (
    AlreadyRunning,
    ItemResult,
    UnknownTaskType,
    _active_key,
    create_task_record,
    execute_task,
    expire_stale_tasks,
    get_task,
    list_running_tasks,
    task_type,
)
from instructor_plugin.models import InstructorTask, InstructorTaskResult
from instructor_plugin.tasks import submit_task

COUNTING = "test_counting"
FAILING_MIDWAY = "test_failing_midway"
ITEM_ERRORS = "test_item_errors"
LEAKING_PATH = "test_leaking_path"
BACKEND_REFUSAL = "test_backend_refusal"
SERVER_PATH = "/srv/lms/private/instructor_reports/0a1b2c/grade.csv"


@task_type(COUNTING)
def _counting(run):
    run.each(range(run.input["count"]), lambda n: ItemResult(identifier=f"item{n}", succeeded=True), total=5)
    return {"message": "Counted.", **run.counts()}


@task_type(FAILING_MIDWAY)
def _failing_midway(run):
    def apply(n):
        InstructorTaskResult.objects.create(task=run.record, identifier=f"side effect {n}", succeeded=True)
        return ItemResult(identifier=f"item{n}", succeeded=True)

    run.each(range(3), apply, total=10, chunk_size=3)
    raise RuntimeError("The grading service is unreachable")


@task_type(ITEM_ERRORS)
def _item_errors(run):
    def apply(n):
        if n == 1:
            raise ValueError("bad item")
        return ItemResult(identifier=f"item{n}", succeeded=True)

    run.each(range(3), apply, total=3, describe=lambda n: f"item{n}")
    return {"message": "Done with errors.", **run.counts()}


@task_type(LEAKING_PATH)
def _leaking_path(run):
    run.each(range(2), lambda n: open(f"{SERVER_PATH}.{n}"), total=2)  # noqa: SIM115 (it must fail)
    raise FileNotFoundError(2, "No such file or directory", SERVER_PATH)


@task_type(BACKEND_REFUSAL)
def _backend_refusal(run):
    raise StateNotFound(message="No state found for learner 7 on this problem.")


def record(course_key, name=COUNTING, scope="", **task_input):
    return create_task_record(name, course_key, None, {"count": 5, **task_input}, scope=scope)


class TestSubmission:
    def test_a_second_task_of_the_same_scope_is_refused_while_the_first_is_active(self, course, course_key):
        first = record(course_key, scope="problem-1")

        with pytest.raises(AlreadyRunning) as raised:
            record(course_key, scope="problem-1")

        assert raised.value.task == first

    def test_other_scopes_and_types_run_side_by_side(self, course, course_key):
        record(course_key, scope="problem-1")
        record(course_key, scope="problem-2")
        record(course_key, name=ITEM_ERRORS, scope="problem-1")

        assert InstructorTask.objects.filter(state=InstructorTask.PENDING).count() == 3

    def test_the_scope_is_free_again_once_the_task_ends(self, course, course_key):
        first = record(course_key, scope="problem-1")
        execute_task(str(first.task_id))

        second = record(course_key, scope="problem-1")

        assert second.task_id != first.task_id

    def test_a_concurrent_insert_of_the_same_scope_is_named_in_the_clash(self, course, course_key):
        """Another request inserted the active row after this one's checks: its insert fails, and names it."""
        concurrent = InstructorTask.objects.create(
            course_key=course_key,
            task_type=COUNTING,
            scope="problem-1",
            active_key=_active_key(course_key, COUNTING, "problem-1"),
        )

        with pytest.raises(AlreadyRunning) as raised:
            record(course_key, scope="problem-1")

        assert raised.value.task == concurrent
        assert InstructorTask.objects.count() == 1

    def test_a_clash_with_a_task_that_ended_meanwhile_is_tried_again(self, course, course_key, monkeypatch):
        """The holder freed the scope between the failed insert and the lookup: the insert is retried, not a 500."""
        real_create = InstructorTask.objects.create
        attempts = []

        def create_after_a_clash(**fields):
            attempts.append(fields["active_key"])
            if len(attempts) == 1:
                raise IntegrityError("UNIQUE constraint failed: instructor_plugin_instructortask.active_key")
            return real_create(**fields)

        monkeypatch.setattr(InstructorTask.objects, "create", create_after_a_clash)

        task = record(course_key, scope="problem-1")

        assert len(attempts) == 2
        assert InstructorTask.objects.get() == task

    def test_an_integrity_error_with_no_holder_is_not_hidden(self, course, course_key, monkeypatch):
        def always_fails(**fields):
            raise IntegrityError("something else")

        monkeypatch.setattr(InstructorTask.objects, "create", always_fails)

        with pytest.raises(IntegrityError):
            record(course_key)

    def test_unknown_task_types_are_refused(self, course, course_key):
        with pytest.raises(UnknownTaskType):
            record(course_key, name="no_such_type")

    def test_submit_queues_the_task_after_commit(self, course, course_key, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            task = submit_task(COUNTING, course_key, None, {"count": 5})
            assert InstructorTask.objects.get(pk=task.pk).state == InstructorTask.PENDING

        assert len(callbacks) == 1
        assert InstructorTask.objects.get(pk=task.pk).state == InstructorTask.COMPLETED


class TestExecution:
    def test_a_completed_task_records_progress_results_and_output(self, course, course_key):
        task = record(course_key)

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.state == InstructorTask.COMPLETED
        assert (task.progress_current, task.progress_total) == (5, 5)
        assert task.output["message"] == "Counted."
        assert task.output["succeeded"] == 5
        assert task.output["duration_ms"] >= 0
        assert task.active_key is None
        assert task.started is not None and task.finished is not None
        assert task.deliveries == 1
        assert list(task.results.values_list("identifier", flat=True)) == [f"item{n}" for n in range(5)]

    def test_a_task_that_raises_is_failed_with_a_message_and_keeps_what_it_did(self, course, course_key):
        task = record(course_key, name=FAILING_MIDWAY)

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.state == InstructorTask.FAILED
        assert task.error == (
            "The task failed after 3 of 10 items: An unexpected error occurred (RuntimeError); "
            "the details are in the server log."
        )
        assert (task.progress_current, task.progress_total) == (3, 10)
        assert task.active_key is None
        assert task.results.filter(identifier__startswith="side effect").count() == 3
        assert task.results.filter(identifier__startswith="item").count() == 3

    def test_an_item_that_raises_is_a_failed_row_and_the_others_succeed(self, course, course_key):
        task = record(course_key, name=ITEM_ERRORS)

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.state == InstructorTask.COMPLETED
        assert (task.output["succeeded"], task.output["failed"]) == (2, 1)
        failed = task.results.get(succeeded=False)
        assert failed.identifier == "item1"
        assert failed.message == "An unexpected error occurred (ValueError); the details are in the server log."

    def test_a_redelivered_running_task_is_failed_not_run_again(self, course, course_key):
        task = record(course_key)
        InstructorTask.objects.filter(pk=task.pk).update(
            state=InstructorTask.RUNNING, progress_current=2, progress_total=5
        )

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.state == InstructorTask.FAILED
        assert task.error.startswith("The worker running this task stopped after 2 of 5 items.")
        assert not task.results.exists()

    def test_a_finished_task_delivered_again_is_left_alone(self, course, course_key):
        task = record(course_key)
        execute_task(str(task.task_id))
        task.refresh_from_db()
        finished = task.finished

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert (task.state, task.finished, task.deliveries) == (InstructorTask.COMPLETED, finished, 1)
        assert task.results.count() == 5

    def test_messages_shown_to_people_carry_no_server_path_which_stays_in_the_log(self, course, course_key, caplog):
        task = record(course_key, name=LEAKING_PATH)

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.error == (
            "The task failed after 2 of 2 items: An unexpected error occurred (FileNotFoundError); "
            "the details are in the server log."
        )
        assert [row.message for row in task.results.all()] == [
            "An unexpected error occurred (FileNotFoundError); the details are in the server log."
        ] * 2
        assert SERVER_PATH in caplog.text

    def test_a_backend_refusal_keeps_its_message(self, course, course_key):
        task = record(course_key, name=BACKEND_REFUSAL)

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.error == "The task failed: No state found for learner 7 on this problem."

    def test_a_missing_record_is_logged_not_raised(self, db, caplog):
        execute_task("5b7f0f0e-0000-4000-8000-000000000000")

        assert "has no record" in caplog.text


class TestStaleTasks:
    def test_a_running_task_silent_for_too_long_is_failed_and_frees_its_scope(self, course, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "TASK_STALE_AFTER_SECONDS": 60}
        task = record(course_key, scope="problem-1")
        InstructorTask.objects.filter(pk=task.pk).update(
            state=InstructorTask.RUNNING, progress_current=40, progress_total=100
        )
        InstructorTask.objects.filter(pk=task.pk).update(updated=timezone.now() - timedelta(seconds=61))

        assert list_running_tasks(course_key) == []
        stale = get_task(course_key, str(task.task_id))
        assert stale.state == InstructorTask.FAILED
        assert stale.error.startswith("The worker running this task stopped reporting progress after 40 of 100 items.")
        assert record(course_key, scope="problem-1").state == InstructorTask.PENDING

    def test_a_pending_task_no_worker_started_is_failed_and_frees_its_scope(self, course, course_key, settings):
        """Its worker failed on its first save: without expiry every later request would be a 409."""
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "TASK_STALE_AFTER_SECONDS": 60}
        task = record(course_key, scope="problem-1")
        InstructorTask.objects.filter(pk=task.pk).update(updated=timezone.now() - timedelta(seconds=61))

        again = record(course_key, scope="problem-1")

        task.refresh_from_db()
        assert (task.state, task.active_key) == (InstructorTask.FAILED, None)
        assert task.error == (
            "No worker started this task within 60 seconds, so it was given up. Nothing was done; start the task again."
        )
        assert task.finished is not None
        assert again.state == InstructorTask.PENDING

    def test_an_expired_pending_task_delivered_late_is_not_run(self, course, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "TASK_STALE_AFTER_SECONDS": 60}
        task = record(course_key)
        InstructorTask.objects.filter(pk=task.pk).update(updated=timezone.now() - timedelta(seconds=61))
        assert expire_stale_tasks(course_key) == 1

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert task.state == InstructorTask.FAILED
        assert task.results.count() == 0

    def test_a_recent_pending_task_keeps_its_scope(self, course, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "TASK_STALE_AFTER_SECONDS": 60}
        task = record(course_key, scope="problem-1")
        InstructorTask.objects.filter(pk=task.pk).update(updated=timezone.now() - timedelta(seconds=50))

        with pytest.raises(AlreadyRunning):
            record(course_key, scope="problem-1")

    def test_expiry_spares_other_courses(self, course, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "TASK_STALE_AFTER_SECONDS": 60}
        task = record(course_key)
        InstructorTask.objects.filter(pk=task.pk).update(updated=timezone.now() - timedelta(seconds=61))

        assert expire_stale_tasks(CourseKey.from_string("course-v1:TestX+OTHER+2026")) == 0
        assert InstructorTask.objects.get(pk=task.pk).state == InstructorTask.PENDING

    def test_a_running_task_that_reports_progress_is_kept(self, course, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "TASK_STALE_AFTER_SECONDS": 60}
        task = record(course_key)
        InstructorTask.objects.filter(pk=task.pk).update(state=InstructorTask.RUNNING)

        assert list_running_tasks(course_key) == [task]


def test_get_task_ignores_malformed_ids_and_other_courses(course, course_key):
    task = record(course_key)

    assert get_task(course_key, "not-a-uuid") is None
    other = course_key.replace(run="other")
    assert get_task(other, str(task.task_id)) is None
    assert get_task(course_key, str(task.task_id)) == task
