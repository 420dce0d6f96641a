"""POST .../beta_testers/modify: adding and removing beta testers from the Enrollments tab."""

from __future__ import annotations

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.mail import DjangoMailService
from instructor_plugin.backends.builtin.models import CourseAccessRole, CourseEnrollment
from tests.conftest import grant, make_user, v2

ADDED_SUBJECT = "You have been invited to a beta test for Test Course"
REMOVED_SUBJECT = "You have been removed from a beta test for Test Course"


@pytest.fixture
def modify(api_v2_on, client, users):
    """POST beta_testers/modify as the course instructor and return the response."""
    client.force_authenticate(users["instructor"])

    def post(**body):
        return client.post(v2(suffix="/beta_testers/modify"), body, format="json")

    return post


def is_beta(user, course_key) -> bool:
    return CourseAccessRole.objects.filter(user=user, course_key=course_key, role="beta").exists()


def ok_row(identifier: str, *, is_active: bool = True) -> dict:
    return {"identifier": identifier, "error": False, "user_does_not_exist": False, "is_active": is_active}


class TestAdd:
    def test_add(self, modify, users, course_key):
        response = modify(identifier=["learner", "outsider@example.com"], action="add")

        assert response.status_code == 200
        assert response.json() == {"action": "add", "results": [ok_row("learner"), ok_row("outsider@example.com")]}
        assert is_beta(users["learner"], course_key)
        assert is_beta(users["outsider"], course_key)
        role = CourseAccessRole.objects.get(user=users["learner"], role="beta")
        assert role.org == "TestX"

    def test_add_twice_keeps_one_role(self, modify, users, course_key):
        modify(identifier=["beta_tester"], action="add")

        assert CourseAccessRole.objects.filter(user=users["beta_tester"], role="beta").count() == 1

    def test_unknown_user(self, modify, users):
        [row] = modify(identifier=["ghost@example.com"], action="add").json()["results"]

        assert row["identifier"] == "ghost@example.com"
        assert (row["error"], row["user_does_not_exist"], row["is_active"]) == (True, True, None)
        assert row["error_message"]
        assert not CourseAccessRole.objects.filter(role="beta").exclude(user=users["beta_tester"]).exists()

    def test_ambiguous_identifier(self, modify, users, course_key):
        impostor = make_user("impostor")
        impostor.username = "learner@example.com"
        impostor.save()

        [row] = modify(identifier=["learner@example.com"], action="add").json()["results"]

        assert (row["error"], row["user_does_not_exist"], row["is_active"]) == (True, False, None)
        assert not is_beta(users["learner"], course_key)
        assert not is_beta(impostor, course_key)

    def test_inactive_user_is_added_and_flagged(self, modify, course_key):
        sleeper = make_user("sleeper", is_active=False)

        [row] = modify(identifier=["sleeper"], action="add").json()["results"]

        assert row == ok_row("sleeper", is_active=False)
        assert is_beta(sleeper, course_key)

    def test_failures_do_not_stop_the_others(self, modify, users, course_key):
        rows = modify(identifier=["nobody", "outsider"], action="add").json()["results"]

        assert rows[0]["user_does_not_exist"] is True
        assert rows[1] == ok_row("outsider")
        assert is_beta(users["outsider"], course_key)

    def test_auto_enroll_enrolls_the_tester(self, modify, users, course_key):
        modify(identifier=["outsider"], action="add", auto_enroll=True)

        enrollment = CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key)
        assert enrollment.is_active

    def test_auto_enroll_reactivates_and_keeps_the_mode(self, modify, users, course_key):
        CourseEnrollment.objects.create(user=users["outsider"], course_key=course_key, mode="verified", is_active=False)

        modify(identifier=["outsider"], action="add", auto_enroll=True)

        enrollment = CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key)
        assert (enrollment.is_active, enrollment.mode) == (True, "verified")

    def test_no_enrollment_without_auto_enroll(self, modify, users, course_key):
        modify(identifier=["outsider"], action="add")

        assert not CourseEnrollment.objects.filter(user=users["outsider"]).exists()


class TestRemove:
    def test_remove(self, modify, users, course_key):
        other = CourseKey.from_string("course-v1:TestX+Other+2026")
        grant(users["beta_tester"], other, "beta")

        response = modify(identifier=["beta_tester"], action="remove")

        assert response.json() == {"action": "remove", "results": [ok_row("beta_tester")]}
        assert not is_beta(users["beta_tester"], course_key)
        assert is_beta(users["beta_tester"], other)
        assert CourseEnrollment.objects.get(user=users["beta_tester"], course_key=course_key).is_active

    def test_remove_someone_not_a_tester(self, modify, users):
        assert modify(identifier=["learner"], action="remove").json()["results"] == [ok_row("learner")]


class TestEmails:
    @pytest.mark.parametrize(
        ("identifier", "action", "recipient", "subject"),
        [
            ("learner", "add", "learner@example.com", ADDED_SUBJECT),
            ("beta_tester", "remove", "beta_tester@example.com", REMOVED_SUBJECT),
        ],
    )
    def test_message_per_tester(
        self, modify, users, mailoutbox, django_capture_on_commit_callbacks, identifier, action, recipient, subject
    ):
        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=[identifier], action=action, email_students=True)

        assert [(m.to, m.subject) for m in mailoutbox] == [([recipient], subject)]

    @pytest.mark.parametrize("action", ["add", "remove"])
    def test_no_email_unless_asked(self, modify, users, mailoutbox, django_capture_on_commit_callbacks, action):
        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["learner"], action=action)

        assert mailoutbox == []

    def test_no_email_to_an_inactive_user_on_add(self, modify, mailoutbox, django_capture_on_commit_callbacks):
        make_user("sleeper", is_active=False)

        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["sleeper"], action="add", email_students=True)

        assert mailoutbox == []

    def test_message_in_the_tester_language(self, modify, monkeypatch, mailoutbox, django_capture_on_commit_callbacks):
        make_user("hablante", language="es")
        languages = []
        send = DjangoMailService.send

        def recording_send(service, message):
            languages.append(message.language)
            send(service, message)

        monkeypatch.setattr(DjangoMailService, "send", recording_send)

        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["hablante"], action="add", email_students=True)

        assert languages == ["es"]
        assert [m.to for m in mailoutbox] == [["hablante@example.com"]]

    def test_no_email_for_unknown_users(self, modify, users, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["ghost@example.com"], action="add", email_students=True)

        assert mailoutbox == []


class TestRequest:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"identifier": "learner", "action": "add"}, "identifier"),
            ({"identifier": [], "action": "add"}, "identifier"),
            ({"identifier": ["learner"], "action": "enroll"}, "action"),
            ({"identifier": ["learner"]}, "action"),
        ],
    )
    def test_bad_body(self, modify, users, course_key, body, field):
        response = modify(**body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert field in response.json()["field_errors"]
        assert not is_beta(users["learner"], course_key)

    @pytest.mark.parametrize(
        ("role", "status"), [("course_staff", 403), ("data_researcher", 403), ("global_staff", 200)]
    )
    def test_instructors_only(self, api_v2_on, client, users, course_key, role, status):
        client.force_authenticate(users[role])

        response = client.post(
            v2(suffix="/beta_testers/modify"), {"identifier": ["learner"], "action": "add"}, format="json"
        )

        assert response.status_code == status
        assert is_beta(users["learner"], course_key) is (status == 200)
