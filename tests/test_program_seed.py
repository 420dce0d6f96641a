"""The demo seed's program: ``Demo Program`` with the demo course, learner1 ... learner10 enrolled by external key."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from instructor_plugin import program_enrollments as api
from instructor_plugin.backends.builtin.models import (
    CourseEnrollment,
    ExternalUserKey,
    Program,
    ProgramCourseEnrollment,
    ProgramEnrollment,
    ProgramEnrollmentHistory,
)
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, DEMO_PROGRAM_UUID

pytestmark = pytest.mark.django_db


def seed(learners: int) -> None:
    call_command("seed_demo_course", stdout=StringIO(), learners=learners)


def test_the_demo_program_enrolls_the_first_ten_learners_by_external_key():
    seed(12)
    program = api.get_program(DEMO_PROGRAM_UUID)
    assert program.title == "Demo Program"
    assert [str(key) for key in program.course_keys] == [DEMO_COURSE_ID]
    enrollments = api.fetch_program_enrollments(DEMO_PROGRAM_UUID)
    assert [(e.external_user_key, e.user.username, e.status) for e in enrollments] == [
        (f"ext-learner{n}", f"learner{n}", "enrolled") for n in range(1, 11)
    ]
    active = api.fetch_program_course_enrollments(DEMO_PROGRAM_UUID, DEMO_COURSE_ID, active_only=True)
    assert len(active) == 10
    learner = CourseEnrollment.objects.get(user__username="learner3", course_key=program.course_keys[0])
    assert api.get_external_key_by_user_and_course(learner.user_id, DEMO_COURSE_ID) == "ext-learner3"
    assert ProgramEnrollmentHistory.objects.count() == 20


def test_the_demo_program_keeps_the_learners_course_modes():
    """learner1 ... learner10 hold the certificate cases, whose statuses follow their (non-masters) modes."""
    seed(10)
    modes = set(
        CourseEnrollment.objects.filter(user__username__in=[f"learner{n}" for n in range(1, 11)]).values_list(
            "mode", flat=True
        )
    )
    assert "masters" not in modes


def test_reseeding_rebuilds_the_program():
    seed(5)
    seed(5)
    assert Program.objects.count() == 1
    assert ProgramEnrollment.objects.count() == ProgramCourseEnrollment.objects.count() == 5
    assert ExternalUserKey.objects.count() == 5
