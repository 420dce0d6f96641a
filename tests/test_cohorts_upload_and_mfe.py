"""The cohorts CSV upload as a background task, the demo seed's cohorts, and the MFE's Cohorts tab replayed."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, CohortPreassignment, CohortSettings
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID
from instructor_plugin.cohorts import COHORT_CSV_TASK, start_csv_assignment
from instructor_plugin.models import AuditRecord, InstructorTask, Report
from instructor_plugin.reports import open_report
from tests.conftest import COURSE_ID

UPLOAD = f"/api/cohorts/v1/courses/{COURSE_ID}/users"


@pytest.fixture
def staff_client(client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture(autouse=True)
def run_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """Queued tasks run (eagerly) as the request's transaction would commit."""

    def post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    original = APIClient.post
    monkeypatch.setattr(APIClient, "post", post)


@pytest.fixture
def cohorts(course, course_key):
    return {
        name: Cohort.objects.create(course_key=course_key, name=name) for name in ("Blue", '=HYPERLINK("http://evil")')
    }


def upload(client, content: bytes, name: str = "cohorts.csv"):
    return client.post(UPLOAD, {"uploaded-file": SimpleUploadedFile(name, content)}, format="multipart")


def results_csv(task: InstructorTask) -> list[list[str]]:
    report = Report.objects.get(task=task)
    with open_report(report) as file:
        return list(csv.reader(io.StringIO(file.read().decode())))


