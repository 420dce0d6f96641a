"""The Open edX problem-state adapter beyond the contract: StudentModule's JSON, the grades API's records, streams."""

from __future__ import annotations

import json

import pytest
from lms.djangoapps.courseware.models import StudentModule
from opaque_keys.edx.keys import CourseKey
from xmodule.modulestore.django import modulestore

from instructor_plugin.backends.openedx import openedx_backend, problem_state

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:GradeX+G1+2026")
ROOT = COURSE.make_usage_key("course", "course")
CHAPTER = COURSE.make_usage_key("chapter", "c1")
PROBLEMS = [COURSE.make_usage_key("problem", f"p{number}") for number in range(3)]
POLICY = {"GRADE_CUTOFFS": {"A": 0.8, "C": 0.5}, "GRADER": [{"type": "Homework", "weight": 1.0}]}


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def world(db):
    world = OpenedxWorld()
    world.make_course(COURSE)
    modulestore().get_course(COURSE).grading_policy = POLICY
    world.make_block(COURSE, CHAPTER, ROOT)
    for usage_key in PROBLEMS:
        world.make_block(COURSE, usage_key, CHAPTER)
    return world


@pytest.fixture
def learners(backend, world) -> list[int]:
    """Three enrolled learners, by id."""
    user_ids = [world.make_user(f"learner{n}", f"learner{n}@example.com", f"Learner {n}") for n in range(3)]
    for user_id in user_ids:
        backend.enrollments.enroll(COURSE, user_id, "audit")
    return user_ids


def make_state(world, usage_key, user_id, score, max_score=10.0, attempts=1):
    world.make_problem_state(
        COURSE, usage_key, user_id, attempts=attempts, score=score, max_score=max_score, state={"seed": 1}
    )


def test_an_unreadable_student_module_state_reads_as_no_attempts(backend, world, learners):
    StudentModule.objects.create(
        course_id=COURSE, module_state_key=PROBLEMS[0], student_id=learners[0], state="{not json", grade=1.0
    )

    state = backend.problem_state.get_state(COURSE, PROBLEMS[0], learners[0])

    assert (state.attempts, state.state, state.score) == (0, {}, 1.0)


def test_reset_attempts_writes_zero_into_the_json_state_and_keeps_the_rest(backend, world, learners):
    make_state(world, PROBLEMS[0], learners[0], 4.0, attempts=5)

    backend.problem_state.reset_attempts(COURSE, PROBLEMS[0], learners[0])

    row = StudentModule.objects.get(module_state_key=PROBLEMS[0], student_id=learners[0])
    assert json.loads(row.state) == {"seed": 1, "attempts": 0}
    assert row.grade == 4.0


def test_a_score_change_returns_the_recomputed_grades_api_course_grade(backend, world, learners):
    make_state(world, PROBLEMS[0], learners[0], 2.0)

    change = backend.problem_state.override_score(COURSE, PROBLEMS[0], learners[0], 9.0)

    assert StudentModule.objects.get(module_state_key=PROBLEMS[0], student_id=learners[0]).grade == 9.0
    grade = change.course_grade
    assert (grade.percent, grade.letter_grade, grade.passed) == (0.9, "A", True)
    assert grade.section_breakdown == {"Homework": 0.9}


def test_deleting_the_state_regrades_without_it(backend, world, learners):
    make_state(world, PROBLEMS[0], learners[0], 9.0)
    make_state(world, PROBLEMS[1], learners[0], 5.0)

    change = backend.problem_state.delete_state(COURSE, PROBLEMS[0], learners[0])

    assert not StudentModule.objects.filter(module_state_key=PROBLEMS[0], student_id=learners[0]).exists()
    assert (change.course_grade.percent, change.course_grade.letter_grade) == (0.5, "C")


def test_course_grades_carry_the_learners_username_and_email_and_skip_the_unenrolled(backend, world, learners):
    make_state(world, PROBLEMS[0], learners[1], 6.0)
    backend.enrollments.unenroll(COURSE, learners[2])

    grades = list(backend.problem_state.iter_course_grades(COURSE))

    assert [(g.user_id, g.username, g.email, g.percent, g.letter_grade) for g in grades] == [
        (learners[0], "learner0", "learner0@example.com", 0.0, None),
        (learners[1], "learner1", "learner1@example.com", 0.6, "C"),
    ]


def test_problem_response_rows_carry_usernames_locations_and_states(backend, world, learners, monkeypatch):
    monkeypatch.setattr(problem_state, "CHUNK", 2)
    for user_id in learners:
        make_state(world, PROBLEMS[0], user_id, 4.0, attempts=2)
    make_state(world, PROBLEMS[1], learners[0], 6.0)

    rows = list(backend.problem_state.iter_problem_response_rows(COURSE, PROBLEMS[:1]))

    assert rows == [
        (f"learner{number}", str(PROBLEMS[0]), 2, 4.0, 10.0, {"seed": 1, "attempts": 2})
        for number in range(len(learners))
    ]


def test_streams_read_past_a_chunk(backend, world, learners, monkeypatch):
    monkeypatch.setattr(problem_state, "CHUNK", 2)
    for user_id in learners:
        for usage_key in PROBLEMS:
            make_state(world, usage_key, user_id, 1.0)

    states = [(s.user_id, s.usage_key) for s in backend.problem_state.iter_problem_states(COURSE)]
    with_state = list(backend.problem_state.iter_learners_with_state(COURSE, PROBLEMS[1]))
    graded = [grade.user_id for grade in backend.problem_state.iter_course_grades(COURSE)]

    assert states == [(user_id, usage_key) for user_id in learners for usage_key in PROBLEMS]
    assert with_state == learners
    assert graded == learners
