"""The Open edX backend imports and builds where there is no LMS; only using a service needs one."""

from __future__ import annotations

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.data import MailMessage
from instructor_plugin.backends.openedx import openedx_backend
from instructor_plugin.backends.registry import CAPABILITIES

IMPLEMENTED = {
    "courses",
    "users",
    "enrollments",
    "roles",
    "due_dates",
    "special_exams",
    "completion",
    "site_config",
    "mail",
    "embargo",
    "retirement",
    "entrance_exams",
    "enterprise",
    "problem_state",
    "gradebook",
    "certificates",
    "cohorts",
    "programs",
    "open_responses",
}


def test_builds_without_an_lms():
    backend = openedx_backend()

    assert {name for name in CAPABILITIES if backend.provides(name)} == IMPLEMENTED


def test_a_service_call_needs_the_lms():
    with pytest.raises(ModuleNotFoundError, match="xmodule"):
        openedx_backend().courses.get_course(CourseKey.from_string("course-v1:X+Y+Z"))


def test_programs_need_the_lms():
    with pytest.raises(ModuleNotFoundError, match="openedx"):
        openedx_backend().programs.get_program("5a1c6f2e-1111-4aaa-8bbb-000000000001")


def test_mail_needs_edx_ace():
    with pytest.raises(ModuleNotFoundError, match="edx_ace"):
        openedx_backend().mail.send(
            MailMessage(message_type="enrolled_enroll", recipient_email="a@example.com", context={})
        )


def test_open_responses_need_edx_submissions():
    with pytest.raises(ModuleNotFoundError, match="submissions"):
        list(openedx_backend().open_responses.iter_submissions(CourseKey.from_string("course-v1:X+Y+Z")))
