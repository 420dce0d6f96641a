"""The legacy course-email endpoints (send, email tasks, sent emails), and sending through v2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.bulk_email import BULK_EMAIL_TASK
from instructor_plugin.models import CourseEmail, CourseEmailSchedule, InstructorTask
from tests.conftest import COURSE_ID, v2

SEND = f"/courses/{COURSE_ID}/instructor/api/send_email"
TASKS = f"/courses/{COURSE_ID}/instructor/api/list_background_email_tasks"
CONTENT = f"/courses/{COURSE_ID}/instructor/api/list_email_content"


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


def send(client, **fields):
    body = {"send_to": '["learners"]', "subject": "Week 2", "message": "<p>Hello</p>", **fields}
    return client.post(SEND, body)


def make_email(course_key, sender, *, subject="S", targets=("learners",), output=None, state=InstructorTask.COMPLETED):
    email = CourseEmail.objects.create(
        course_key=course_key, sender=sender, subject=subject, html_message=f"<p>{subject}</p>", targets=list(targets)
    )
    task = InstructorTask.objects.create(
        course_key=course_key,
        task_type=BULK_EMAIL_TASK,
        requester=sender,
        task_input={"email_id": email.pk, "targets": list(targets)},
        state=state,
        output=output,
    )
    return email, task


class TestSendEmail:
    def test_records_the_email_and_queues_its_task(self, staff, course_key):
        response = send(staff, send_to='["learners", "myself"]')

        assert response.status_code == 200
        assert response.json() == {"course_id": COURSE_ID, "success": True}
        email = CourseEmail.objects.get()
        assert (email.subject, email.html_message, email.targets) == ("Week 2", "<p>Hello</p>", ["learners", "myself"])
        task = InstructorTask.objects.get(task_type=BULK_EMAIL_TASK)
        assert task.task_input["email_id"] == email.pk

    def test_schedule_in_the_future_waits(self, staff):
        due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)

        response = send(staff, schedule=due.strftime("%Y-%m-%dT%H:%M:%S"))

        assert response.status_code == 200
        assert CourseEmailSchedule.objects.get().due == due

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"send_to": "learners"}, "send_to"),
            ({"send_to": '{"a": 1}'}, "send_to"),
            ({"send_to": "[" * 9_000}, "send_to"),
            ({"send_to": "[]"}, "targets"),
            ({"send_to": '["everyone"]'}, "targets"),
            ({"send_to": '["cohort:Nope"]'}, "targets"),
            ({"subject": ""}, "subject"),
            ({"subject": "x" * 129}, "subject"),
            ({"schedule": "2001-01-01T00:00:00"}, "schedule"),
            ({"schedule": "tomorrow"}, "schedule"),
        ],
    )
    def test_bad_input_is_400_and_sends_nothing(self, staff, fields, field):
        response = send(staff, **fields)

        assert response.status_code == 400
        assert field in response.json()["field_errors"]
        assert not CourseEmail.objects.exists()
        assert not InstructorTask.objects.exists()

    def test_researcher_is_refused(self, client, users):
        client.force_authenticate(users["data_researcher"])

        assert send(client).status_code == 403
        assert not CourseEmail.objects.exists()

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_email_as_v2(self, api_v2_on, staff, users, door):
        if door == "legacy":
            send(staff, send_to='["learners", "track:verified"]')
        else:
            body = {"subject": "Week 2", "message": "<p>Hello</p>", "targets": ["learners", "track:verified"]}
            staff.post(v2(suffix="/emails"), body, format="json")

        email = CourseEmail.objects.get()
        assert (email.sender, email.subject, email.html_message, email.text_message, email.targets) == (
            users["course_staff"],
            "Week 2",
            "<p>Hello</p>",
            "Hello",
            ["learners", "track:verified"],
        )
        assert InstructorTask.objects.get().task_input == {"email_id": email.pk, "targets": email.targets}


class TestListBackgroundEmailTasks:
    def test_lists_only_the_email_tasks_newest_first(self, staff, users, course_key):
        _, older = make_email(course_key, users["instructor"], output={"duration_ms": 2500})
        _, newer = make_email(course_key, users["course_staff"], state=InstructorTask.RUNNING)
        InstructorTask.objects.create(course_key=course_key, task_type="grade_report")

        tasks = staff.post(TASKS).json()["tasks"]

        assert [task["task_id"] for task in tasks] == [str(newer.task_id), str(older.task_id)]
        assert tasks[1]["task_type"] == BULK_EMAIL_TASK
        assert tasks[1]["requester"] == "instructor"
        assert tasks[1]["duration_sec"] == "2"
        assert tasks[1]["status"] == "Complete"
        assert tasks[0]["task_state"] == "PROGRESS"
        assert json.loads(tasks[1]["task_input"])["email_id"] == older.task_input["email_id"]

    def test_learner_is_refused(self, client, users):
        client.force_authenticate(users["learner"])

        assert client.post(TASKS).status_code == 403


class TestListEmailContent:
    def test_each_email_with_targets_counts_and_due_time(self, staff, users, course_key):
        sent, _ = make_email(
            course_key,
            users["instructor"],
            subject="Sent",
            targets=["learners", "cohort:Blue", "track:verified", "staff", "myself"],
            output={"sent": 10, "failed": 1},
        )
        later, later_task = make_email(course_key, users["course_staff"], subject="Later", state=InstructorTask.PENDING)
        due = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
        CourseEmailSchedule.objects.create(email=later, task=later_task, due=due)

        emails = staff.post(CONTENT).json()["emails"]

        assert emails[0] == {
            "created": "2031-01-02T03:04:05Z",
            "sent_to": ["All students"],
            "requester": "course_staff",
            "email": {"subject": "Later", "html_message": "<p>Later</p>", "id": str(later.pk)},
            "number_sent": "0 sent",
        }
        assert emails[1]["sent_to"] == [
            "All students",
            "Cohort: Blue",
            "Course mode: verified",
            "Staff and instructors",
            "Myself",
        ]
        assert emails[1]["number_sent"] == "10 sent, 1 failed"
        assert emails[1]["email"]["id"] == str(sent.pk)

    def test_another_courses_emails_stay_out(self, staff, users):
        make_email(CourseKey.from_string("course-v1:TestX+Other+2026"), users["instructor"])

        assert staff.post(CONTENT).json() == {"emails": []}

    @pytest.mark.parametrize("url", [TASKS, CONTENT])
    def test_query_count_does_not_grow_with_the_emails(self, staff, users, course_key, url):
        def queries_with(total: int) -> int:
            missing = total - CourseEmail.objects.count()
            emails = CourseEmail.objects.bulk_create(
                CourseEmail(course_key=course_key, sender=users["instructor"], subject="S", html_message="<p>S</p>")
                for _ in range(missing)
            )
            InstructorTask.objects.bulk_create(
                InstructorTask(
                    course_key=course_key,
                    task_type=BULK_EMAIL_TASK,
                    requester=users["instructor"],
                    task_input={"email_id": email.pk},
                )
                for email in emails
            )
            with CaptureQueriesContext(connection) as queries:
                response = staff.post(url)
            assert len(next(iter(response.json().values()))) == total
            return len(queries)

        assert queries_with(10) == queries_with(1000)
