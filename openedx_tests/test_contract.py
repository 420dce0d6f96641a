"""The Open edX backend keeps the backend contract, for every capability it implements."""

from __future__ import annotations

import pytest
from common.djangoapps.student.models import ManualEnrollmentAudit
from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
from edx_toggles.toggles.testutils import override_waffle_switch

from instructor_plugin.backends.contract.suite import (
    COURSE,
    SIBLING,
    CertificateContract,
    CohortContract,
    CompletionContract,
    CourseContract,
    DueDateContract,
    EmbargoContract,
    EnrollmentApiContract,
    EnrollmentContract,
    EnterpriseContract,
    EntranceExamContract,
    GradebookContract,
    MailContract,
    OpenResponseContract,
    OpenResponseFileContract,
    ProblemStateContract,
    ProgramContract,
    RetirementContract,
    RoleContract,
    SiteConfigContract,
    SpecialExamContract,
    UserContract,
)
from instructor_plugin.backends.data import ManualEnrollmentAuditData
from instructor_plugin.backends.registry import get_backend

from .world import OpenedxWorld


class TestOpenedxBackend(
    CourseContract,
    UserContract,
    EnrollmentContract,
    EnrollmentApiContract,
    MailContract,
    RoleContract,
    DueDateContract,
    CompletionContract,
    SiteConfigContract,
    SpecialExamContract,
    EmbargoContract,
    RetirementContract,
    EntranceExamContract,
    EnterpriseContract,
    ProblemStateContract,
    GradebookContract,
    CertificateContract,
    CohortContract,
    ProgramContract,
    OpenResponseContract,
):
    @pytest.fixture
    def backend(self):
        """The backend the settings configure: the Open edX one."""
        return get_backend()

    @pytest.fixture
    def world(self, db):
        # An LMS that tracks completion has this switch on.
        with override_waffle_switch(ENABLE_COMPLETION_TRACKING_SWITCH, active=True):
            yield OpenedxWorld()

    def test_record_manual_enrollments_in_order(self, backend, world):
        """The set form keeps the order; as above, only audits of enrolled emails name the course."""
        world.make_course(COURSE)
        people = [world.make_user(f"person{n}", f"person{n}@example.com", f"Person {n}") for n in range(3)]
        for user_id in people:
            backend.enrollments.enroll(COURSE, user_id, "audit")
        records = [
            ManualEnrollmentAuditData(
                enrolled_by_id=None,
                enrolled_email=f"person{n}@example.com",
                course_key=COURSE,
                state_transition="from unenrolled to enrolled",
                reason="batch",
            )
            for n in (2, 0, 1)
        ]

        backend.enrollments.record_manual_enrollments(records)

        assert [a.enrolled_email for a in world.manual_enrollment_audits(COURSE)] == [
            "person2@example.com",
            "person0@example.com",
            "person1@example.com",
        ]

    def test_record_manual_enrollment(self, backend, world):
        """
        Where the LMS differs from the contract: its ``ManualEnrollmentAudit`` names the course only through
        the enrollment, so the audit of an email without an enrollment in the course is kept with none.
        """
        world.make_course(COURSE)
        staff_id = world.make_user("staff", "staff@example.com", "Staff")
        ann = world.make_user("ann", "ann@example.com", "Ann")
        backend.enrollments.enroll(COURSE, ann, "audit")
        enrolled = ManualEnrollmentAuditData(
            enrolled_by_id=staff_id,
            enrolled_email="ANN@example.com",
            course_key=COURSE,
            state_transition="from unenrolled to enrolled",
            reason="late registration",
        )
        allowed = ManualEnrollmentAuditData(
            enrolled_by_id=None,
            enrolled_email="new@example.com",
            course_key=COURSE,
            state_transition="from unenrolled to allowed to enroll",
            reason="",
        )

        backend.enrollments.record_manual_enrollment(enrolled)
        backend.enrollments.record_manual_enrollment(allowed)

        assert [
            (a.enrolled_by_id, a.enrolled_email, a.state_transition) for a in world.manual_enrollment_audits(COURSE)
        ] == [(staff_id, "ANN@example.com", "from unenrolled to enrolled")]
        assert list(
            ManualEnrollmentAudit.objects.filter(enrollment__isnull=True).values_list(
                "enrolled_email", "state_transition"
            )
        ) == [("new@example.com", "from unenrolled to allowed to enroll")]
        assert world.manual_enrollment_audits(SIBLING) == []


class TestOpenedxOpenResponseFiles(OpenResponseFileContract):
    """
    ORA2's files are read over HTTP from the URL its file-upload backend hands out, as the LMS's archive reads
    them: here from a live server of this host, where ``openedx_tests.urls`` serves ORA2's filesystem view.
    """

    @pytest.fixture
    def backend(self):
        return get_backend()

    @pytest.fixture
    def world(self, live_server, settings):
        settings.LMS_ROOT_URL = live_server.url
        return OpenedxWorld()
