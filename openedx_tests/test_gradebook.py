"""The Open edX gradebook adapter beyond the contract: cohorts, the grades API's persisted rows and summaries."""

from __future__ import annotations

import pytest
from lms.djangoapps.grades.models import PersistentCourseGrade, PersistentSubsectionGradeOverride
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.course_groups.models import CourseUserGroup
from xmodule.modulestore.django import modulestore

from instructor_plugin.backends.data import CursorRequest, GradebookFilter
from instructor_plugin.backends.exceptions import UserNotFound
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:BookX+B1+2026")
OTHER = CourseKey.from_string("course-v1:BookX+B2+2026")
ROOT = COURSE.make_usage_key("course", "course")
CHAPTER = COURSE.make_usage_key("chapter", "c1")
HW = COURSE.make_usage_key("sequential", "hw")


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def world(db):
    world = OpenedxWorld()
    world.make_course(COURSE)
    modulestore().get_course(COURSE).grading_policy = {"GRADER": [{"type": "Homework", "weight": 1.0}]}
    world.make_block(COURSE, CHAPTER, ROOT)
    world.make_graded_subsection(COURSE, HW, CHAPTER, assignment_type="Homework", possible=10.0)
    return world


@pytest.fixture
def learners(backend, world) -> dict[str, int]:
    people = {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob")}
    for user_id in people.values():
        backend.enrollments.enroll(COURSE, user_id, "audit")
    return people


def test_the_cohort_filter_reads_the_course_user_groups_of_the_course(backend, learners):
    cohort = CourseUserGroup.objects.create(name="Red", course_id=COURSE, group_type=CourseUserGroup.COHORT)
    cohort.users.add(learners["ann"])
    elsewhere = CourseUserGroup.objects.create(name="Red", course_id=OTHER, group_type=CourseUserGroup.COHORT)
    elsewhere.users.add(learners["bob"])

    def listed(cohort_id):
        page = backend.gradebook.list_gradebook(COURSE, GradebookFilter(cohort_id=cohort_id), CursorRequest())
        return [learner.user.username for learner in page.items]

    assert listed(cohort.pk) == ["ann"]
    assert listed(elsewhere.pk) == []


def test_an_override_is_written_for_the_gradebook_and_persists_the_course_grade(backend, world, learners):
    world.make_subsection_score(COURSE, HW, learners["ann"], 4.0)

    backend.gradebook.override_subsection_grade(
        COURSE, HW, learners["ann"], {"earned_all_override": 6.0}, "late work", "GRADEBOOK", learners["bob"]
    )

    override = PersistentSubsectionGradeOverride.objects.get(grade__user_id=learners["ann"])
    assert (override.earned_all_override, override.earned_graded_override, override.override_reason) == (
        6.0,
        4.0,
        "late work",
    )
    assert override.history.get().history_user_id == learners["bob"]
    grade = PersistentCourseGrade.objects.get(course_id=COURSE, user_id=learners["ann"])
    assert grade.percent_grade == 0.4


def test_overriding_for_an_unknown_user_is_refused_without_writing(backend, learners):
    with pytest.raises(UserNotFound):
        backend.gradebook.override_subsection_grade(
            COURSE, HW, 999_999, {"earned_all_override": 1.0}, "", "GRADEBOOK", learners["ann"]
        )

    assert not PersistentSubsectionGradeOverride.objects.exists()


def test_the_section_breakdown_is_the_grades_api_summary(backend, world, learners):
    world.make_subsection_score(COURSE, HW, learners["bob"], 7.0)

    page = backend.gradebook.list_graded_enrollments(COURSE, ["bob"], CursorRequest())

    assert [dict(item.breakdown) for item in page.items] == [{"Homework": 0.7}]
