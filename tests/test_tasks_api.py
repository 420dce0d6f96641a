"""The task endpoints: status, per-item results, the course's task list, and the legacy list the MFE polls."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instructor_plugin.instructor_tasks import create_task_record, execute_task
from instructor_plugin.models import InstructorTask, InstructorTaskResult
from tests.conftest import COURSE_ID, v2
from tests.test_instructor_tasks import COUNTING, FAILING_MIDWAY

LEGACY_TASKS_URL = f"/courses/{COURSE_ID}/instructor/api/list_instructor_tasks"


def problem_key(course_key, name="q1"):
    return course_key.make_usage_key("problem", name)


@pytest.fixture
def make_task(course, course_key, users):
    def make(name=COUNTING, requester="instructor", run=False, **fields):
        task = create_task_record(
            name, course_key, users[requester].pk, {"count": 5}, scope=fields.pop("scope", uuid.uuid4().hex)
        )
        InstructorTask.objects.filter(pk=task.pk).update(**fields)
        if run:
            execute_task(str(task.task_id))
        return InstructorTask.objects.get(pk=task.pk)

    return make


@pytest.fixture
def as_user(api_v2_on, client, users):
    def login(role):
        client.force_authenticate(users[role])
        return client

    return login


class TestTaskStatus:
    def test_a_completed_task(self, as_user, make_task):
        task = make_task(run=True)

        body = as_user("instructor").get(v2(suffix=f"/tasks/{task.task_id}")).json()

        assert body["task_id"] == str(task.task_id)
        assert body["task_type"] == COUNTING
        assert body["state"] == "completed"
        assert body["progress"] == {"current": 5, "total": 5}
        assert body["result"]["success"] is True
        assert body["result"]["message"] == "Counted."
        assert body["result"]["succeeded"] == 5
        assert body["error"] is None
        assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")

    def test_a_failed_task_reports_its_error_and_progress(self, as_user, make_task):
        task = make_task(name=FAILING_MIDWAY, run=True)

        body = as_user("instructor").get(v2(suffix=f"/tasks/{task.task_id}")).json()

        assert body["state"] == "failed"
        assert body["progress"] == {"current": 3, "total": 10}
        assert body["result"] is None
        assert body["error"] == {
            "code": "TASK_FAILED",
            "message": "The task failed after 3 of 10 items: An unexpected error occurred (RuntimeError); "
            "the details are in the server log.",
        }

    def test_a_pending_task_has_no_progress_yet(self, as_user, make_task):
        task = make_task()

        body = as_user("instructor").get(v2(suffix=f"/tasks/{task.task_id}")).json()

        assert (body["state"], body["progress"], body["result"], body["error"]) == ("pending", None, None, None)

    @pytest.mark.parametrize("task_id", ["not-a-uuid", "5b7f0f0e-0000-4000-8000-000000000000"])
    def test_unknown_task_is_404(self, as_user, course, task_id):
        response = as_user("instructor").get(v2(suffix=f"/tasks/{task_id}"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "task_not_found"

    def test_a_task_of_another_course_is_404(self, as_user, make_task, course_key):
        task = make_task()
        InstructorTask.objects.filter(pk=task.pk).update(course_key=course_key.replace(run="other"))

        assert as_user("instructor").get(v2(suffix=f"/tasks/{task.task_id}")).status_code == 404

    def test_the_requester_reads_their_task_without_the_tasks_permission(self, as_user, make_task):
        task = make_task(requester="learner")

        assert as_user("learner").get(v2(suffix=f"/tasks/{task.task_id}")).status_code == 200

    def test_others_without_the_tasks_permission_are_refused(self, as_user, make_task):
        task = make_task(requester="instructor")

        response = as_user("learner").get(v2(suffix=f"/tasks/{task.task_id}"))

        assert response.status_code == 403


class TestTaskResults:
    def test_results_are_paginated_and_filtered(self, as_user, make_task):
        task = make_task(run=True)
        InstructorTaskResult.objects.filter(task=task, identifier="item3").update(succeeded=False, message="nope")
        client = as_user("course_staff")

        everything = client.get(v2(suffix=f"/tasks/{task.task_id}/results?page_size=2")).json()
        failures = client.get(v2(suffix=f"/tasks/{task.task_id}/results?succeeded=false")).json()

        assert (everything["count"], everything["num_pages"]) == (5, 3)
        assert [row["identifier"] for row in everything["results"]] == ["item0", "item1"]
        assert failures["count"] == 1
        assert failures["results"] == [
            {"identifier": "item3", "user_id": None, "succeeded": False, "message": "nope", "detail": None}
        ]


class TestInstructorTaskList:
    def test_lists_pending_and_running_tasks_only(self, as_user, make_task):
        running = make_task(state=InstructorTask.RUNNING, progress_current=1, progress_total=4)
        pending = make_task()
        make_task(run=True)

        body = as_user("data_researcher").get(v2(suffix="/instructor_tasks")).json()

        assert [task["task_id"] for task in body["tasks"]] == [str(pending.task_id), str(running.task_id)]
        assert body["tasks"][1]["task_state"] == "PROGRESS"
        assert body["tasks"][1]["task_message"] == "In progress: 1 of 4 done."

    def test_history_of_a_problem_and_of_one_learner(self, as_user, make_task, course_key, users):
        problem = problem_key(course_key)
        for_learner = make_task(usage_key=problem, learner=users["learner"], run=True)
        for_everyone = make_task(usage_key=problem, run=True)
        make_task(usage_key=problem_key(course_key, "q2"), run=True)
        client = as_user("instructor")

        problem_history = client.get(v2(suffix="/instructor_tasks"), {"problem_location_str": str(problem)}).json()
        learner_history = client.get(
            v2(suffix="/instructor_tasks"),
            {"problem_location_str": str(problem), "unique_student_identifier": "learner"},
        ).json()

        assert [t["task_id"] for t in problem_history["tasks"]] == [str(for_everyone.task_id), str(for_learner.task_id)]
        assert [t["task_id"] for t in learner_history["tasks"]] == [str(for_learner.task_id)]
        assert learner_history["tasks"][0]["status"] == "Complete"
        assert learner_history["tasks"][0]["task_state"] == "SUCCESS"

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("?unique_student_identifier=nobody&problem_location_str=x", "Invalid student identifier"),
            ("?unique_student_identifier=learner", "unique_student_identifier must be used with problem_location_str"),
            ("?problem_location_str=not-a-key", "Invalid problem location"),
        ],
    )
    def test_bad_queries_are_400(self, as_user, course, query, message):
        response = as_user("instructor").get(v2(suffix=f"/instructor_tasks{query}"))

        assert response.status_code == 400
        assert response.json()["error"] == message


class TestLegacyTaskList:
    def test_answers_the_fields_the_pending_tasks_panel_reads(self, as_user, make_task, users):
        task = make_task(state=InstructorTask.RUNNING, progress_current=2, progress_total=5)

        response = as_user("course_staff").post(LEGACY_TASKS_URL)

        assert response.status_code == 200
        (row,) = response.json()["tasks"]
        assert row == {
            "task_id": str(task.task_id),
            "task_type": COUNTING,
            "task_state": "PROGRESS",
            "task_input": json.dumps({"count": 5}),
            "requester": "instructor",
            "created": row["created"],
            "duration_sec": "unknown",
            "status": "Incomplete",
            "task_message": "In progress: 2 of 5 done.",
            "task_output": None,
        }
        assert row["created"].endswith("Z")

    def test_an_empty_list(self, as_user, course):
        assert as_user("instructor").post(LEGACY_TASKS_URL).json() == {"tasks": []}

    def test_a_finished_task_carries_its_duration_and_output(self, as_user, make_task):
        task = make_task(run=True)
        InstructorTask.objects.filter(pk=task.pk).update(state=InstructorTask.RUNNING, output={"duration_ms": 4500})

        (row,) = as_user("instructor").post(LEGACY_TASKS_URL).json()["tasks"]

        assert row["duration_sec"] == "4"
        assert json.loads(row["task_output"]) == {"duration_ms": 4500}


class TestQueryCounts:
    """The task lists cost the same queries at 10 and at 1,000 rows (measured after a warm-up request)."""

    @staticmethod
    def queries(client, method, path) -> int:
        getattr(client, method)(path)
        with CaptureQueriesContext(connection) as captured:
            assert getattr(client, method)(path).status_code == 200
        return len(captured)

    def running_tasks(self, course_key, users, count):
        InstructorTask.objects.bulk_create(
            InstructorTask(
                course_key=course_key,
                task_type=COUNTING,
                scope=f"bulk-{count}-{n}",
                state=InstructorTask.RUNNING,
                requester=users["instructor" if n % 2 else "course_staff"],
            )
            for n in range(count)
        )

    @pytest.mark.parametrize(("method", "path"), [("get", v2(suffix="/instructor_tasks")), ("post", LEGACY_TASKS_URL)])
    def test_task_lists(self, as_user, course_key, users, method, path):
        client = as_user("instructor")
        self.running_tasks(course_key, users, 10)
        small = self.queries(client, method, path)
        self.running_tasks(course_key, users, 990)

        assert self.queries(client, method, path) == small
        assert len(getattr(client, method)(path).json()["tasks"]) == 1000

    def test_task_results(self, as_user, make_task):
        task = make_task(run=True)
        path = v2(suffix=f"/tasks/{task.task_id}/results?page_size=100")
        client = as_user("instructor")
        small = self.queries(client, "get", path)
        InstructorTaskResult.objects.bulk_create(
            InstructorTaskResult(task=task, identifier=f"more{n}", succeeded=True) for n in range(995)
        )

        assert self.queries(client, "get", path) == small
