"""GET .../enrollments and POST .../enrollments/modify: the Enrollments tab of the MFE."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.mail import DjangoMailService
from instructor_plugin.backends.builtin.models import (
    Course,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    ManualEnrollmentAudit,
)
from tests.conftest import COURSE_ID, enroll, grant, make_user, v2

User = get_user_model()

ENVELOPE_KEYS = {"count", "num_pages", "current_page", "start", "next", "previous", "results", "course_id"}
NOBODY = {"user": False, "enrollment": False, "allowed": False, "auto_enroll": False}
REGISTERED = {**NOBODY, "user": True}
ENROLLED = {**REGISTERED, "enrollment": True}

ENROLLED_SUBJECT = "You have been enrolled in Test Course"
INVITED_SUBJECT = "You have been invited to register for Test Course"
UNENROLLED_SUBJECT = "You have been unenrolled from Test Course"
WITHDRAWN_SUBJECT = "Your invitation to Test Course has been withdrawn"


@pytest.fixture
def as_staff(api_v2_on, client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture
def modify(as_staff):
    """POST enrollments/modify as course staff and return the response."""

    def post(**body):
        return as_staff.post(v2(suffix="/enrollments/modify"), body, format="json")

    return post


@pytest.fixture
def sent_messages(monkeypatch) -> list:
    """Every ``MailMessage`` the built-in mail service sends (and still sends it)."""
    sent = []
    send = DjangoMailService.send

    def recording_send(self, message):
        sent.append(message)
        send(self, message)

    monkeypatch.setattr(DjangoMailService, "send", recording_send)
    return sent


def usernames(body: dict) -> list[str]:
    return [row["username"] for row in body["results"]]


def is_enrolled(user, course_key) -> bool:
    return CourseEnrollment.objects.filter(user=user, course_key=course_key, is_active=True).exists()


class TestEnrollmentList:
    def test_active_enrollments_ordered_by_username(self, as_staff, users, course_key):
        enroll(make_user("aaron", name="Aaron A"), course_key, mode="verified")
        enroll(make_user("zed"), course_key, is_active=False)
        enroll(users["outsider"], CourseKey.from_string("course-v1:TestX+Other+2026"))

        response = as_staff.get(v2(suffix="/enrollments"))

        assert response.status_code == 200
        body = response.json()
        assert set(body) == ENVELOPE_KEYS
        assert body["course_id"] == COURSE_ID
        assert (body["count"], body["num_pages"], body["current_page"], body["start"]) == (3, 1, 1, 0)
        assert body["next"] is None
        assert body["previous"] is None
        assert body["results"] == [
            {
                "username": "aaron",
                "full_name": "Aaron A",
                "email": "aaron@example.com",
                "mode": "verified",
                "is_beta_tester": False,
            },
            {
                "username": "beta_tester",
                "full_name": "Beta_Tester",
                "email": "beta_tester@example.com",
                "mode": "audit",
                "is_beta_tester": True,
            },
            {
                "username": "learner",
                "full_name": "Learner",
                "email": "learner@example.com",
                "mode": "audit",
                "is_beta_tester": False,
            },
        ]

    @pytest.mark.parametrize(
        "search",
        ["MARGARET", "mhamilton@NASA", "Marg", "Hamil", "apollo guidance", "  maggie  "],
        ids=["username", "email", "first_name", "last_name", "profile_name", "padded"],
    )
    def test_search_is_case_insensitive_on_every_name(self, as_staff, users, course_key, search):
        person = make_user("margaret_h", name="Apollo Guidance Lead")
        person.email = "mhamilton@nasa.example"
        person.first_name, person.last_name = "Maggie", "Hamilton"
        person.save()
        enroll(person, course_key)

        response = as_staff.get(v2(suffix="/enrollments"), {"search": search})

        assert response.status_code == 200
        assert usernames(response.json()) == ["margaret_h"]

    def test_search_without_match(self, as_staff, users):
        body = as_staff.get(v2(suffix="/enrollments"), {"search": "nobody-at-all"}).json()

        assert (body["count"], body["results"]) == (0, [])

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("true", ["beta_tester"]), ("false", ["learner"]), ("1", ["beta_tester"]), ("", ["beta_tester", "learner"])],
    )
    def test_beta_tester_filter(self, as_staff, users, value, expected):
        response = as_staff.get(v2(suffix="/enrollments"), {"is_beta_tester": value})

        assert response.status_code == 200
        assert usernames(response.json()) == expected

    def test_beta_role_in_another_course_does_not_count(self, as_staff, users, course_key):
        grant(users["learner"], CourseKey.from_string("course-v1:TestX+Other+2026"), "beta")

        body = as_staff.get(v2(suffix="/enrollments"), {"is_beta_tester": "true"}).json()

        assert usernames(body) == ["beta_tester"]

    def test_invalid_beta_tester_value_is_a_clear_error(self, as_staff, users):
        response = as_staff.get(v2(suffix="/enrollments"), {"is_beta_tester": "maybe"})

        assert response.status_code == 400
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert set(body["field_errors"]) == {"is_beta_tester"}
        assert body["error"] == body["detail"] == body["developer_message"]

    def test_pagination(self, as_staff, users, course_key):
        for n in range(10):
            enroll(make_user(f"student{n:02}"), course_key)

        first = as_staff.get(v2(suffix="/enrollments"), {"page_size": 5}).json()
        second = as_staff.get(v2(suffix="/enrollments"), {"page_size": 5, "page": 2}).json()
        last = as_staff.get(v2(suffix="/enrollments"), {"page_size": 5, "page": 3}).json()

        assert (first["count"], first["num_pages"], first["current_page"], first["start"]) == (12, 3, 1, 0)
        assert usernames(first) == ["beta_tester", "learner", "student00", "student01", "student02"]
        assert first["previous"] is None
        assert "page=2" in first["next"]
        assert (second["current_page"], second["start"]) == (2, 5)
        assert usernames(second) == [f"student0{n}" for n in range(3, 8)]
        assert "page=3" in second["next"]
        assert "page=1" in second["previous"]
        assert usernames(last) == ["student08", "student09"]
        assert last["next"] is None

    def test_default_page_size_is_ten(self, as_staff, users, course_key):
        for n in range(9):
            enroll(make_user(f"student{n}"), course_key)

        body = as_staff.get(v2(suffix="/enrollments")).json()

        assert (body["count"], body["num_pages"], len(body["results"])) == (11, 2, 10)

    def test_page_size_is_capped_at_one_hundred(self, as_staff, users, course_key):
        crowd = User.objects.bulk_create(
            User(username=f"crowd{n:03}", email=f"crowd{n:03}@example.com") for n in range(99)
        )
        CourseEnrollment.objects.bulk_create(CourseEnrollment(user=user, course_key=course_key) for user in crowd)

        body = as_staff.get(v2(suffix="/enrollments"), {"page_size": 500}).json()

        assert (body["count"], body["num_pages"], len(body["results"])) == (101, 2, 100)

    @pytest.mark.parametrize("page", ["3", "0", "abc"])
    def test_page_out_of_range(self, as_staff, users, page):
        response = as_staff.get(v2(suffix="/enrollments"), {"page_size": 1, "page": page})

        assert response.status_code == 404
        assert response.json()["error"] == "Invalid page."

    def test_old_style_course_id(self, api_v2_on, client, db):
        old_key = CourseKey.from_string("TestX/T101/2026")
        Course.objects.create(course_key=old_key, display_name="Old Course")
        staff = make_user("old_staff")
        grant(staff, old_key, "staff")
        enroll(make_user("old_learner"), old_key)
        client.force_authenticate(staff)

        response = client.get(v2("TestX/T101/2026", "/enrollments"))

        assert response.status_code == 200
        assert response.json()["course_id"] == "TestX/T101/2026"
        assert usernames(response.json()) == ["old_learner"]

    @pytest.mark.parametrize(("role", "status"), [("data_researcher", 403), ("learner", 403), ("instructor", 200)])
    def test_permission(self, api_v2_on, client, users, role, status):
        client.force_authenticate(users[role])

        assert client.get(v2(suffix="/enrollments")).status_code == status


class TestEnroll:
    def test_enroll_an_existing_user(self, modify, users, course_key):
        response = modify(identifier=["outsider"], action="enroll")

        assert response.status_code == 200
        assert response.json() == {
            "action": "enroll",
            "auto_enroll": False,
            "results": [
                {
                    "identifier": "outsider",
                    "before": REGISTERED,
                    "after": ENROLLED,
                    "state_transition": "from unenrolled to enrolled",
                }
            ],
        }
        enrollment = CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key)
        assert enrollment.is_active
        assert enrollment.mode == "audit"
        assert not CourseEnrollmentAllowed.objects.exists()

    def test_reenrolling_keeps_the_mode(self, modify, users, course_key):
        CourseEnrollment.objects.filter(user=users["learner"]).update(mode="verified")

        row = modify(identifier=["learner"], action="enroll").json()["results"][0]

        assert (row["before"], row["after"]) == (ENROLLED, ENROLLED)
        assert row["state_transition"] == "from enrolled to enrolled"
        assert CourseEnrollment.objects.get(user=users["learner"], course_key=course_key).mode == "verified"

    def test_reactivating_keeps_the_mode(self, modify, users, course_key):
        enroll(users["outsider"], course_key, mode="verified", is_active=False)

        row = modify(identifier=["outsider"], action="enroll").json()["results"][0]

        assert row["state_transition"] == "from unenrolled to enrolled"
        enrollment = CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key)
        assert (enrollment.is_active, enrollment.mode) == (True, "verified")

    @pytest.mark.parametrize("auto_enroll", [True, False])
    def test_unknown_email_becomes_allowed_to_enroll(self, modify, users, course_key, auto_enroll):
        response = modify(identifier=["newcomer@example.com"], action="enroll", auto_enroll=auto_enroll)

        body = response.json()
        assert body["auto_enroll"] is auto_enroll
        assert body["results"] == [
            {
                "identifier": "newcomer@example.com",
                "before": NOBODY,
                "after": {**NOBODY, "allowed": True, "auto_enroll": auto_enroll},
                "state_transition": "from unenrolled to allowed to enroll",
            }
        ]
        allowed = CourseEnrollmentAllowed.objects.get(email="newcomer@example.com")
        assert (allowed.course_key, allowed.auto_enroll) == (course_key, auto_enroll)

    def test_allowed_email_of_a_registered_user_gets_enrolled(self, modify, users, course_key):
        CourseEnrollmentAllowed.objects.create(email="outsider@example.com", course_key=course_key)

        row = modify(identifier=["outsider"], action="enroll").json()["results"][0]

        assert row["before"] == {**REGISTERED, "allowed": True}
        assert row["state_transition"] == "from allowed to enroll to enrolled"
        assert is_enrolled(users["outsider"], course_key)

    def test_inactive_user_is_allowed_not_enrolled(self, modify, course_key):
        sleeper = make_user("sleeper", is_active=False)

        row = modify(identifier=["sleeper"], action="enroll").json()["results"][0]

        assert row["before"] == REGISTERED
        assert row["after"] == {**REGISTERED, "allowed": True}
        assert row["state_transition"] == "from unenrolled to allowed to enroll"
        assert not CourseEnrollment.objects.filter(user=sleeper).exists()
        assert CourseEnrollmentAllowed.objects.filter(email="sleeper@example.com", course_key=course_key).exists()

    def test_mixed_case_email_matches_the_existing_user(self, modify, users, course_key):
        row = modify(identifier=["OutSider@Example.COM"], action="enroll").json()["results"][0]

        assert row["identifier"] == "OutSider@Example.COM"
        assert row["after"] == ENROLLED
        assert is_enrolled(users["outsider"], course_key)
        assert not CourseEnrollmentAllowed.objects.exists()
        assert ManualEnrollmentAudit.objects.get().enrolled_email == "outsider@example.com"

    def test_invalid_identifier_is_a_row(self, modify, users):
        row = modify(identifier=["no such person"], action="enroll").json()["results"][0]

        assert row["identifier"] == "no such person"
        assert row["invalid_identifier"] is True
        assert row["error_message"]
        assert "before" not in row
        assert not CourseEnrollmentAllowed.objects.exists()
        assert not ManualEnrollmentAudit.objects.exists()

    def test_ambiguous_identifier_is_an_error_row(self, modify, users, course_key):
        impostor = make_user("impostor")
        impostor.username = "outsider@example.com"
        impostor.save()

        row = modify(identifier=["outsider@example.com"], action="enroll").json()["results"][0]

        assert row["error"] is True
        assert row["error_message"]
        assert "before" not in row
        assert not CourseEnrollment.objects.filter(user__in=[impostor, users["outsider"]]).exists()
        assert not CourseEnrollmentAllowed.objects.exists()

    def test_one_bad_identifier_does_not_stop_the_others(self, modify, users, course_key):
        body = modify(identifier=["not-a-user", "outsider", "fresh@example.com"], action="enroll").json()

        assert [row["identifier"] for row in body["results"]] == ["not-a-user", "outsider", "fresh@example.com"]
        assert body["results"][0]["invalid_identifier"] is True
        assert body["results"][1]["after"] == ENROLLED
        assert body["results"][2]["after"]["allowed"] is True
        assert is_enrolled(users["outsider"], course_key)
        assert CourseEnrollmentAllowed.objects.filter(email="fresh@example.com").exists()

    def test_audit_row_per_success(self, modify, users, course_key):
        modify(identifier=["outsider", "fresh@example.com", "bogus"], action="enroll", reason="<b>Late</b> & sorry")

        audits = ManualEnrollmentAudit.objects.order_by("pk")
        assert [(a.enrolled_email, a.state_transition) for a in audits] == [
            ("outsider@example.com", "from unenrolled to enrolled"),
            ("fresh@example.com", "from unenrolled to allowed to enroll"),
        ]
        for audit in audits:
            assert audit.enrolled_by == users["course_staff"]
            assert audit.course_key == course_key
            assert audit.reason == "<b>Late</b> & sorry"

    def test_audit_reason_defaults_to_empty(self, modify, users):
        modify(identifier=["outsider"], action="enroll")

        assert ManualEnrollmentAudit.objects.get().reason == ""


class TestUnenroll:
    def test_unenroll_an_enrolled_and_allowed_learner(self, modify, users, course_key):
        CourseEnrollmentAllowed.objects.create(email="learner@example.com", course_key=course_key, auto_enroll=True)

        response = modify(identifier=["learner"], action="unenroll")

        assert response.status_code == 200
        assert response.json()["results"] == [
            {
                "identifier": "learner",
                "before": {**ENROLLED, "allowed": True, "auto_enroll": True},
                "after": REGISTERED,
                "state_transition": "from enrolled to unenrolled",
            }
        ]
        enrollment = CourseEnrollment.objects.get(user=users["learner"], course_key=course_key)
        assert enrollment.is_active is False
        assert not CourseEnrollmentAllowed.objects.exists()
        audit = ManualEnrollmentAudit.objects.get()
        assert (audit.enrolled_email, audit.state_transition) == ("learner@example.com", "from enrolled to unenrolled")

    def test_unenroll_an_allowed_email(self, modify, course_key):
        CourseEnrollmentAllowed.objects.create(email="invited@example.com", course_key=course_key)

        row = modify(identifier=["invited@example.com"], action="unenroll").json()["results"][0]

        assert row["before"] == {**NOBODY, "allowed": True}
        assert row["after"] == NOBODY
        assert row["state_transition"] == "from allowed to enroll to unenrolled"
        assert not CourseEnrollmentAllowed.objects.exists()

    def test_unenroll_someone_never_enrolled(self, modify, users):
        row = modify(identifier=["outsider"], action="unenroll").json()["results"][0]

        assert (row["before"], row["after"]) == (REGISTERED, REGISTERED)
        assert row["state_transition"] == "from unenrolled to unenrolled"
        assert ManualEnrollmentAudit.objects.get().state_transition == "from unenrolled to unenrolled"

    def test_other_courses_are_untouched(self, modify, users, course_key):
        other = CourseKey.from_string("course-v1:TestX+Other+2026")
        enroll(users["learner"], other)
        CourseEnrollmentAllowed.objects.create(email="learner@example.com", course_key=other)

        modify(identifier=["learner"], action="unenroll")

        assert is_enrolled(users["learner"], other)
        assert CourseEnrollmentAllowed.objects.filter(course_key=other).exists()


class TestEmails:
    @pytest.mark.parametrize(
        ("identifier", "action", "recipient", "subject"),
        [
            ("outsider", "enroll", "outsider@example.com", ENROLLED_SUBJECT),
            ("Fresh@Example.com", "enroll", "Fresh@Example.com", INVITED_SUBJECT),
            ("learner", "unenroll", "learner@example.com", UNENROLLED_SUBJECT),
        ],
    )
    def test_one_message_per_change(
        self, modify, users, mailoutbox, django_capture_on_commit_callbacks, identifier, action, recipient, subject
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = modify(identifier=[identifier], action=action, email_students=True)

        assert response.status_code == 200
        assert [(m.to, m.subject) for m in mailoutbox] == [([recipient], subject)]

    def test_withdrawn_invitation(self, modify, course_key, mailoutbox, django_capture_on_commit_callbacks):
        CourseEnrollmentAllowed.objects.create(email="invited@example.com", course_key=course_key)

        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["invited@example.com"], action="unenroll", email_students=True)

        assert [(m.to, m.subject) for m in mailoutbox] == [(["invited@example.com"], WITHDRAWN_SUBJECT)]

    def test_unenrolling_an_enrolled_and_allowed_learner_sends_both(
        self, modify, users, course_key, sent_messages, mailoutbox, django_capture_on_commit_callbacks
    ):
        CourseEnrollmentAllowed.objects.create(email="learner@example.com", course_key=course_key)

        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["learner"], action="unenroll", email_students=True)

        assert [m.message_type for m in sent_messages] == ["enrolled_unenroll", "allowed_unenroll"]
        assert [m.subject for m in mailoutbox] == [UNENROLLED_SUBJECT, WITHDRAWN_SUBJECT]

    @pytest.mark.parametrize(
        ("identifier", "action", "message_type"),
        [
            ("outsider", "enroll", "enrolled_enroll"),
            ("new@example.com", "enroll", "allowed_enroll"),
            ("learner", "unenroll", "enrolled_unenroll"),
        ],
    )
    def test_message_types_and_context(
        self, modify, users, sent_messages, django_capture_on_commit_callbacks, identifier, action, message_type
    ):
        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=[identifier], action=action, email_students=True, auto_enroll=True)

        [message] = sent_messages
        assert message.message_type == message_type
        assert message.context["display_name"] == "Test Course"
        assert message.context["course_id"] == COURSE_ID
        assert message.context["email_address"] == message.recipient_email

    def test_enrolled_message_names_the_user(self, modify, users, sent_messages, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["outsider"], action="enroll", email_students=True)

        [message] = sent_messages
        assert message.recipient_user_id == users["outsider"].pk
        assert message.context["full_name"] == "Outsider"

    def test_message_in_the_recipient_language(
        self, modify, sent_messages, mailoutbox, django_capture_on_commit_callbacks
    ):
        make_user("hablante", language="es")

        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["hablante"], action="enroll", email_students=True)

        assert [message.language for message in sent_messages] == ["es"]
        assert [m.to for m in mailoutbox] == [["hablante@example.com"]]

    def test_no_email_unless_asked(self, modify, users, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            modify(identifier=["outsider", "new@example.com"], action="enroll")
            modify(identifier=["learner"], action="unenroll", email_students=False)

        assert callbacks == []
        assert mailoutbox == []

    def test_no_email_for_failed_rows(self, modify, users, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            modify(identifier=["not a user"], action="enroll", email_students=True)

        assert mailoutbox == []


class TestValidation:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"identifier": "learner", "action": "enroll"}, "identifier"),
            ({"identifier": [], "action": "enroll"}, "identifier"),
            ({"identifier": [""], "action": "enroll"}, "identifier"),
            ({"identifier": ["x" * 256], "action": "enroll"}, "identifier"),
            ({"identifier": [f"u{n}@example.com" for n in range(50_001)], "action": "enroll"}, "identifier"),
            ({"action": "enroll"}, "identifier"),
            ({"identifier": ["learner"], "action": "delete"}, "action"),
            ({"identifier": ["learner"]}, "action"),
            ({"identifier": ["learner"], "action": "enroll", "email_students": "perhaps"}, "email_students"),
        ],
        ids=["string", "empty", "blank", "too-long", "too-many", "missing", "bad-action", "no-action", "bad-bool"],
    )
    def test_bad_body(self, modify, users, body, field):
        response = modify(**body)

        assert response.status_code == 400
        error = response.json()
        assert error["error_code"] == "validation_error"
        assert field in error["field_errors"]
        assert error["error"] == error["detail"] == error["developer_message"]
        assert not CourseEnrollmentAllowed.objects.exists()
        assert not ManualEnrollmentAudit.objects.exists()

    @pytest.mark.parametrize(("role", "status"), [("data_researcher", 403), ("beta_tester", 403), ("instructor", 200)])
    def test_permission(self, api_v2_on, client, users, course_key, role, status):
        client.force_authenticate(users[role])

        response = client.post(
            v2(suffix="/enrollments/modify"), {"identifier": ["outsider"], "action": "enroll"}, format="json"
        )

        assert response.status_code == status
        assert is_enrolled(users["outsider"], course_key) is (status == 200)

    def test_unknown_course(self, api_v2_on, client, users):
        client.force_authenticate(users["global_staff"])

        response = client.post(
            v2("course-v1:TestX+Nope+2026", "/enrollments/modify"),
            {"identifier": ["outsider"], "action": "enroll"},
            format="json",
        )

        assert response.status_code == 404
        assert not CourseEnrollment.objects.filter(user=users["outsider"]).exists()