class TestUpload:
    def test_assigns_rows_and_reports_each_one(self, staff_client, users, cohorts):
        content = (
            b"email,username,cohort\r\n"
            b"learner@example.com,,Blue\r\n"
            b",beta_tester,Blue\r\n"
            b",-nobody,Blue\r\n"
            b"new@example.com,,Blue\r\n"
            b"bad@,,Blue\r\n"
            b",learner,Missing\r\n"
            b",,Blue\r\n"
            b"\r\n"
            b',instructor,"=HYPERLINK(""http://evil"")"\r\n'
        )

        response = upload(staff_client, content)

        assert response.status_code == 204
        task = InstructorTask.objects.get(task_type=COHORT_CSV_TASK)
        assert task.state == InstructorTask.COMPLETED
        assert task.requester == users["course_staff"]
        rows = {r.detail["line"]: (r.identifier, r.succeeded, r.message) for r in task.results.all()}
        assert rows == {
            2: ("learner@example.com", True, "added"),
            3: ("beta_tester", True, "added"),
            4: ("-nobody", False, "Line 4: no such user."),
            5: ("new@example.com", True, "preassigned"),
            6: ("bad@", False, "Line 6: invalid email address."),
            7: ("learner", False, "Line 7: cohort 'Missing' does not exist."),
            8: ("", False, "Line 8: no username or email."),
            10: ("instructor", True, "added"),
        }
        blue = cohorts["Blue"]
        assert set(CohortMembership.objects.filter(cohort=blue).values_list("user__username", flat=True)) == {
            "learner",
            "beta_tester",
        }
        assert CohortPreassignment.objects.get().email == "new@example.com"
        assert AuditRecord.objects.filter(action="cohorts.add_user", task__isnull=True).count() == 3
        assert results_csv(task) == [
            [
                "Cohort Name",
                "Exists",
                "Learners Added",
                "Learners Not Found",
                "Invalid Email Addresses",
                "Preassigned Learners",
            ],
            ["Blue", "True", "2", "'-nobody", "bad@", "new@example.com"],
            ["Missing", "False", "0", "", "", ""],
            ['\'=HYPERLINK("http://evil")', "True", "1", "", "", ""],
        ]

    def test_the_task_records_its_counts_and_report(self, staff_client, users, cohorts):
        upload(staff_client, b"username,cohort\r\nlearner,Blue\r\nnobody,Blue\r\n")

        output = InstructorTask.objects.get().output
        assert (output["succeeded"], output["failed"]) == (1, 1)
        assert output["report_id"] == Report.objects.get(report_type="cohort_results").pk

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"username,email\r\nlearner,\r\n", "The file must contain a 'cohort' column containing cohort names."),
            (
                b"name,cohort\r\nlearner,Blue\r\n",
                "The file must contain a 'username' column, an 'email' column, or both.",
            ),
            (b"", "The file must contain a 'cohort' column containing cohort names."),
            (b"username,cohort\r\n\xff\xfe,Blue\r\n", "Error processing CSV file: Line 2: the file is not UTF-8 text."),
            (b'username,cohort\r\n"learner,Blue\r\n', "Error processing CSV file: Line 2: unexpected end of data"),
        ],
    )
    def test_a_bad_file_is_400_failed_validation(self, staff_client, cohorts, content, message):
        response = upload(staff_client, content)

        assert response.status_code == 400
        assert response.json()["error_code"] == "failed-validation"
        assert response.json()["developer_message"] == message
        assert not InstructorTask.objects.exists()

    def test_a_file_not_named_csv_is_400(self, staff_client, cohorts):
        response = upload(staff_client, b"username,cohort\r\n", name="cohorts.txt")

        assert response.status_code == 400
        assert response.json()["developer_message"] == "The file must end with the extension '.csv'."

    def test_no_file_is_400(self, staff_client, cohorts):
        response = staff_client.post(UPLOAD, {}, format="multipart")

        assert response.status_code == 400
        assert response.json()["error_code"] == "failed-validation"

    def test_a_file_over_the_limit_is_413(self, staff_client, cohorts, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_COHORT_CSV_UPLOAD_BYTES": 20}

        response = upload(staff_client, b"username,cohort\r\nlearner,Blue\r\n")

        assert response.status_code == 413
        assert response.json()["error_code"] == "file_too_large"
        assert not InstructorTask.objects.exists()

    def test_one_upload_runs_at_a_time_per_course(self, staff_client, cohorts, course_key):
        running = start_csv_assignment(course_key, [], None)

        response = upload(staff_client, b"username,cohort\r\nlearner,Blue\r\n")

        assert response.status_code == 409
        assert response.json()["task_id"] == str(running.task_id)
        assert not CohortMembership.objects.exists()

    def test_the_singular_path_and_a_trailing_slash_are_accepted(self, staff_client, cohorts):
        path = f"/api/cohorts/v1/courses/{COURSE_ID}/user/"
        response = staff_client.post(
            path, {"uploaded-file": SimpleUploadedFile("a.csv", b"username,cohort\r\n")}, format="multipart"
        )

        assert response.status_code == 204


DEMO_KEY = CourseKey.from_string(DEMO_COURSE_ID)


@pytest.fixture
def demo(db):
    call_command("seed_demo_course", learners=6, stdout=io.StringIO())


def test_the_demo_course_is_cohorted_with_two_cohorts(demo):
    assert CohortSettings.objects.get(course_key=DEMO_KEY).is_cohorted
    cohorts = dict(Cohort.objects.filter(course_key=DEMO_KEY).values_list("name", "assignment_type"))
    assert cohorts == {"Blue Team": "manual", "Red Team": "random"}
    assert CohortMembership.objects.filter(course_key=DEMO_KEY).count() == 6


def test_the_mfe_cohorts_tab_lists_creates_and_fills_cohorts(demo, client, django_user_model):
    """The Cohorts tab's requests (J1, J3, J4, J6, J7, J8 of mfe-client.md), and the fields it reads."""
    client.force_authenticate(django_user_model.objects.get(username="course_staff"))
    base = "/api/cohorts/v1"

    settings = client.get(f"{base}/settings/{DEMO_COURSE_ID}")  # J1
    assert settings.status_code == 200
    assert settings.json()["is_cohorted"] is True

    listed = client.get(f"{base}/courses/{DEMO_COURSE_ID}/cohorts/", {"page_size": 100})  # J3
    assert isinstance(listed.json(), list)
    for cohort in listed.json():
        assert {"id", "name", "user_count", "assignment_type", "group_id", "user_partition_id"} <= set(cohort)
    assert [c["user_count"] for c in listed.json()] == [3, 3]

    created = client.post(  # J4, snake-cased JSON
        f"{base}/courses/{DEMO_COURSE_ID}/cohorts/",
        {"name": "Green Team", "assignment_type": "manual", "group_id": None, "user_partition_id": None},
        format="json",
    )
    assert created.status_code == 200
    green = created.json()
    assert green["name"] == "Green Team"

    patched = client.patch(  # J6, no trailing slash
        f"{base}/courses/{DEMO_COURSE_ID}/cohorts/{green['id']}",
        {"name": "Green Squad", "assignment_type": "manual", "group_id": None, "user_partition_id": None},
        format="json",
    )
    assert patched.status_code == 204

    added = client.post(  # J7
        f"{base}/courses/{DEMO_COURSE_ID}/cohorts/{green['id']}/users/",
        {"users": ["learner1", "learner2@example.com", "nobody", "someone@example.org"]},
        format="json",
    )
    body = added.json()
    for key in ("added", "changed", "preassigned", "present", "unknown"):
        assert isinstance(body[key], list), key
    assert [row["username"] for row in body["changed"]] == ["learner1", "learner2"]
    assert body["unknown"] == ["nobody"]
    assert body["preassigned"] == ["someone@example.org"]

    uploaded = client.post(  # J8
        f"{base}/courses/{DEMO_COURSE_ID}/users",
        {"uploaded-file": SimpleUploadedFile("c.csv", b"username,cohort\r\nlearner3,Green Squad\r\n")},
        format="multipart",
    )
    assert uploaded.status_code == 204

    after = {c["name"]: c["user_count"] for c in client.get(f"{base}/courses/{DEMO_COURSE_ID}/cohorts/").json()}
    assert after["Green Squad"] == 3
    assert sum(after.values()) == 6

    off = client.put(f"{base}/settings/{DEMO_COURSE_ID}", {"is_cohorted": False}, format="json")  # J2
    assert off.json()["is_cohorted"] is False
