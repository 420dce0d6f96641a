"""Background tasks run by a real worker over a real broker, including a worker that dies mid-task."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.models import CourseEnrollment
from instructor_plugin.models import InstructorTask
from instructor_plugin.tasks import submit_task
from tests.conftest import make_user, v2
from worker_tests.conftest import wait_until_finished
from worker_tests.task_types import KILLS_ITS_WORKER

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker_process")]


def test_a_long_enrollment_list_is_enrolled_by_the_worker(api_v2_on, client, users, course_key):
    people = [make_user(f"bulk{n}") for n in range(30)]
    client.force_authenticate(users["course_staff"])

    response = client.post(
        v2(suffix="/enrollments/modify"),
        {"identifier": [person.email for person in people], "action": "enroll", "background": True},
        format="json",
    )

    assert response.status_code == 202
    task = wait_until_finished(InstructorTask.objects.get(task_id=response.json()["task_id"]))
    assert task.state == InstructorTask.COMPLETED, task.error
    assert (task.progress_current, task.progress_total, task.deliveries) == (30, 30, 1)
    assert task.results.filter(succeeded=True).count() == 30
    assert CourseEnrollment.objects.filter(course_key=course_key, user__in=people, is_active=True).count() == 30
    status = client.get(response.json()["status_url"]).json()
    assert status["state"] == "completed"
    assert status["result"]["message"] == "Enrolled 30 of 30 identifiers."


def test_a_worker_killed_mid_task_leaves_a_failed_record_of_what_was_done(course, course_key):
    task = submit_task(KILLS_ITS_WORKER, course_key, None, {"total": 10, "die_at": 5})

    task = wait_until_finished(task)

    assert task.state == InstructorTask.FAILED
    assert task.error.startswith("The worker running this task stopped after 4 of 10 items.")
    assert (task.progress_current, task.progress_total) == (4, 10)
    assert sorted(task.results.values_list("identifier", flat=True)) == ["item0", "item1", "item2", "item3"]
    assert task.deliveries == 1
