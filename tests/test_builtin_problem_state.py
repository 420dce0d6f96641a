"""The built-in ProblemStateService: state changes, rescoring, the course grader, and the streams."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.models import CourseGrade, ProblemState
from instructor_plugin.backends.builtin.problem_state import BuiltinProblemStateService, graded_score
from instructor_plugin.backends.data import CourseGradeData
from instructor_plugin.backends.exceptions import StateNotFound
from tests.conftest import enroll, make_user
from tests.grading_fixtures import GradedCourse, build_graded_course, give_state


@pytest.fixture
def graded(course) -> GradedCourse:
    return build_graded_course(course)


service = BuiltinProblemStateService()


@pytest.fixture
def learner(users):
    return users["learner"]


def grade_of(user, course_key) -> CourseGrade:
    return CourseGrade.objects.get(user=user, course_key=course_key)


class TestGradedScore:
    @pytest.mark.parametrize(
        ("correct_map", "expected"),
        [
            ({"a": {"correctness": "correct"}, "b": {"correctness": "incorrect"}}, 1.0),
            ({"a": {"correctness": "correct"}, "b": {"correctness": "correct"}}, 2.0),
            ({}, None),
        ],
    )
    def test_share_of_correct_answers(self, correct_map, expected):
        assert graded_score({"correct_map": correct_map}, 2.0) == expected

    def test_no_maximum_no_score(self):
        assert graded_score({"correct_map": {"a": {"correctness": "correct"}}}, None) is None


class TestStateChanges:
    def test_get_state(self, graded, learner, course_key):
        give_state(learner, graded.q1, score=1.0, attempts=2)

        state = service.get_state(course_key, graded.q1.usage_key, learner.pk)

        assert (state.user_id, state.usage_key, state.attempts, state.score, state.max_score) == (
            learner.pk,
            graded.q1.usage_key,
            2,
            1.0,
            2.0,
        )
        assert service.get_state(course_key, graded.q2.usage_key, learner.pk) is None

    def test_reset_attempts_clears_histories_and_keeps_score(self, graded, learner, course_key):
        give_state(learner, graded.q1, score=1.0, attempts=3)

        state = service.reset_attempts(course_key, graded.q1.usage_key, learner.pk)

        row = ProblemState.objects.get(user=learner, usage_key=graded.q1.usage_key)
        assert (state.attempts, state.score, row.attempts, row.score) == (0, 1.0, 0, 1.0)
        assert row.state["attempts"] == 0
        assert row.state["score_history"] == row.state["correct_map_history"] == []
        assert row.state["student_answers_history"] == []
        assert row.state["correct_map"]

    @pytest.mark.parametrize("method", ["reset_attempts", "delete_state"])
    def test_no_state(self, graded, learner, course_key, method):
        with pytest.raises(StateNotFound):
            getattr(service, method)(course_key, graded.q1.usage_key, learner.pk)

    def test_delete_state_recomputes_the_grade(self, graded, learner, course_key):
        give_state(learner, graded.q1, score=2.0)
        give_state(learner, graded.q2, score=2.0)
        service.override_score(course_key, graded.q2.usage_key, learner.pk, 2.0)
        assert grade_of(learner, course_key).percent == 0.5

        change = service.delete_state(course_key, graded.q2.usage_key, learner.pk)

        assert (change.previous_score, change.new_score, change.max_score) == (2.0, None, 2.0)
        assert not ProblemState.objects.filter(user=learner, usage_key=graded.q2.usage_key).exists()
        assert grade_of(learner, course_key).percent == 0.12  # 0.5 * (1 of 4 homework points)
        assert change.course_grade.percent == 0.12


class TestRescore:
    def test_rescore_from_the_saved_answers(self, graded, learner, course_key):
        give_state(learner, graded.q1, score=0.0, correct=1)

        change = service.rescore(course_key, graded.q1.usage_key, learner.pk, only_if_higher=False)

        assert (change.previous_score, change.new_score) == (0.0, 1.0)
        assert ProblemState.objects.get(user=learner, usage_key=graded.q1.usage_key).score == 1.0
        assert grade_of(learner, course_key).breakdown == {"Homework": 0.125, "Lab": 0.0}

    def test_lower_score_replaces_unless_only_if_higher(self, graded, learner, course_key):
        give_state(learner, graded.q1, score=2.0, correct=1)

        kept = service.rescore(course_key, graded.q1.usage_key, learner.pk, only_if_higher=True)
        lowered = service.rescore(course_key, graded.q1.usage_key, learner.pk, only_if_higher=False)

        assert (kept.previous_score, kept.new_score) == (2.0, 2.0)
        assert (lowered.previous_score, lowered.new_score) == (2.0, 1.0)

    def test_rescore_without_state(self, graded, learner, course_key):
        with pytest.raises(StateNotFound):
            service.rescore(course_key, graded.q1.usage_key, learner.pk, only_if_higher=False)

    def test_rescore_many_in_a_few_queries(self, graded, course_key, django_assert_num_queries):
        learners = [make_user(f"many{number}") for number in range(5)]
        for number, user in enumerate(learners):
            enroll(user, course_key)
            give_state(user, graded.q1, score=0.0, correct=number % 3)
        ids = [user.pk for user in learners]

        # the states; one update per new score (1 and 2); course and blocks; the learners' scores;
        # their overrides; the grades upsert
        with django_assert_num_queries(8):
            changes = service.rescore_many(course_key, graded.q1.usage_key, ids, only_if_higher=False)

        assert [changes[pk].new_score for pk in ids] == [0.0, 1.0, 2.0, 0.0, 1.0]
        assert CourseGrade.objects.filter(course_key=course_key).count() == 3  # the changed ones


class TestOverride:
    def test_override_and_grade(self, graded, learner, course_key):
        give_state(learner, graded.q1, score=2.0)
        give_state(learner, graded.q2, score=1.0)
        give_state(learner, graded.lab_problem, score=0.0)

        change = service.override_score(course_key, graded.lab_problem.usage_key, learner.pk, 2.0)

        # homework (1*1 + 3*0.5)/4 = 0.625; lab [0 (missing), 1] = 0.5; 0.5*0.625 + 0.5*0.5 = 0.5625
        grade = grade_of(learner, course_key)
        assert (change.previous_score, change.new_score) == (0.0, 2.0)
        assert (grade.percent, grade.letter_grade, grade.passed) == (0.56, "Pass", True)
        assert grade.breakdown == {"Homework": 0.625, "Lab": 0.5}
        assert change.course_grade == CourseGradeData(
            user_id=learner.pk, percent=0.56, letter_grade="Pass", passed=True, section_breakdown=grade.breakdown
        )

    @pytest.mark.parametrize("score", [-1.0, 2.5])
    def test_out_of_range(self, graded, learner, course_key, score):
        give_state(learner, graded.q1, score=1.0)

        with pytest.raises(ValueError, match=r"negative|above the problem's maximum of 2"):
            service.override_score(course_key, graded.q1.usage_key, learner.pk, score)
        assert ProblemState.objects.get(user=learner, usage_key=graded.q1.usage_key).score == 1.0


class TestStreams:
    def test_learners_with_state_in_id_order(self, graded, course_key):
        people = [make_user(f"p{number}") for number in range(3)]
        for user in reversed(people):
            give_state(user, graded.q1, score=1.0)
        give_state(people[0], graded.q2, score=1.0)

        assert list(service.iter_learners_with_state(course_key, graded.q1.usage_key)) == [u.pk for u in people]

    def test_course_grades_of_active_learners_with_zero_for_the_ungraded(self, graded, users, course_key):
        learner, beta = users["learner"], users["beta_tester"]
        gone = make_user("gone")
        enroll(gone, course_key, is_active=False)
        give_state(learner, graded.q1, score=1.0)
        service.override_score(course_key, graded.q1.usage_key, learner.pk, 2.0)
        CourseGrade.objects.create(user=gone, course_key=course_key, percent=0.9)

        grades = list(service.iter_course_grades(course_key))

        assert grades == [
            CourseGradeData(
                user_id=learner.pk,
                percent=0.12,
                letter_grade=None,
                passed=False,
                section_breakdown={"Homework": 0.25, "Lab": 0.0},
                username=learner.username,
                email=learner.email,
            ),
            CourseGradeData(
                user_id=beta.pk,
                percent=0.0,
                letter_grade=None,
                passed=False,
                username=beta.username,
                email=beta.email,
            ),
        ]

    def test_problem_states_ordered_and_filtered(self, graded, course_key):
        first, second = make_user("s1"), make_user("s2")
        give_state(second, graded.q1, score=1.0)
        give_state(first, graded.q2, score=2.0)
        give_state(first, graded.q1, score=0.5)

        everything = [(s.user_id, s.usage_key) for s in service.iter_problem_states(course_key)]
        only_q2 = [(s.user_id, s.score) for s in service.iter_problem_states(course_key, [graded.q2.usage_key])]

        assert everything == sorted(everything, key=lambda item: (item[0], str(item[1])))
        assert everything[0][0] == first.pk and len(everything) == 3
        assert only_q2 == [(first.pk, 2.0)]
