"""The data-download endpoints: listing, generating (202, 400, 409) and the permission-checked download."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.base import ContentFile
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.models import InstructorTask, Report
from instructor_plugin.reports import REPORT_TYPES, store_report
from tests.conftest import v2

OTHER_COURSE_KEY = CourseKey.from_string("course-v1:TestX+OTHER+2026")
#: The test course's chapter: a valid location with nothing to report.
CHAPTER = "block-v1:TestX+T101+2026+type@chapter+block@week1"


def generate(client, report_type: str, body: dict | None = None):
    return client.post(v2(suffix=f"/reports/{report_type}/generate"), body or {}, format="json")


def stored(course_key, report_type: str = "grade", content: bytes = b"a,b\r\n1,2\r\n") -> Report:
    return store_report(course_key, report_type, ContentFile(content))


class TestGenerate:
    @pytest.mark.parametrize("report_type", sorted(REPORT_TYPES))
    def test_every_type_answers_202_and_makes_its_file(
        self, api_v2_on, users, client, report_type, django_capture_on_commit_callbacks
    ):
        client.force_authenticate(users["global_staff"])
        body = {"problem_location": CHAPTER} if report_type == "problem_responses" else {}

        with django_capture_on_commit_callbacks(execute=True):
            response = generate(client, report_type, body)

        assert response.status_code == 202, response.content
        data = response.json()
        assert data["status"] == REPORT_TYPES[report_type]
        assert data["status_url"].endswith(f"/tasks/{data['task_id']}")
        task = InstructorTask.objects.get(task_id=data["task_id"])
        assert task.state == InstructorTask.COMPLETED, task.error
        report = Report.objects.get(task=task)
        assert (report.report_type, report.created_by) == (report_type, users["global_staff"])

    def test_unknown_type_is_400_after_the_permission_check(self, api_v2_on, users, client):
        client.force_authenticate(users["learner"])
        assert generate(client, "cohort_results").status_code == 403

        client.force_authenticate(users["data_researcher"])
        response = generate(client, "cohort_results")

        assert response.status_code == 400
        assert response.json()["error"] == "Invalid report type: cohort_results"
        assert response.json()["error_code"] == "invalid_report_type"

    def test_duplicate_running_type_is_409_naming_the_running_task(self, api_v2_on, users, client):
        client.force_authenticate(users["data_researcher"])
        first = generate(client, "grade")

        second = generate(client, "grade")

        assert first.status_code == 202
        assert second.status_code == 409
        body = second.json()
        assert body["task_id"] == first.json()["task_id"]
        assert body["status_url"] == first.json()["status_url"]
        assert body["error"] == "A report generation task is already running. Please wait for it to complete."
        assert generate(client, "problem_grade").status_code == 202

    def test_invalid_additional_profile_attributes_is_400(self, api_v2_on, users, client, settings):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "SITE_CONFIGURATION": {"orgs": {"TestX": {"additional_student_profile_attributes": ["shoe_size"]}}},
        }
        client.force_authenticate(users["data_researcher"])

        response = generate(client, "enrolled_students")

        assert response.status_code == 400
        assert response.json()["error"] == "Invalid additional student attributes: shoe_size"
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize(
        ("body", "status", "message"),
        [
            ({}, 400, "Specify Section or Problem block id is required."),
            ({"problem_location": "  "}, 400, "Specify Section or Problem block id is required."),
            ({"problem_location": "nonsense"}, 400, "Invalid problem location format."),
            (
                {"problem_location": "block-v1:TestX+T101+2026+type@problem+block@missing"},
                404,
                "The problem location does not exist in this course.",
            ),
        ],
    )
    def test_problem_responses_validation(self, api_v2_on, users, client, body, status, message):
        client.force_authenticate(users["data_researcher"])

        response = generate(client, "problem_responses", body)

        assert response.status_code == status
        assert response.json()["error"] == message
        assert not InstructorTask.objects.exists()

    def test_course_staff_may_generate_issued_certificates_only(self, api_v2_on, users, client):
        client.force_authenticate(users["course_staff"])

        assert generate(client, "issued_certificates").status_code == 202
        assert generate(client, "grade").status_code == 403


class TestListAndDownload:
    def test_list_shape_newest_first(self, api_v2_on, users, client, course_key):
        older = stored(course_key, "grade")
        newer = stored(course_key, "ora2_data")
        stored(OTHER_COURSE_KEY, "grade")
        client.force_authenticate(users["course_staff"])

        response = client.get(v2(suffix="/reports"))

        assert response.status_code == 200
        downloads = response.json()["downloads"]
        assert [row["report_name"] for row in downloads] == [newer.name, older.name]
        first = downloads[0]
        assert set(first) == {"report_name", "report_url", "date_generated", "report_type"}
        assert first["report_type"] == "ora2_data"
        assert first["report_url"] == f"http://testserver{v2(suffix=f'/reports/{newer.pk}/download')}"
        assert first["date_generated"] == newer.created.strftime("%Y-%m-%dT%H:%M:%SZ")

    def test_download_streams_the_file_as_an_attachment(self, api_v2_on, users, client, course_key):
        report = stored(course_key, "grade", b"name\r\n'=1+1\r\n")
        client.force_authenticate(users["data_researcher"])

        response = client.get(v2(suffix=f"/reports/{report.pk}/download"))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv"
        assert response["Content-Disposition"] == f'attachment; filename="{report.name}"'
        body = b"".join(response.streaming_content)
        assert list(csv.reader(io.StringIO(body.decode()))) == [["name"], ["'=1+1"]]

    def test_a_report_of_another_course_is_404(self, api_v2_on, users, client):
        foreign = stored(OTHER_COURSE_KEY)
        client.force_authenticate(users["global_staff"])

        response = client.get(v2(suffix=f"/reports/{foreign.pk}/download"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "report_not_found"

    def test_a_report_whose_file_is_gone_is_404(self, api_v2_on, users, client, course_key, settings):
        report = stored(course_key)
        Report.objects.filter(pk=report.pk).update(storage_path="instructor_reports/gone.csv")
        client.force_authenticate(users["global_staff"])

        response = client.get(v2(suffix=f"/reports/{report.pk}/download"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "report_file_missing"

    @pytest.mark.parametrize("role", ["learner", "beta_tester", "outsider"])
    def test_download_needs_the_enrollment_report_permission(self, api_v2_on, users, client, course_key, role):
        report = stored(course_key)
        client.force_authenticate(users[role])

        assert client.get(v2(suffix=f"/reports/{report.pk}/download")).status_code == 403

    def test_anonymous_download_is_401(self, api_v2_on, users, client, course_key):
        report = stored(course_key)

        assert client.get(v2(suffix=f"/reports/{report.pk}/download")).status_code == 401
