"""The legacy data-download endpoints (LMS_APIS ``instructor_legacy``), and the same reports through v2."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.instructor_tasks import create_task_record
from instructor_plugin.models import InstructorTask, Report
from instructor_plugin.reports import open_report, report_task_type, store_report
from tests.conftest import COURSE_ID, v2

CSRF_SECRET = "a" * 32
CHAPTER = "block-v1:TestX+T101+2026+type@chapter+block@week1"
PENDING = "To view the status of the report, see Pending Tasks below."

#: Legacy endpoint -> (the report type it queues, its status message).
REQUESTS = {
    "calculate_grades_csv": ("grade", f"The grade report is being created. {PENDING}"),
    "problem_grade_report": ("problem_grade", f"The problem grade report is being created. {PENDING}"),
    "get_students_who_may_enroll": ("pending_enrollments", f"The enrollment report is being created. {PENDING}"),
    "get_enrolled_students_with_inactive_account": (
        "pending_activations",
        f"The inactive enrollment report is being created. {PENDING}",
    ),
    "export_ora2_data": ("ora2_data", f"The ORA data report is being created. {PENDING}"),
    "export_ora2_summary": ("ora2_summary", f"The ORA summary report is being created. {PENDING}"),
    "export_ora2_submission_files": ("ora2_submission_files", "Attachments archive is being created."),
}
NAMES = [*REQUESTS, "get_problem_responses", "list_report_downloads"]


def legacy(name: str) -> str:
    return f"/courses/{COURSE_ID}/instructor/api/{name}"


def body_of(name: str) -> dict:
    return {"problem_location": CHAPTER} if name == "get_problem_responses" else {}


@pytest.fixture
def researcher(client, users):
    client.force_authenticate(users["data_researcher"])
    return client


class TestEveryEndpoint:
    @pytest.mark.parametrize("name", NAMES)
    def test_get_is_not_allowed(self, researcher, name):
        assert researcher.get(legacy(name)).status_code == 405

    @pytest.mark.parametrize("name", NAMES)
    def test_session_callers_send_the_csrf_token(self, users, name):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET

        refused = session.post(legacy(name), body_of(name))
        accepted = session.post(legacy(name), body_of(name), HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert accepted.status_code == 200, accepted.content

    @pytest.mark.parametrize("name", NAMES)
    def test_course_staff_is_refused(self, client, users, name):
        client.force_authenticate(users["course_staff"])

        assert client.post(legacy(name), body_of(name)).status_code == 403
        assert not InstructorTask.objects.exists()


class TestReportRequests:
    @pytest.mark.parametrize("name", REQUESTS)
    def test_queues_the_report_and_says_so(self, researcher, users, name, django_capture_on_commit_callbacks):
        report_type, message = REQUESTS[name]

        with django_capture_on_commit_callbacks(execute=True):
            response = researcher.post(legacy(name))

        assert response.status_code == 200
        assert response.json() == {"status": message}
        task = InstructorTask.objects.get()
        assert (task.task_type, task.state) == (report_task_type(report_type), InstructorTask.COMPLETED)
        assert Report.objects.get(task=task).created_by == users["data_researcher"]

    @pytest.mark.parametrize("name", REQUESTS)
    def test_one_still_running_is_a_400(self, researcher, course_key, name):
        create_task_record(report_task_type(REQUESTS[name][0]), course_key, None, {})

        response = researcher.post(legacy(name))

        assert response.status_code == 400
        assert response.json()["error_code"] == "task_already_running"


class TestGetProblemResponses:
    def test_queues_the_report_with_its_task_id(self, researcher):
        response = researcher.post(legacy("get_problem_responses"), {"problem_location": CHAPTER})

        assert response.status_code == 200
        task = InstructorTask.objects.get()
        assert response.json() == {
            "status": f"The problem responses report is being created. {PENDING}",
            "task_id": str(task.task_id),
        }
        assert task.task_input["problem_location"] == CHAPTER

    @pytest.mark.parametrize(
        ("location", "status", "code"),
        [("", 400, "problem_location_required"), ("broken", 400, "invalid_problem_location")],
    )
    def test_validation(self, researcher, location, status, code):
        response = researcher.post(legacy("get_problem_responses"), {"problem_location": location})

        assert response.status_code == status
        assert response.json()["error_code"] == code
        assert not InstructorTask.objects.exists()


def stored(course_key, report_type: str, name_content: bytes = b"a\r\n") -> Report:
    return store_report(course_key, report_type, ContentFile(name_content))


class TestListReportDownloads:
    def test_newest_first_with_a_link(self, researcher, course_key):
        older = stored(course_key, "grade")
        newer = stored(course_key, "ora2_data")
        stored(CourseKey.from_string("course-v1:TestX+OTHER+2026"), "grade")

        response = researcher.post(legacy("list_report_downloads"))

        assert response.status_code == 200
        url = f"http://testserver{v2(suffix=f'/reports/{newer.pk}/download')}"
        downloads = response.json()["downloads"]
        assert downloads[0] == {"name": newer.name, "url": url, "link": f'<a href="{url}">{newer.name}</a>'}
        assert [row["name"] for row in downloads] == [newer.name, older.name]

    def test_report_name_filter(self, researcher, course_key):
        wanted = stored(course_key, "grade")
        stored(course_key, "ora2_data")

        response = researcher.post(legacy("list_report_downloads"), {"report_name": wanted.name})

        assert [row["name"] for row in response.json()["downloads"]] == [wanted.name]

    def test_same_files_as_v2(self, api_v2_on, researcher, course_key):
        stored(course_key, "grade")
        stored(course_key, "problem_grade")

        legacy_names = [row["name"] for row in researcher.post(legacy("list_report_downloads")).json()["downloads"]]
        v2_names = [row["report_name"] for row in researcher.get(v2(suffix="/reports")).json()["downloads"]]

        assert legacy_names == v2_names


class TestSameReportThroughBothDoors:
    def test_grade_report(self, api_v2_on, researcher, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            researcher.post(legacy("calculate_grades_csv"))
        with django_capture_on_commit_callbacks(execute=True):
            researcher.post(v2(suffix="/reports/grade/generate"), {}, format="json")

        tasks = InstructorTask.objects.all()
        assert [task.task_type for task in tasks] == [report_task_type("grade")] * 2
        bodies = [open_report(Report.objects.get(task=task)).read() for task in tasks]
        assert bodies[0] == bodies[1]
