"""POST /courses/{course_id}/instructor/api/get_student_enrollment_status: the legacy call of the Enrollments tab."""

from __future__ import annotations

import pytest
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Course, CourseEnrollmentAllowed
from tests.conftest import COURSE_ID, enroll, grant, make_user

CSRF_SECRET = "a" * 32


def status_url(course_id: str = COURSE_ID) -> str:
    return f"/courses/{course_id}/instructor/api/get_student_enrollment_status"


@pytest.fixture
def ask(client, users):
    """POST the identifier as course staff and return the response."""
    client.force_authenticate(users["course_staff"])

    def post(identifier: str, course_id: str = COURSE_ID):
        return client.post(status_url(course_id), {"unique_student_identifier": identifier}, format="json")

    return post


class TestEnrollmentStatus:
    @pytest.mark.parametrize("identifier", ["learner", "learner@example.com", "LEARNER@example.com"])
    def test_active_names_the_learner_by_username(self, ask, identifier):
        response = ask(identifier)

        assert response.status_code == 200
        assert response.json() == {"enrollment_status": "Enrollment status for learner: active"}

    def test_inactive(self, ask, course_key):
        enroll(make_user("leaver"), course_key, is_active=False)

        assert ask("leaver").json() == {"enrollment_status": "Enrollment status for leaver: inactive"}

    @pytest.mark.parametrize("identifier", ["invited@example.com", "Invited@Example.com"])
    def test_pending(self, ask, course_key, identifier):
        CourseEnrollmentAllowed.objects.create(email="invited@example.com", course_key=course_key)

        assert ask(identifier).json() == {"enrollment_status": f"Enrollment status for {identifier}: pending"}

    def test_pending_for_a_registered_user(self, ask, users, course_key):
        CourseEnrollmentAllowed.objects.create(email="outsider@example.com", course_key=course_key)

        assert ask("outsider").json() == {"enrollment_status": "Enrollment status for outsider: pending"}

    @pytest.mark.parametrize(
        ("identifier", "named"),
        [
            ("outsider", "outsider"),
            ("OUTSIDER@example.com", "outsider"),
            ("nobody", "nobody"),
            ("Nobody@x.org", "Nobody@x.org"),
        ],
    )
    def test_never_enrolled(self, ask, identifier, named):
        assert ask(identifier).json() == {"enrollment_status": f"Enrollment status for {named}: never enrolled"}

    def test_enrollment_in_another_course_does_not_count(self, ask, users):
        enroll(users["outsider"], CourseKey.from_string("course-v1:TestX+Other+2026"))

        assert ask("outsider").json()["enrollment_status"].endswith(": never enrolled")

    def test_old_style_course_id(self, client, db):
        old_key = CourseKey.from_string("TestX/T101/2026")
        Course.objects.create(course_key=old_key, display_name="Old Course")
        staff = make_user("old_staff")
        grant(staff, old_key, "staff")
        enroll(make_user("old_learner"), old_key)
        client.force_authenticate(staff)

        response = client.post(
            status_url("TestX/T101/2026"), {"unique_student_identifier": "old_learner"}, format="json"
        )

        assert response.json() == {"enrollment_status": "Enrollment status for old_learner: active"}


class TestRequest:
    def test_get_is_not_allowed(self, client, users):
        client.force_authenticate(users["course_staff"])

        response = client.get(status_url(), {"unique_student_identifier": "learner"})

        assert response.status_code == 405
        body = response.json()
        assert body["error_code"] == "method_not_allowed"
        assert body["error"] == body["detail"] == body["developer_message"]

    @pytest.mark.parametrize("body", [{}, {"unique_student_identifier": ""}, {"student": "learner"}])
    def test_missing_identifier(self, client, users, body):
        client.force_authenticate(users["course_staff"])

        response = client.post(status_url(), body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "unique_student_identifier" in response.json()["field_errors"]

    def test_form_encoded_body(self, client, users):
        client.force_authenticate(users["course_staff"])

        response = client.post(status_url(), {"unique_student_identifier": "learner"})

        assert response.json() == {"enrollment_status": "Enrollment status for learner: active"}

    @pytest.mark.parametrize(("role", "status"), [("data_researcher", 403), ("learner", 403), ("instructor", 200)])
    def test_permission(self, client, users, role, status):
        client.force_authenticate(users[role])

        response = client.post(status_url(), {"unique_student_identifier": "learner"}, format="json")

        assert response.status_code == status

    def test_anonymous(self, client, users):
        response = client.post(status_url(), {"unique_student_identifier": "learner"}, format="json")

        assert response.status_code == 401

    def test_unknown_course(self, client, users):
        client.force_authenticate(users["global_staff"])

        response = client.post(
            status_url("course-v1:TestX+Nope+2026"), {"unique_student_identifier": "learner"}, format="json"
        )

        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"

    def test_session_requests_need_the_csrf_token(self, users):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="course_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET
        body = {"unique_student_identifier": "learner"}

        refused = session.post(status_url(), body, format="json")
        accepted = session.post(status_url(), body, format="json", HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert accepted.status_code == 200
        assert accepted.json() == {"enrollment_status": "Enrollment status for learner: active"}
