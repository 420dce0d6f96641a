"""The Python API behind enrollments/modify: batches with progress, per-identifier rollback, enrollment states."""

from __future__ import annotations

import pytest

from instructor_plugin.api import (
    EmailEnrollmentState,
    process_single_student_enrollment,
    process_student_enrollment_batch,
)
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import CourseEnrollment, CourseEnrollmentAllowed, ManualEnrollmentAudit
from tests.conftest import enroll, make_user


@pytest.fixture
def run_batch(users, course_key):
    """Run a batch as course staff, with the defaults the view uses."""

    def run(identifiers, action="enroll", **options):
        arguments = {"auto_enroll": False, "email_students": False, "reason": "", "secure": True, **options}
        return process_student_enrollment_batch(users["course_staff"], course_key, action, identifiers, **arguments)

    return run


class TestBatch:
    def test_outcome_counts(self, run_batch, users, course_key):
        outcome = run_batch(["outsider", "new@example.com", "not a user"], auto_enroll=True)

        assert outcome["action"] == "enroll"
        assert outcome["auto_enroll"] is True
        assert (outcome["successful_operations"], outcome["failed_operations"], outcome["total_students"]) == (2, 1, 3)
        assert [row["success"] for row in outcome["results"]] == [True, True, False]
        assert [row["identifier"] for row in outcome["results"]] == ["outsider", "new@example.com", "not a user"]
        assert CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key).is_active
        assert CourseEnrollmentAllowed.objects.get(email="new@example.com").auto_enroll is True

    def test_unenroll_batch(self, run_batch, users, course_key):
        outcome = run_batch(["learner", "beta_tester"], action="unenroll", reason="end of pilot")

        assert (outcome["successful_operations"], outcome["failed_operations"]) == (2, 0)
        assert not CourseEnrollment.objects.filter(course_key=course_key, is_active=True).exists()
        assert set(ManualEnrollmentAudit.objects.values_list("enrolled_email", "state_transition", "reason")) == {
            ("learner@example.com", "from enrolled to unenrolled", "end of pilot"),
            ("beta_tester@example.com", "from enrolled to unenrolled", "end of pilot"),
        }

    def test_progress_callback_once_per_identifier(self, run_batch, users):
        calls = []

        def progress(done, total, results):
            calls.append((done, total, [row["identifier"] for row in results]))

        run_batch(["outsider", "bogus", "learner"], progress_callback=progress)

        assert calls == [
            (1, 3, ["outsider"]),
            (2, 3, ["outsider", "bogus"]),
            (3, 3, ["outsider", "bogus", "learner"]),
        ]

    def test_empty_batch(self, run_batch, users):
        calls = []

        outcome = run_batch([], progress_callback=lambda *args: calls.append(args))

        assert (outcome["successful_operations"], outcome["failed_operations"], outcome["total_students"]) == (0, 0, 0)
        assert outcome["results"] == []
        assert calls == []

    def test_failure_rolls_back_that_identifier_only(
        self, run_batch, users, course_key, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
    ):
        victim = make_user("victim")
        record = BuiltinEnrollmentService.record_manual_enrollment

        def failing_record(service, audit):
            if audit.enrolled_email == "victim@example.com":
                raise RuntimeError("audit store unavailable")
            record(service, audit)

        def failing_records(service, audits):
            # The chunk's set write fails, so the chunk is done again one identifier at a time.
            for audit in audits:
                failing_record(service, audit)

        monkeypatch.setattr(BuiltinEnrollmentService, "record_manual_enrollment", failing_record)
        monkeypatch.setattr(BuiltinEnrollmentService, "record_manual_enrollments", failing_records)

        with django_capture_on_commit_callbacks(execute=True):
            outcome = run_batch(["outsider", "victim", "fresh@example.com"], email_students=True)

        failed = outcome["results"][1]
        assert failed["identifier"] == "victim"
        assert (failed["success"], failed["error"]) == (False, True)
        assert failed["error_message"]
        assert (outcome["successful_operations"], outcome["failed_operations"]) == (2, 1)
        assert not CourseEnrollment.objects.filter(user=victim).exists()
        assert CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key).is_active
        assert CourseEnrollmentAllowed.objects.filter(email="fresh@example.com").exists()
        assert sorted(ManualEnrollmentAudit.objects.values_list("enrolled_email", flat=True)) == [
            "fresh@example.com",
            "outsider@example.com",
        ]
        assert sorted(message.to[0] for message in mailoutbox) == ["fresh@example.com", "outsider@example.com"]

    def test_failed_unenroll_keeps_the_enrollment(self, run_batch, users, course_key, monkeypatch):
        def failing_record(service, audit):
            raise RuntimeError("audit store unavailable")

        monkeypatch.setattr(BuiltinEnrollmentService, "record_manual_enrollment", failing_record)
        monkeypatch.setattr(BuiltinEnrollmentService, "record_manual_enrollments", failing_record)
        CourseEnrollmentAllowed.objects.create(email="learner@example.com", course_key=course_key)

        outcome = run_batch(["learner"], action="unenroll")

        assert outcome["failed_operations"] == 1
        assert CourseEnrollment.objects.get(user=users["learner"], course_key=course_key).is_active
        assert CourseEnrollmentAllowed.objects.filter(email="learner@example.com").exists()

    def test_single_enrollment_without_a_request_user(self, users, course_key):
        row = process_single_student_enrollment(
            None,
            course_key,
            "enroll",
            "outsider",
            auto_enroll=False,
            email_students=False,
            reason=None,
            email_params=None,
        )

        assert row == {
            "identifier": "outsider",
            "before": {"user": True, "enrollment": False, "allowed": False, "auto_enroll": False},
            "after": {"user": True, "enrollment": True, "allowed": False, "auto_enroll": False},
            "success": True,
            "state_transition": "from unenrolled to enrolled",
        }
        audit = ManualEnrollmentAudit.objects.get()
        assert (audit.enrolled_by, audit.reason) == (None, "")


