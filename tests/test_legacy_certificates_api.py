"""The legacy certificate endpoints, and the same actions through the v2 certificate endpoints."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from instructor_plugin.backends.builtin.models import (
    CertificateAllowlistEntry,
    CertificateGenerationRun,
    CertificateInvalidation,
    Course,
    GeneratedCertificate,
)
from instructor_plugin.certificates import GENERATE_TASK
from instructor_plugin.models import InstructorTask
from tests.conftest import COURSE_ID, enroll, make_user, v2


def legacy(name: str) -> str:
    return f"/courses/{COURSE_ID}/instructor/api/{name}"


@pytest.fixture
def instructor(client, users):
    client.force_authenticate(users["instructor"])
    return client


@pytest.fixture
def certificate(users, course_key):
    return GeneratedCertificate.objects.create(
        user=users["learner"], course_key=course_key, status="downloadable", mode="verified"
    )


def generation_tasks() -> list[dict]:
    return [task.task_input for task in InstructorTask.objects.filter(task_type=GENERATE_TASK)]


class TestGenerationSwitch:
    @pytest.mark.parametrize(("value", "enabled"), [("true", True), ("false", False), ("", False)])
    def test_sets_the_switch_and_goes_back_to_the_dashboard(self, instructor, course, value, enabled):
        response = instructor.post(legacy("enable_certificate_generation"), {"certificates-enabled": value})

        assert response.status_code == 302
        assert response["Location"] == f"/courses/{COURSE_ID}/instructor#view-certificates"
        course.refresh_from_db()
        assert course.certificate_generation_enabled is enabled

    def test_course_staff_is_refused(self, client, users, course):
        Course.objects.update(certificate_generation_enabled=False)
        client.force_authenticate(users["course_staff"])

        response = client.post(legacy("enable_certificate_generation"), {"certificates-enabled": "true"})

        assert response.status_code == 403
        assert not Course.objects.get().certificate_generation_enabled


class TestGeneration:
    def test_start_generation_queues_it_for_everyone(self, instructor, users):
        body = instructor.post(legacy("start_certificate_generation")).json()

        task = InstructorTask.objects.get(task_type=GENERATE_TASK)
        assert body == {
            "message": "Certificate generation task for all students of this course has been started. "
            'You can view the status of the generation task in the "Pending Tasks" section.',
            "task_id": str(task.task_id),
        }
        assert task.task_input == {"statuses": [], "student_set": "all", "learner_ids": []}
        assert CertificateGenerationRun.objects.get().candidates == "All learners"

    def test_a_running_generation_is_a_400(self, instructor):
        instructor.post(legacy("start_certificate_generation"))

        response = instructor.post(legacy("start_certificate_generation"))

        assert response.status_code == 400
        assert InstructorTask.objects.filter(task_type=GENERATE_TASK).count() == 1

    def test_regeneration_by_status(self, instructor):
        body = instructor.post(
            legacy("start_certificate_regeneration"), {"certificate_statuses": ["notpassing", "error"]}, format="json"
        ).json()

        assert body["success"] is True
        assert body["message"].startswith("Certificate regeneration task has been started.")
        assert generation_tasks() == [{"statuses": ["notpassing", "error"], "student_set": "all", "learner_ids": []}]

    @pytest.mark.parametrize("statuses", [[], ["nonsense"], "downloadable"])
    def test_regeneration_needs_known_statuses(self, instructor, statuses):
        response = instructor.post(
            legacy("start_certificate_regeneration"), {"certificate_statuses": statuses}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["message"] == "Please select certificate statuses from the list only."
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize(("door", "student_set"), [("all", "allowlisted"), ("new", "allowlisted_not_generated")])
    def test_allowlist_generation(self, instructor, door, student_set):
        body = instructor.post(legacy(f"generate_certificate_exceptions/{door}")).json()

        assert body == {"success": True, "message": "Certificate generation started for students on the allowlist."}
        assert generation_tasks()[0]["student_set"] == student_set

    def test_allowlist_generation_needs_all_or_new(self, instructor):
        response = instructor.post(legacy("generate_certificate_exceptions/some"))

        assert response.status_code == 400
        assert response.json()["success"] is False
        assert response.json()["message"] == 'Invalid data, generate_for must be "new" or "all".'
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_regeneration_as_v2(self, api_v2_on, instructor, door):
        if door == "legacy":
            instructor.post(
                legacy("start_certificate_regeneration"), {"certificate_statuses": ["error"]}, format="json"
            )
        else:
            instructor.post(v2(suffix="/certificates/regenerate"), {"statuses": ["error"]}, format="json")

        assert generation_tasks() == [{"statuses": ["error"], "student_set": "all", "learner_ids": []}]
        assert CertificateGenerationRun.objects.get().candidates == "Learners with status: error"


@pytest.mark.parametrize(
    ("legacy_name", "v2_body"),
    [
        ("start_certificate_generation", {"student_set": "all"}),
        ("generate_certificate_exceptions/all", {"student_set": "allowlisted"}),
        ("generate_certificate_exceptions/new", {"student_set": "allowlisted_not_generated"}),
    ],
)
@pytest.mark.parametrize("door", ["legacy", "v2"])
def test_same_generation_as_v2(api_v2_on, instructor, legacy_name, v2_body, door):
    if door == "legacy":
        instructor.post(legacy(legacy_name))
    else:
        instructor.post(v2(suffix="/certificates/regenerate"), v2_body, format="json")

    assert generation_tasks() == [{"statuses": [], "student_set": v2_body["student_set"], "learner_ids": []}]


class TestCertificateTask:
    def test_generate(self, instructor):
        body = instructor.post(legacy("certificate_task/generate")).json()

        assert body["task_id"] == str(InstructorTask.objects.get().task_id)

    def test_regenerate_needs_statuses(self, instructor):
        response = instructor.post(legacy("certificate_task/regenerate"), {}, format="json")

        assert response.status_code == 400
        assert "certificate_statuses" in response.json()["message"]

    def test_toggle_redirects(self, instructor, course):
        Course.objects.update(certificate_generation_enabled=False)

        response = instructor.post(legacy("certificate_task/toggle"), {"certificates-enabled": "true"})

        assert response.status_code == 302
        assert Course.objects.get().certificate_generation_enabled

    def test_an_unknown_action_is_refused(self, instructor):
        assert instructor.post(legacy("certificate_task/explode")).status_code == 403


class TestCertificateException:
    def test_adds_the_learner_to_the_allowlist(self, instructor, users):
        response = instructor.post(
            legacy("certificate_exception_view/"), {"user_name": "learner", "notes": "Medical"}, format="json"
        )

        assert response.status_code == 200
        body = response.json()
        assert body["user_name"] == "learner"
        assert body["user_email"] == "learner@example.com"
        assert body["user_id"] == users["learner"].pk
        assert body["created"]
        assert CertificateAllowlistEntry.objects.get().notes == "Medical"

    def test_by_email(self, instructor):
        instructor.post(legacy("certificate_exception_view/"), {"user_email": "learner@example.com"}, format="json")

        assert CertificateAllowlistEntry.objects.get().user.username == "learner"

    @pytest.mark.parametrize(
        ("learner", "message"),
        [
            ("nobody", "nobody does not exist in the LMS. Please check your spelling and retry."),
            ("outsider", "Student outsider is not enrolled in this course. Please check your spelling and retry."),
            ("beta_tester", "Student (username/email=beta_tester) already in certificate exception list."),
        ],
    )
    def test_refusals(self, instructor, users, course_key, learner, message):
        CertificateAllowlistEntry.objects.create(user=users["beta_tester"], course_key=course_key)

        response = instructor.post(legacy("certificate_exception_view/"), {"user_name": learner}, format="json")

        assert response.status_code == 400
        assert response.json()["success"] is False
        assert response.json()["message"] == message
        assert CertificateAllowlistEntry.objects.count() == 1

    def test_an_invalidated_learner_is_refused(self, instructor, users, certificate):
        CertificateInvalidation.objects.create(certificate=certificate, invalidated_by=users["instructor"])

        response = instructor.post(legacy("certificate_exception_view/"), {"user_name": "learner"}, format="json")

        assert response.status_code == 400
        assert "certificate invalidation list" in response.json()["message"]
        assert not CertificateAllowlistEntry.objects.exists()

    def test_needs_a_learner(self, instructor):
        response = instructor.post(legacy("certificate_exception_view/"), {"notes": "x"}, format="json")

        assert response.status_code == 400
        assert response.json()["success"] is False

    def test_delete_removes_it(self, instructor, users, course_key):
        CertificateAllowlistEntry.objects.create(user=users["learner"], course_key=course_key)

        response = instructor.delete(legacy("certificate_exception_view/"), {"user_name": "learner"}, format="json")

        assert response.status_code == 204
        assert not CertificateAllowlistEntry.objects.exists()

    def test_delete_as_the_legacy_dashboard_sends_it(self, instructor, users, course_key):
        CertificateAllowlistEntry.objects.create(user=users["learner"], course_key=course_key)

        response = instructor.delete(
            legacy("certificate_exception_view/"),
            '{"user_name": "learner", "notes": ""}',
            content_type="application/x-www-form-urlencoded",
        )

        assert response.status_code == 204
        assert not CertificateAllowlistEntry.objects.exists()

    def test_delete_without_an_exception_is_a_400(self, instructor):
        response = instructor.delete(legacy("certificate_exception_view/"), {"user_name": "learner"}, format="json")

        assert response.status_code == 400
        assert response.json()["message"].startswith("Error occurred removing the allowlist entry for student learner")

    def test_course_staff_is_refused(self, client, users):
        client.force_authenticate(users["course_staff"])

        response = client.post(legacy("certificate_exception_view/"), {"user_name": "learner"}, format="json")

        assert response.status_code == 403
        assert not CertificateAllowlistEntry.objects.exists()

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_exception_as_v2(self, api_v2_on, instructor, users, door):
        if door == "legacy":
            instructor.post(
                legacy("certificate_exception_view/"), {"user_name": "learner", "notes": "N"}, format="json"
            )
        else:
            instructor.post(
                v2(suffix="/certificates/exceptions"), {"learners": ["learner"], "notes": "N"}, format="json"
            )

        entry = CertificateAllowlistEntry.objects.get()
        assert (entry.user, entry.notes, entry.created_by) == (users["learner"], "N", users["instructor"])


def bulk(client, content: bytes, name: str = "exceptions.csv"):
    upload = {"students_list": SimpleUploadedFile(name, content)}
    return client.post(legacy("generate_bulk_certificate_exceptions"), upload, format="multipart")


class TestBulkExceptions:
    def test_rows_succeed_or_fail_one_by_one(self, instructor, users, course_key, certificate):
        make_user("stranger")
        CertificateAllowlistEntry.objects.create(user=users["beta_tester"], course_key=course_key)
        content = (
            b"learner,Medical\n"
            b"nobody,x\n"
            b"only-one-cell\n"
            b"\n"
            b"beta_tester,again\n"
            b"stranger,x\n"
            b"a,b,c\n"
            b'=HYPERLINK("http://evil"),x\n'
        )

        body = bulk(instructor, content).json()

        assert body == {
            "general_errors": [],
            "row_errors": {
                "data_format_error": ['user "only-one-cell" in row# 3', 'user "a" in row# 7'],
                "user_not_exist": ['user "nobody" in row# 2', 'user "=HYPERLINK("http://evil")" in row# 8'],
                "user_already_allowlisted": ['user "beta_tester" in row# 5'],
                "user_not_enrolled": ['user "stranger" in row# 6'],
                "user_on_certificate_invalidation_list": [],
            },
            "success": ['user "learner" in row# 1'],
        }
        assert CertificateAllowlistEntry.objects.get(user=users["learner"]).notes == "Medical"

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_allowlist_as_v2(self, api_v2_on, instructor, users, door):
        content = b"beta_tester,Late\nlearner,Medical\n"
        if door == "legacy":
            bulk(instructor, content)
        else:
            upload = {"file": SimpleUploadedFile("e.csv", content)}
            instructor.post(v2(suffix="/certificates/exceptions/bulk"), upload, format="multipart")

        entries = CertificateAllowlistEntry.objects.values_list("user__username", "notes", "created_by__username")
        assert sorted(entries) == [("beta_tester", "Late", "instructor"), ("learner", "Medical", "instructor")]

    def test_formula_looking_notes_are_kept_as_written(self, instructor, users):
        bulk(instructor, b"learner,=SUM(A1:A9)\n")

        assert CertificateAllowlistEntry.objects.get(user=users["learner"]).notes == "=SUM(A1:A9)"

    @pytest.mark.parametrize(
        ("upload", "error"),
        [
            (None, "File is not attached."),
            (
                ("exceptions.txt", b"learner,x\n"),
                "Make sure that the file you upload is in CSV format with no extraneous characters or rows.",
            ),
            (("exceptions.csv", b"\xff\xfe\x00bad"), "Could not read uploaded file."),
        ],
    )
    def test_file_problems_are_general_errors(self, instructor, upload, error):
        files = {"students_list": SimpleUploadedFile(*upload)} if upload else {}

        response = instructor.post(legacy("generate_bulk_certificate_exceptions"), files, format="multipart")

        assert response.status_code == 200
        assert response.json()["general_errors"] == [error]
        assert response.json()["success"] == []
        assert not CertificateAllowlistEntry.objects.exists()

    def test_too_large_a_file_is_not_read(self, instructor, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES": 10}

        body = bulk(instructor, b"learner,a long enough note\n").json()

        assert body["general_errors"] == ["Could not read uploaded file."]
        assert not CertificateAllowlistEntry.objects.exists()


class TestInvalidation:
    def test_invalidates_the_certificate(self, instructor, users, certificate):
        response = instructor.post(
            legacy("certificate_invalidation_view/"), {"user": "learner", "notes": "Plagiarism"}, format="json"
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["user"], body["invalidated_by"], body["notes"]) == ("learner", "instructor", "Plagiarism")
        assert body["created"]
        invalidation = CertificateInvalidation.objects.get()
        assert (invalidation.certificate, invalidation.notes, invalidation.active) == (certificate, "Plagiarism", True)

    @pytest.mark.parametrize(
        ("learner", "message"),
        [
            ("nobody", "nobody does not exist in the LMS. Please check your spelling and retry."),
            ("beta_tester", "The student beta_tester does not have certificate for the course T101."),
        ],
    )
    def test_unknown_learner_or_no_certificate(self, instructor, learner, message):
        response = instructor.post(legacy("certificate_invalidation_view/"), {"user": learner}, format="json")

        assert response.status_code == 400
        assert response.json()["message"].startswith(message)
        assert not CertificateInvalidation.objects.exists()

    def test_an_allowlisted_learner_is_refused(self, instructor, users, course_key, certificate):
        CertificateAllowlistEntry.objects.create(user=users["learner"], course_key=course_key)

        response = instructor.post(legacy("certificate_invalidation_view/"), {"user": "learner"}, format="json")

        assert response.status_code == 400
        assert "appears on the Certificate Exception list" in response.json()["message"]
        assert not CertificateInvalidation.objects.exists()

    def test_twice_is_refused(self, instructor, certificate):
        instructor.post(legacy("certificate_invalidation_view/"), {"user": "learner"}, format="json")

        response = instructor.post(legacy("certificate_invalidation_view/"), {"user": "learner"}, format="json")

        assert response.status_code == 400
        assert response.json()["message"].startswith("Certificate of learner has already been invalidated.")
        assert CertificateInvalidation.objects.count() == 1

    def test_delete_lifts_it_and_regenerates(self, instructor, users, certificate):
        CertificateInvalidation.objects.create(certificate=certificate, invalidated_by=users["instructor"])

        response = instructor.delete(legacy("certificate_invalidation_view/"), {"user": "learner"}, format="json")

        assert response.status_code == 204
        assert not CertificateInvalidation.objects.filter(active=True).exists()
        assert generation_tasks() == [{"statuses": [], "student_set": "all", "learner_ids": [users["learner"].pk]}]

    def test_delete_without_an_invalidation_is_a_400(self, instructor, certificate):
        response = instructor.delete(legacy("certificate_invalidation_view/"), {"user": "learner"}, format="json")

        assert response.status_code == 400
        assert response.json()["message"].startswith("Certificate Invalidation does not exist")

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_invalidation_as_v2(self, api_v2_on, instructor, users, certificate, door):
        if door == "legacy":
            instructor.post(legacy("certificate_invalidation_view/"), {"user": "learner", "notes": "N"}, format="json")
        else:
            instructor.post(
                v2(suffix="/certificates/invalidations"), {"learners": ["learner"], "notes": "N"}, format="json"
            )

        invalidation = CertificateInvalidation.objects.get()
        assert (invalidation.invalidated_by, invalidation.notes) == (users["instructor"], "N")
        certificate.refresh_from_db()
        assert certificate.status == "unavailable"


class TestIssuedCertificates:
    @pytest.fixture
    def issued(self, users, course_key):
        for name in ("a", "b"):
            user = make_user(name)
            enroll(user, course_key, "verified")
            GeneratedCertificate.objects.create(
                user=user, course_key=course_key, status="downloadable", mode="verified"
            )
        GeneratedCertificate.objects.create(
            user=users["learner"], course_key=course_key, status="downloadable", mode="audit"
        )

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_counts_per_type(self, client, users, issued, method):
        client.force_authenticate(users["data_researcher"])

        body = getattr(client, method)(legacy("get_issued_certificates/")).json()

        assert sorted((row["mode"], row["total_issued_certificate"]) for row in body["certificates"]) == [
            ("audit", 1),
            ("verified", 2),
        ]
        assert {row["course_id"] for row in body["certificates"]} == {COURSE_ID}
        assert body["queried_features"] == ["course_id", "mode", "total_issued_certificate", "report_run_date"]
        assert body["feature_names"]["total_issued_certificate"] == "Total Certificates Issued"

    def test_csv(self, client, users, issued):
        client.force_authenticate(users["data_researcher"])

        response = client.get(legacy("get_issued_certificates/") + "?csv=true")

        assert response["Content-Type"] == "text/csv"
        assert 'filename="issued_certificates.csv"' in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["CourseID", "Certificate Type", "Total Certificates Issued", "Date Report Run"]
        assert sorted(row[1:3] for row in rows[1:]) == [["audit", "1"], ["verified", "2"]]

    def test_learner_is_refused(self, client, users):
        client.force_authenticate(users["learner"])

        assert client.get(legacy("get_issued_certificates/")).status_code == 403
