"""Long enrollment lists run as the ``batch_enrollment`` background task, with progress and per-identifier rows."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.models import CourseEnrollment, CourseEnrollmentAllowed, ManualEnrollmentAudit
from instructor_plugin.models import InstructorTask
from tests.conftest import make_user, v2


@pytest.fixture
def small_sync_limit(settings):
    settings.INSTRUCTOR_PLUGIN = {
        **settings.INSTRUCTOR_PLUGIN,
        "MAX_SYNC_ENROLLMENT_IDENTIFIERS": 3,
        "MAX_ENROLLMENT_IDENTIFIERS": 12,
    }


@pytest.fixture
def modify(api_v2_on, client, users, django_capture_on_commit_callbacks):
    client.force_authenticate(users["course_staff"])

    def post(**body):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(v2(suffix="/enrollments/modify"), body, format="json")

    return post


def test_a_list_over_the_sync_limit_runs_as_a_task(small_sync_limit, modify, course_key, users):
    people = [make_user(f"bulk{n}") for n in range(8)]
    identifiers = [person.username for person in people] + ["new@example.com", "not an identifier"]

    response = modify(identifier=identifiers, action="enroll", reason="Cohort import")

    assert response.status_code == 202
    body = response.json()
    assert (body["action"], body["auto_enroll"], body["total_students"]) == ("enroll", False, 10)
    assert body["message"] == "The enroll of 10 identifiers is running in the background."
    task = InstructorTask.objects.get(task_id=body["task_id"])
    assert body["status_url"] == v2(suffix=f"/tasks/{task.task_id}")
    assert (task.task_type, task.state, task.requester, task.course_key) == (
        "batch_enrollment",
        InstructorTask.COMPLETED,
        users["course_staff"],
        course_key,
    )
    assert (task.progress_current, task.progress_total) == (10, 10)
    assert task.output["successful_operations"] == 9
    assert task.output["failed_operations"] == 1
    assert task.output["message"] == "Enrolled 9 of 10 identifiers."
    assert CourseEnrollment.objects.filter(course_key=course_key, user__in=people, is_active=True).count() == 8
    assert CourseEnrollmentAllowed.objects.filter(course_key=course_key, email="new@example.com").exists()
    assert ManualEnrollmentAudit.objects.filter(course_key=course_key, reason="Cohort import").count() == 9
    rows = {row.identifier: row for row in task.results.all()}
    assert len(rows) == 10
    assert rows["bulk0"].succeeded and rows["bulk0"].message == "from unenrolled to enrolled"
    assert rows["bulk0"].detail["after"]["enrollment"] is True
    assert not rows["not an identifier"].succeeded
    assert rows["not an identifier"].message == "Not a known username or a valid email address."


def test_a_short_list_can_ask_for_the_background(modify, course_key, users):
    response = modify(identifier=["learner"], action="unenroll", background=True)

    assert response.status_code == 202
    task = InstructorTask.objects.get(task_id=response.json()["task_id"])
    assert task.output["message"] == "Unenrolled 1 of 1 identifiers."
    assert not CourseEnrollment.objects.get(course_key=course_key, user=users["learner"]).is_active


def test_the_same_list_again_while_it_runs_is_409(small_sync_limit, api_v2_on, client, users):
    client.force_authenticate(users["course_staff"])
    body = {"identifier": [f"user{n}@example.com" for n in range(5)], "action": "enroll"}
    first = client.post(v2(suffix="/enrollments/modify"), body, format="json")

    second = client.post(v2(suffix="/enrollments/modify"), body, format="json")

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["error_code"] == "task_already_running"
    assert second.json()["task_id"] == first.json()["task_id"]
    assert second.json()["status_url"] == first.json()["status_url"]


def test_a_list_over_the_task_limit_is_400(small_sync_limit, modify):
    response = modify(identifier=[f"user{n}@example.com" for n in range(13)], action="enroll")

    assert response.status_code == 400
    assert response.json()["field_errors"] == {"identifier": ["At most 12 identifiers per request."]}
