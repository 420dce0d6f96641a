"""The built-in gradebook: computed subsection grades, overrides with history, course grades applying them."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.gradebook import BuiltinGradebookService
from instructor_plugin.backends.builtin.models import CourseGrade
from instructor_plugin.backends.builtin.problem_state import CourseGrader
from instructor_plugin.backends.data import CursorRequest, GradebookFilter
from instructor_plugin.backends.exceptions import BlockNotFound
from tests.conftest import enroll, make_user
from tests.grading_fixtures import build_graded_course, give_state

pytestmark = pytest.mark.django_db
SERVICE = BuiltinGradebookService()


@pytest.fixture
def graded(course):
    return build_graded_course(course)


@pytest.fixture
def learner(course_key):
    user = make_user("ada")
    enroll(user, course_key)
    return user


def test_a_subsection_grade_is_computed_from_weighted_problem_scores(graded, learner, course_key):
    give_state(learner, graded.q1, score=2.0)
    give_state(learner, graded.q2, score=1.0)

    grade = SERVICE.get_subsection_grade(course_key, graded.homework.usage_key, learner.pk)

    assert grade.attempted and grade.override is None
    assert grade.possible_graded == 4.0
    assert grade.earned_graded == pytest.approx(1.0 + 3.0 * 0.5)


def test_an_unattempted_subsection_is_zero_and_a_problem_is_not_a_subsection(graded, learner, course_key):
    grade = SERVICE.get_subsection_grade(course_key, graded.homework.usage_key, learner.pk)

    assert (grade.attempted, grade.earned_graded, grade.possible_graded) == (False, 0.0, 4.0)
    assert SERVICE.get_subsection_grades(course_key, [learner.pk]) == {learner.pk: {}}
    with pytest.raises(BlockNotFound):
        SERVICE.get_subsection_grade(course_key, graded.q1.usage_key, learner.pk)


def test_an_override_keeps_unset_values_records_history_and_regrades_the_course(graded, learner, course_key):
    actor = make_user("teacher")
    give_state(learner, graded.q1, score=0.0)
    CourseGrader.for_course(course_key).save_grades(course_key, [learner.pk])
    assert CourseGrade.objects.get(user=learner).percent == 0.0

    first = SERVICE.override_subsection_grade(
        course_key,
        graded.homework.usage_key,
        learner.pk,
        {"earned_graded_override": 4.0},
        "appeal",
        "GRADEBOOK",
        actor.pk,
    )
    second = SERVICE.override_subsection_grade(
        course_key, graded.homework.usage_key, learner.pk, {"earned_graded_override": 2.0}, "fix", "GRADEBOOK", None
    )

    assert first.override.earned_graded_override == 4.0
    assert first.override.possible_graded_override == 4.0  # kept from the computed grade
    assert second.override.override_reason == "fix"
    assert CourseGrade.objects.get(user=learner).percent == pytest.approx(0.25)
    history = SERVICE.list_override_history(course_key, graded.homework.usage_key, learner.pk)
    assert [(row.history_type, row.history_user, row.earned_graded_override) for row in history] == [
        ("+", "teacher", 4.0),
        ("~", None, 2.0),
    ]
    (newest,) = SERVICE.list_override_history(course_key, graded.homework.usage_key, learner.pk, limit=1)
    assert newest.override_reason == "fix"
    assert SERVICE.list_override_history(course_key, graded.homework.usage_key, learner.pk, limit=0) == []


def test_the_list_is_sliced_by_user_id_both_ways(course, course_key):
    ids = [enroll(make_user(f"l{number}"), course_key).user_id for number in range(5)]

    first = SERVICE.list_gradebook(course_key, GradebookFilter(), CursorRequest(limit=2))
    middle = SERVICE.list_gradebook(course_key, GradebookFilter(), CursorRequest(after=ids[1], limit=2))
    back = SERVICE.list_gradebook(course_key, GradebookFilter(), CursorRequest(before=ids[4], limit=2))

    assert [item.user.id for item in first.items] == ids[:2] and first.has_more
    assert [item.user.id for item in middle.items] == ids[2:4] and middle.has_more
    assert [item.user.id for item in back.items] == ids[2:4] and back.has_more
    assert SERVICE.count_gradebook(course_key, GradebookFilter(user_contains="L3")) == 1
