"""The certificate endpoints: shapes, bad input, per-learner rows, the regeneration task and its history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from instructor_plugin.backends.builtin.models import (
    CertificateAllowlistEntry,
    CertificateGenerationRun,
    CertificateInvalidation,
    Course,
    CourseGrade,
    GeneratedCertificate,
)
from instructor_plugin.models import InstructorTask
from tests.conftest import enroll, make_user, v2

ENVELOPE = {"error", "error_code", "detail", "developer_message"}


def certs(suffix: str = "") -> str:
    return v2(suffix=f"/certificates{suffix}")


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["global_staff"])
    return users["global_staff"]


@pytest.fixture
def learners(course, course_key):
    """Three enrolled learners: a passing verified one with a certificate, a failing one, an auditor."""
    people = {name: make_user(name) for name in ("ann", "ben", "cat")}
    enroll(people["ann"], course_key, "verified")
    enroll(people["ben"], course_key, "verified")
    enroll(people["cat"], course_key, "audit")
    CourseGrade.objects.create(user=people["ann"], course_key=course_key, percent=0.95, passed=True)
    GeneratedCertificate.objects.create(
        user=people["ann"], course_key=course_key, status="downloadable", mode="verified"
    )
    return people


def upload(client, content: bytes, name: str = "exceptions.csv"):
    return client.post(certs("/exceptions/bulk"), {"file": SimpleUploadedFile(name, content)}, format="multipart")


class TestIssued:
    def test_row_shape(self, api_v2_on, staff, client, learners, course_key):
        CertificateAllowlistEntry.objects.create(user=learners["ben"], course_key=course_key, notes="Medical leave")

        response = client.get(certs("/issued"), {"filter": "granted_exceptions", "search": "", "page_size": 25})

        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["num_pages"], body["current_page"]) == (1, 1, 1)
        (row,) = body["results"]
        assert row.pop("exception_granted")
        assert row == {
            "username": "ben",
            "email": "ben@example.com",
            "enrollment_track": "verified",
            "certificate_status": "downloadable",
            "special_case": "exception",
            "exception_notes": "Medical leave",
            "invalidated_by": None,
            "invalidation_date": None,
            "invalidation_note": "",
        }

    def test_invalidated_row(self, api_v2_on, staff, client, learners, course_key):
        CertificateInvalidation.objects.create(
            certificate=GeneratedCertificate.objects.get(user=learners["ann"]), invalidated_by=staff, notes="copied"
        )

        (row,) = client.get(certs("/issued"), {"filter": "invalidated"}).json()["results"]

        assert (row["special_case"], row["invalidated_by"], row["invalidation_note"]) == (
            "invalidated",
            "global_staff@example.com",
            "copied",
        )
        assert row["invalidation_date"]

    def test_search_and_pages(self, api_v2_on, staff, client, learners, course_key):
        for name in ("ben", "cat"):
            GeneratedCertificate.objects.create(user=learners[name], course_key=course_key, status="notpassing")

        page2 = client.get(certs("/issued"), {"page": 2, "page_size": 2}).json()
        searched = client.get(certs("/issued"), {"search": " CAT@ "}).json()

        assert ([row["username"] for row in page2["results"]], page2["count"], page2["num_pages"]) == (["cat"], 3, 2)
        assert [row["username"] for row in searched["results"]] == ["cat"]

    def test_unknown_filter_is_400(self, api_v2_on, staff, client, learners):
        response = client.get(certs("/issued"), {"filter": "everything"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    def test_page_past_the_end_is_404(self, api_v2_on, staff, client, learners):
        response = client.get(certs("/issued"), {"page": 5})

        assert response.status_code == 404
        assert set(response.json()) == ENVELOPE


class TestConfigAndToggle:
    def test_toggle_then_read(self, api_v2_on, staff, client, course, course_key):
        assert client.get(certs("/config")).json() == {"enabled": True}

        response = client.post(certs("/toggle_generation"), {"enabled": False}, format="json")

        assert (response.status_code, response.json()) == (200, {"enabled": False})
        assert Course.objects.get(course_key=course_key).certificate_generation_enabled is False
        assert client.get(certs("/config")).json() == {"enabled": False}

    @pytest.mark.parametrize("body", [{}, {"enabled": "maybe"}, {"enabled": None}])
    def test_toggle_needs_a_boolean(self, api_v2_on, staff, client, course, body):
        response = client.post(certs("/toggle_generation"), body, format="json")

        assert response.status_code == 400
        assert "enabled" in response.json()["field_errors"]

    @pytest.mark.parametrize("form", ["multipart", "urlencoded"])
    def test_a_form_without_enabled_is_refused_and_changes_nothing(self, api_v2_on, staff, client, course, form):
        url = certs("/toggle_generation")
        if form == "multipart":
            response = client.post(url, {"other": "x"}, format="multipart")
        else:
            response = client.post(url, "other=x", content_type="application/x-www-form-urlencoded")

        assert response.status_code == 400
        assert "enabled" in response.json()["field_errors"]
        assert Course.objects.get().certificate_generation_enabled is True

    def test_a_form_may_turn_generation_off(self, api_v2_on, staff, client, course):
        response = client.post(certs("/toggle_generation"), {"enabled": "false"}, format="multipart")

        assert (response.status_code, response.json()) == (200, {"enabled": False})


class TestRegenerate:
    def test_202_runs_the_task_and_records_the_history(
        self, api_v2_on, staff, client, learners, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(certs("/regenerate"), {"student_set": "all"}, format="json")

        assert response.status_code == 202, response.content
        body = response.json()
        assert body["message"] == "Certificate regeneration task has been started"
        assert body["status_url"].endswith(f"/tasks/{body['task_id']}")
        task = InstructorTask.objects.get(task_id=body["task_id"])
        assert task.state == InstructorTask.COMPLETED
        expected = {
            "ann": "downloadable",
            "ben": "notpassing",
            "cat": "audit_notpassing",
            "learner": "audit_notpassing",
            "beta_tester": "audit_notpassing",
        }
        assert dict(task.results.values_list("identifier", "message")) == expected
        assert dict(GeneratedCertificate.objects.values_list("user__username", "status")) == expected
        run = CertificateGenerationRun.objects.get()
        assert (run.is_regeneration, run.candidates, str(run.task_id), run.generated_by) == (
            False,
            "All learners",
            body["task_id"],
            staff,
        )
        history = client.get(certs("/generation_history")).json()
        assert history["count"] == 1
        assert history["results"][0]["task_name"] == "Generated"
        assert history["results"][0]["details"] == "All learners"

    def test_statuses_regenerate_only_those(
        self, api_v2_on, staff, client, learners, course_key, django_capture_on_commit_callbacks
    ):
        GeneratedCertificate.objects.create(
            user=learners["ben"], course_key=course_key, status="error", mode="verified"
        )

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(certs("/regenerate"), {"statuses": ["error"]}, format="json")

        assert response.status_code == 202
        task = InstructorTask.objects.get(task_id=response.json()["task_id"])
        assert list(task.results.values_list("identifier", flat=True)) == ["ben"]
        (entry,) = client.get(certs("/generation_history")).json()["results"]
        assert (entry["task_name"], entry["details"]) == ("Regenerated", "Learners with status: error")

    def test_allowlisted_not_generated(
        self, api_v2_on, staff, client, learners, course_key, django_capture_on_commit_callbacks
    ):
        for name in ("ann", "ben"):
            CertificateAllowlistEntry.objects.create(user=learners[name], course_key=course_key)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(certs("/regenerate"), {"student_set": "allowlisted_not_generated"}, format="json")

        task = InstructorTask.objects.get(task_id=response.json()["task_id"])
        assert list(task.results.values_list("identifier", "message")) == [("ben", "downloadable")]

    def test_a_running_regeneration_is_409(self, api_v2_on, staff, client, learners):
        first = client.post(certs("/regenerate"), {}, format="json")
        second = client.post(certs("/regenerate"), {"student_set": "allowlisted"}, format="json")

        assert first.status_code == 202
        assert second.status_code == 409
        assert second.json()["error_code"] == "task_already_running"
        assert second.json()["task_id"] == first.json()["task_id"]
        assert CertificateGenerationRun.objects.count() == 1

    @pytest.mark.parametrize(
        "body", [{"statuses": ["shiny"]}, {"student_set": "everyone"}, {"statuses": "downloadable"}]
    )
    def test_bad_input_is_400(self, api_v2_on, staff, client, learners, body):
        response = client.post(certs("/regenerate"), body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert not InstructorTask.objects.exists()


class TestExceptions:
    def test_per_learner_rows(self, api_v2_on, staff, client, learners, course_key):
        make_user("outsider2")

        response = client.post(
            certs("/exceptions"), {"learners": ["ben", "outsider2", "ghost", "ben"], "notes": "Late"}, format="json"
        )

        assert response.status_code == 200
        assert response.json() == {
            "success": ["ben"],
            "errors": [
                {"learner": "ghost", "message": "User matching query does not exist."},
                {"learner": "outsider2", "message": "User is not enrolled in this course"},
            ],
        }
        assert CertificateAllowlistEntry.objects.get().notes == "Late"

    @pytest.mark.parametrize(
        "body",
        [{}, {"learners": []}, {"learners": [""]}, {"learners": ["x" * 256]}, {"learners": ["a"], "notes": "n" * 1001}],
    )
    def test_bad_input_is_400(self, api_v2_on, staff, client, learners, body):
        response = client.post(certs("/exceptions"), body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    def test_more_than_1000_learners_is_400(self, api_v2_on, staff, client, learners):
        response = client.post(certs("/exceptions"), {"learners": [f"u{i}" for i in range(1001)]}, format="json")

        assert response.status_code == 400

    def test_delete(self, api_v2_on, staff, client, learners, course_key):
        CertificateAllowlistEntry.objects.create(user=learners["ann"], course_key=course_key)

        response = client.delete(certs("/exceptions"), {"username": "ann@example.com"}, format="json")

        assert (response.status_code, response.json()) == (
            200,
            {"message": "Certificate exception removed successfully"},
        )
        assert not CertificateAllowlistEntry.objects.exists()
        assert GeneratedCertificate.objects.get(user=learners["ann"]).status == "unavailable"

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"username": "ben"}, 404, "certificate_exception_not_found"),
            ({"username": "ghost"}, 404, "learner_not_found"),
            ({}, 400, "validation_error"),
        ],
    )
    def test_delete_errors(self, api_v2_on, staff, client, learners, body, status, code):
        response = client.delete(certs("/exceptions"), body, format="json")

        assert response.status_code == status
        assert response.json()["error_code"] == code

    def test_delete_with_an_ambiguous_identifier_is_400(self, api_v2_on, staff, client, learners):
        other = make_user("other")
        other.email = "ben"
        other.save()

        response = client.delete(certs("/exceptions"), {"username": "ben"}, format="json")

        assert (response.status_code, response.json()["error_code"]) == (400, "ambiguous_identifier")


class TestBulkExceptions:
    def test_rows_with_line_numbers(self, api_v2_on, staff, client, learners, course_key):
        make_user("loner")
        content = '\ufeffusername,notes\nann,Medical\n\nghost,x\nloner\nann,again\nben,"Late, sorry"\n'

        response = upload(client, content.encode())

        assert response.status_code == 200, response.content
        assert response.json() == {
            "success": ["ann", "ben"],
            "errors": [
                {"learner": "ghost", "message": "User matching query does not exist.", "line": 4},
                {"learner": "loner", "message": "User is not enrolled in this course", "line": 5},
            ],
        }
        assert dict(CertificateAllowlistEntry.objects.values_list("user__username", "notes")) == {
            "ann": "again",
            "ben": "Late, sorry",
        }

    def test_every_kind_of_row_gets_its_own_result(self, api_v2_on, staff, client, learners, course_key):
        """Emails in any case, usernames, and each reason a row is refused, from one lookup of the whole file."""
        enroll(make_user("dee"), course_key, "verified")
        enroll(make_user("eve"), course_key, "verified", is_active=False)
        twin = make_user("fay")
        twin.email = "Ben@Example.com"  # "ben@example.com" now names ben by email and fay by email
        twin.save()
        other = make_user("gil")
        other.email = "ann"  # "ann" names ann by username and gil by email
        other.save()
        CertificateAllowlistEntry.objects.create(user=learners["cat"], course_key=course_key, notes="earlier")
        certificate = GeneratedCertificate.objects.create(
            user=make_user("hal"), course_key=course_key, status="downloadable", mode="verified"
        )
        enroll(certificate.user, course_key, "verified")
        CertificateInvalidation.objects.create(certificate=certificate, notes="copied")
        content = "DEE@EXAMPLE.COM,Upper\nann\nben@example.com\neve\ncat,again\nhal\nnobody@example.com\ndee,twice\n"

        response = upload(client, content.encode())

        assert response.status_code == 200, response.content
        assert response.json() == {
            "success": ["DEE@EXAMPLE.COM"],
            "errors": [
                {"learner": "ann", "message": "More than one user matches this identifier.", "line": 2},
                {"learner": "ben@example.com", "message": "More than one user matches this identifier.", "line": 3},
                {"learner": "nobody@example.com", "message": "User matching query does not exist.", "line": 7},
                {"learner": "eve", "message": "User is not enrolled in this course", "line": 4},
                {"learner": "cat", "message": "User already has a certificate exception", "line": 5},
                {"learner": "hal", "message": "User has an active certificate invalidation", "line": 6},
                {"learner": "dee", "message": "User already has a certificate exception", "line": 8},
            ],
        }
        assert dict(CertificateAllowlistEntry.objects.values_list("user__username", "notes")) == {
            "cat": "earlier",
            "dee": "Upper",
        }

    @pytest.mark.parametrize("first_row", ["user,Late", "learner,Late", "user"])
    def test_a_first_row_naming_a_learner_is_not_a_header(
        self, api_v2_on, staff, client, learners, course_key, first_row
    ):
        enroll(make_user("user"), course_key, "audit")  # the users fixture enrolls "learner"

        response = upload(client, f"{first_row}\nann,Medical\n".encode())

        assert response.status_code == 200, response.content
        assert response.json() == {"success": [first_row.split(",")[0], "ann"], "errors": []}
        assert CertificateAllowlistEntry.objects.filter(user__username=first_row.split(",")[0]).exists()

    @pytest.mark.parametrize(
        ("content", "name", "status", "code"),
        [
            (b"ann\n", "exceptions.txt", 400, "invalid_file_type"),
            (b"username,notes\n\n", "e.csv", 400, "empty_csv"),
            (b"", "e.csv", 400, "empty_csv"),
            (b'ann\n"ben"x\n', "e.csv", 400, "malformed_csv"),
            (b"ann\n\xff\n", "e.csv", 400, "malformed_csv"),
        ],
    )
    def test_bad_files(self, api_v2_on, staff, client, learners, content, name, status, code):
        response = upload(client, content, name)

        assert response.status_code == status
        assert response.json()["error_code"] == code
        assert not CertificateAllowlistEntry.objects.exists()

    def test_malformed_names_the_line(self, api_v2_on, staff, client, learners):
        response = upload(client, b'ann\nben\n"cat"x\n')

        assert response.json()["error"].startswith("Error processing CSV file: Line 3:")

    def test_no_file_is_400(self, api_v2_on, staff, client, learners):
        response = client.post(certs("/exceptions/bulk"), {}, format="multipart")

        assert (response.status_code, response.json()["error_code"]) == (400, "file_missing")

    def test_too_large_is_413(self, api_v2_on, staff, client, learners, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES": 10}

        response = upload(client, b"ann,a note longer than ten bytes\n")

        assert response.status_code == 413
        assert set(response.json()) == ENVELOPE
        assert response.json()["error_code"] == "file_too_large"


class TestInvalidations:
    def test_per_learner_rows(self, api_v2_on, staff, client, learners, course_key):
        GeneratedCertificate.objects.create(user=learners["cat"], course_key=course_key, status="unavailable")

        response = client.post(
            certs("/invalidations"), {"learners": ["ann", "ben", "cat", "ghost"], "notes": "Plagiarism"}, format="json"
        )

        assert response.status_code == 200
        assert response.json() == {
            "success": ["ann"],
            "errors": [
                {"learner": "ghost", "message": "User matching query does not exist."},
                {"learner": "ben", "message": "Certificate not found for this user"},
                {"learner": "cat", "message": "Certificate is already invalid"},
            ],
        }
        invalidation = CertificateInvalidation.objects.get()
        assert (invalidation.notes, invalidation.invalidated_by, invalidation.active) == ("Plagiarism", staff, True)
        assert GeneratedCertificate.objects.get(user=learners["ann"]).status == "unavailable"

    def test_invalidating_twice_is_an_error_row(self, api_v2_on, staff, client, learners):
        client.post(certs("/invalidations"), {"learners": ["ann"]}, format="json")

        response = client.post(certs("/invalidations"), {"learners": ["ann"]}, format="json")

        assert response.json()["errors"] == [{"learner": "ann", "message": "Certificate is already invalid"}]

    @pytest.mark.parametrize("body", [{}, {"learners": []}, {"learners": "ann"}])
    def test_bad_input_is_400(self, api_v2_on, staff, client, learners, body):
        assert client.post(certs("/invalidations"), body, format="json").status_code == 400

    def test_removal_regenerates_the_certificate(
        self, api_v2_on, staff, client, learners, django_capture_on_commit_callbacks
    ):
        client.post(certs("/invalidations"), {"learners": ["ann"]}, format="json")

        with django_capture_on_commit_callbacks(execute=True):
            response = client.delete(certs("/invalidations"), {"username": "ann"}, format="json")

        assert response.status_code == 200, response.content
        assert response.json()["message"] == "Certificate invalidation removed successfully"
        task = InstructorTask.objects.get(task_id=response.json()["task_id"])
        assert (task.state, task.scope) == (InstructorTask.COMPLETED, f"learner:{learners['ann'].id}")
        assert CertificateInvalidation.objects.get().active is False
        assert GeneratedCertificate.objects.get(user=learners["ann"]).status == "downloadable"
        assert CertificateGenerationRun.objects.get().candidates == "ann"

    @pytest.mark.parametrize(
        ("username", "code"),
        [
            ("ann", "certificate_invalidation_not_found"),
            ("ben", "certificate_not_found"),
            ("ghost", "learner_not_found"),
        ],
    )
    def test_removal_errors(self, api_v2_on, staff, client, learners, username, code):
        response = client.delete(certs("/invalidations"), {"username": username}, format="json")

        assert (response.status_code, response.json()["error_code"]) == (404, code)
        assert not InstructorTask.objects.exists()