class TestEmailEnrollmentState:
    def test_unknown_email(self, course, course_key):
        state = EmailEnrollmentState(course_key, "stranger@example.com")

        assert state.to_dict() == {"user": False, "enrollment": False, "allowed": False, "auto_enroll": False}
        assert (state.user, state.mode, state.full_name) == (None, None, None)

    @pytest.mark.parametrize("auto_enroll", [True, False])
    def test_allowed_email(self, course, course_key, auto_enroll):
        CourseEnrollmentAllowed.objects.create(
            email="invited@example.com", course_key=course_key, auto_enroll=auto_enroll
        )

        state = EmailEnrollmentState(course_key, "Invited@Example.com")

        assert state.to_dict() == {"user": False, "enrollment": False, "allowed": True, "auto_enroll": auto_enroll}

    def test_registered_not_enrolled(self, users, course_key):
        state = EmailEnrollmentState(course_key, "outsider@example.com")

        assert state.to_dict() == {"user": True, "enrollment": False, "allowed": False, "auto_enroll": False}
        assert state.user.username == "outsider"
        assert state.full_name == "Outsider"

    def test_enrolled(self, users, course_key):
        CourseEnrollment.objects.filter(user=users["learner"]).update(mode="verified")

        state = EmailEnrollmentState(course_key, "LEARNER@example.com")

        assert state.to_dict() == {"user": True, "enrollment": True, "allowed": False, "auto_enroll": False}
        assert state.mode == "verified"
        assert repr(state) == f"EmailEnrollmentState({state.to_dict()})"

    def test_unenrolled_is_not_enrolled(self, course, course_key):
        enroll(make_user("leaver"), course_key, mode="verified", is_active=False)

        state = EmailEnrollmentState(course_key, "leaver@example.com")

        assert state.to_dict() == {"user": True, "enrollment": False, "allowed": False, "auto_enroll": False}
        assert state.enrollment_record.is_active is False
