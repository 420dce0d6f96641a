"""The Open edX entrance exams beyond the contract: the platform's percentage default and feature switch."""

from __future__ import annotations

import pytest
from django.test import override_settings
from opaque_keys.edx.keys import CourseKey
from xmodule.modulestore.django import modulestore

from instructor_plugin.backends.data import EntranceExamData
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:GateX+G1+2026")
EXAM = COURSE.make_usage_key("chapter", "exam")


@pytest.fixture
def learner(db) -> int:
    world = OpenedxWorld()
    world.make_course(COURSE)
    world.make_block(COURSE, EXAM, COURSE.make_usage_key("course", "course"))
    course = modulestore().get_course(COURSE)
    course.entrance_exam_enabled = True
    course.entrance_exam_id = str(EXAM)
    return world.make_user("ann", "ann@example.com", "Ann")


def test_a_whole_number_is_a_percentage(learner):
    """The course field's default, 65, left by a course Studio never saved the exam's score on."""
    assert openedx_backend().entrance_exams.get_entrance_exam(COURSE) == EntranceExamData(
        course_key=COURSE, usage_key=EXAM, minimum_score_pct=0.65
    )


def test_nothing_while_the_feature_is_off(learner):
    exams = openedx_backend().entrance_exams
    exams.allow_skip(COURSE, learner)

    with override_settings(FEATURES={"ENTRANCE_EXAMS": False}):
        assert exams.get_entrance_exam(COURSE) is None
        assert exams.can_skip(COURSE, learner) is False
