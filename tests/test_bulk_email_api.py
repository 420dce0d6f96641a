"""The course-email endpoints: POST .../emails (202, 400) and the scheduled bulk-email list, PATCH and DELETE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import Cohort, Course
from instructor_plugin.bulk_email import CANCELLED_MESSAGE, send_course_email, send_due_course_emails
from instructor_plugin.models import CourseEmail, CourseEmailSchedule, InstructorTask
from tests.conftest import COURSE_ID, v2

OTHER_COURSE_ID = "course-v1:TestX+OTHER+2026"


def schedules_url(course_id: str = COURSE_ID, schedule_id: int | None = None) -> str:
    base = f"/api/instructor_task/v1/schedules/{course_id}/bulk_email/"
    return base if schedule_id is None else f"{base}{schedule_id}"


def future(hours: int = 1) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def post_email(client, **overrides):
    body = {"subject": "Week 2", "message": "<p>Hello &amp; welcome</p>", "targets": ["learners"], **overrides}
    return client.post(v2(suffix="/emails"), body, format="json")


@pytest.fixture
def staff_client(api_v2_on, users, client):
    client.force_authenticate(users["course_staff"])
    return client


def scheduled(course_key, sender, hours: int = 1, targets=("learners",)) -> CourseEmailSchedule:
    task = send_course_email(course_key, sender.pk, "Later", "<p>Later</p>", list(targets), future(hours))
    return CourseEmailSchedule.objects.get(task=task)


class TestSend:
    def test_send_now_answers_202_and_mails_every_learner(
        self, staff_client, users, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_email(staff_client, targets=["learners", "myself"])

        assert response.status_code == 202, response.content
        data = response.json()
        assert data["status_url"].endswith(f"/tasks/{data['task_id']}")
        assert (data["status"], data["schedule"]) == ("The email is being sent.", None)
        task = InstructorTask.objects.get(task_id=data["task_id"])
        assert task.state == InstructorTask.COMPLETED, task.error
        assert sorted(m.to[0] for m in mailoutbox) == [
            "beta_tester@example.com",
            "course_staff@example.com",
            "learner@example.com",
        ]
        email = CourseEmail.objects.get(pk=data["email_id"])
        assert (email.html_message, email.text_message) == ("<p>Hello &amp; welcome</p>", "Hello & welcome")
        assert email.sender == users["course_staff"]

    def test_an_aware_schedule_is_converted_to_utc(self, staff_client, mailoutbox):
        local = (timezone.now() + timedelta(days=1)).astimezone(UTC).replace(microsecond=0, tzinfo=None)
        response = post_email(staff_client, schedule=f"{local.isoformat()}+02:00")

        assert response.status_code == 202, response.content
        schedule = CourseEmailSchedule.objects.get()
        assert schedule.due == local.replace(tzinfo=UTC) - timedelta(hours=2)
        assert response.json()["schedule"] == (local - timedelta(hours=2)).isoformat() + "Z"
        assert schedule.task.state == InstructorTask.PENDING
        assert schedule.email.html_message == "<p>Hello &amp; welcome</p>"
        assert mailoutbox == []

    def test_a_naive_schedule_is_utc_and_body_is_accepted_for_message(self, staff_client):
        naive = (timezone.now() + timedelta(days=1)).astimezone(UTC).replace(microsecond=0, tzinfo=None)
        response = staff_client.post(
            v2(suffix="/emails"),
            {"subject": "S", "body": "<p>B</p>", "targets": ["staff"], "schedule": naive.isoformat()},
            format="json",
        )

        assert response.status_code == 202, response.content
        schedule = CourseEmailSchedule.objects.get()
        assert (schedule.due, schedule.email.html_message) == (naive.replace(tzinfo=UTC), "<p>B</p>")

    @pytest.mark.parametrize(
        ("overrides", "code"),
        [
            ({"schedule": "2001-01-01T00:00:00Z"}, "schedule_in_past"),
            ({"targets": ["cohort:Nobody"]}, "unknown_cohort"),
            ({"targets": ["track:honor"]}, "unknown_track"),
            ({"targets": ["everyone"]}, "unknown_target"),
            ({"targets": []}, "no_targets"),
            ({"subject": "x" * 129}, "validation_error"),
            ({"message": ""}, "validation_error"),
            ({"schedule": "tomorrow"}, "validation_error"),
        ],
    )
    def test_bad_input_is_400_and_records_nothing(self, staff_client, overrides, code):
        response = post_email(staff_client, **overrides)

        assert response.status_code == 400, response.content
        assert response.json()["error_code"] == code
        assert not CourseEmail.objects.exists()
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"schedule": "2001-01-01T00:00:00Z"}, "schedule"),
            ({"targets": ["cohort:Nobody"]}, "targets"),
            ({"targets": []}, "targets"),
            ({"subject": "x" * 129}, "subject"),
        ],
    )
    def test_validation_errors_name_their_field(self, staff_client, overrides, field):
        body = post_email(staff_client, **overrides).json()

        assert list(body["field_errors"]) == [field]
        assert body["field_errors"][field][0] in body["error"]

    def test_a_known_cohort_is_accepted(self, staff_client, course_key):
        Cohort.objects.create(course_key=course_key, name="Blue")
        assert post_email(staff_client, targets=["cohort:Blue"], schedule=future().isoformat()).status_code == 202


class TestList:
    def test_lists_only_this_courses_waiting_schedules_in_the_reference_shape(
        self, staff_client, users, course_key, course
    ):
        other_key = CourseKey.from_string(OTHER_COURSE_ID)
        Course.objects.create(course_key=other_key, display_name="Other")
        Cohort.objects.create(course_key=course_key, name="Blue")
        first = scheduled(course_key, users["course_staff"], targets=["learners", "cohort:Blue", "track:verified"])
        cancelled = scheduled(course_key, users["course_staff"])
        CourseEmailSchedule.objects.filter(pk=cancelled.pk).update(state=CourseEmailSchedule.CANCELLED)
        scheduled(other_key, users["course_staff"])

        response = staff_client.get(schedules_url())

        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["count"], data["num_pages"], data["current_page"], data["start"]) == (1, 1, 1, 0)
        (item,) = data["results"]
        assert item == {
            "id": first.pk,
            "task": first.task_id,
            "task_due": first.due.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "course_email": {
                "id": first.email_id,
                "subject": "Later",
                "html_message": "<p>Later</p>",
                "text_message": "Later",
                "course_id": COURSE_ID,
                "to_option": "",
                "sender": "course_staff",
                "targets": ["learners", "cohort-Blue", "track-verified"],
            },
        }

    def test_is_paginated(self, staff_client, users, course_key):
        for _ in range(12):
            scheduled(course_key, users["course_staff"])

        page2 = staff_client.get(schedules_url(), {"page": 2}).json()

        assert (page2["count"], page2["num_pages"], len(page2["results"])) == (12, 2, 2)
        assert staff_client.get(schedules_url(), {"page": 3}).status_code == 404


class TestPatch:
    def test_re_times_and_edits_the_email(self, staff_client, users, course_key):
        schedule = scheduled(course_key, users["course_staff"])
        new_due = future(hours=5)
        body = {
            "schedule": new_due.isoformat(),
            "email": {"id": schedule.email_id, "targets": ["staff"], "subject": "New", "message": "<p>A<br>B</p>"},
        }

        response = staff_client.patch(schedules_url(schedule_id=schedule.pk), body, format="json")

        assert response.status_code == 200, response.content
        assert response.json()["course_email"]["targets"] == ["staff"]
        schedule.refresh_from_db()
        email = schedule.email
        assert schedule.due == new_due
        assert (email.subject, email.html_message, email.text_message) == ("New", "<p>A<br>B</p>", "A\nB")
        assert schedule.task.task_input["targets"] == ["staff"]

    def test_time_only_with_an_offset_is_converted(self, staff_client, users, course_key):
        schedule = scheduled(course_key, users["course_staff"])
        local = future(hours=30).astimezone(UTC).replace(tzinfo=None)

        response = staff_client.patch(
            schedules_url(schedule_id=schedule.pk), {"schedule": f"{local.isoformat()}-05:00"}, format="json"
        )

        assert response.status_code == 200, response.content
        schedule.refresh_from_db()
        assert schedule.due == local.replace(tzinfo=UTC) + timedelta(hours=5)

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"schedule": "2001-01-01T00:00:00Z"}, "schedule_in_past"),
            ({"email": {"id": 999999, "targets": ["staff"], "subject": "S", "message": "M"}}, "email_id_mismatch"),
            ({"email": {"id": 0, "targets": ["staff"], "subject": "S", "message": "M"}}, "validation_error"),
            ({"email": {"id": None, "targets": ["cohort:Nobody"], "subject": "S", "message": "M"}}, "unknown_cohort"),
            ({"email": {"id": None, "targets": [], "subject": "S", "message": "M"}}, "no_targets"),
            ({"email": {"id": None, "subject": "S", "message": "M"}}, "validation_error"),
        ],
    )
    def test_bad_input_is_400_and_changes_nothing(self, staff_client, users, course_key, body, code):
        schedule = scheduled(course_key, users["course_staff"])
        if "email" in body and body["email"]["id"] is None:
            body["email"]["id"] = schedule.email_id

        response = staff_client.patch(schedules_url(schedule_id=schedule.pk), body, format="json")

        assert response.status_code == 400, response.content
        assert response.json()["error_code"] == code
        fresh = CourseEmailSchedule.objects.get(pk=schedule.pk)
        assert (fresh.due, fresh.email.targets, fresh.email.subject) == (schedule.due, ["learners"], "Later")

    def test_after_it_was_queued_it_cannot_change(
        self, staff_client, users, course_key, django_capture_on_commit_callbacks
    ):
        schedule = scheduled(course_key, users["course_staff"])
        with django_capture_on_commit_callbacks(execute=True):
            send_due_course_emails(now=schedule.due + timedelta(seconds=1))

        url = schedules_url(schedule_id=schedule.pk)
        response = staff_client.patch(url, {"schedule": future(3).isoformat()}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "schedule_already_processed"
        assert "this task has already been processed" in response.json()["error"]
        assert staff_client.delete(url).status_code == 400

    def test_another_courses_schedule_is_404(self, staff_client, users, course_key):
        other_key = CourseKey.from_string(OTHER_COURSE_ID)
        Course.objects.create(course_key=other_key, display_name="Other")
        other = scheduled(other_key, users["course_staff"])

        response = staff_client.patch(
            schedules_url(schedule_id=other.pk), {"schedule": future(3).isoformat()}, format="json"
        )

        assert response.status_code == 404
        assert response.json()["error_code"] == "schedule_not_found"
        assert staff_client.delete(schedules_url(schedule_id=other.pk)).status_code == 404
        other.refresh_from_db()
        assert (other.state, other.due) == (CourseEmailSchedule.SCHEDULED, other.due)
        assert staff_client.delete(schedules_url(schedule_id=999999)).status_code == 404


class TestDelete:
    def test_cancels_and_the_dispatcher_sends_nothing_later(
        self, staff_client, users, course_key, mailoutbox, django_capture_on_commit_callbacks
    ):
        schedule = scheduled(course_key, users["course_staff"])

        response = staff_client.delete(schedules_url(schedule_id=schedule.pk))

        assert response.status_code == 204
        schedule.refresh_from_db()
        assert schedule.state == CourseEmailSchedule.CANCELLED
        assert (schedule.task.state, schedule.task.error, schedule.task.active_key) == (
            InstructorTask.FAILED,
            CANCELLED_MESSAGE,
            None,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_course_emails(now=schedule.due + timedelta(days=1)) == 0
        assert mailoutbox == []
        assert staff_client.get(schedules_url()).json()["count"] == 0
        assert CourseEmail.objects.filter(pk=schedule.email_id).exists()
