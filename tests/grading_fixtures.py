"""A graded course for the grading tests: one homework of two problems, one lab of one problem."""

from __future__ import annotations

from dataclasses import dataclass

from instructor_plugin.backends.builtin.models import Block, Course, ProblemState

POLICY = {
    "GRADER": [
        {"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 0.5},
        {"type": "Lab", "min_count": 2, "drop_count": 0, "weight": 0.5},
    ],
    "GRADE_CUTOFFS": {"A": 0.9, "Pass": 0.5},
}


@dataclass
class GradedCourse:
    course: Course
    homework: Block
    q1: Block
    q2: Block
    lab_problem: Block


def add_block(course: Course, parent: Block, block_type: str, block_id: str, name: str, **fields) -> Block:
    return Block.objects.create(
        course=course,
        usage_key=course.course_key.make_usage_key(block_type, block_id),
        block_type=block_type,
        display_name=name,
        parent=parent,
        position=Block.objects.filter(course=course).count(),
        **fields,
    )


def correct_map(correct: int, total: int) -> dict:
    return {
        f"answer_{number}": {"correctness": "correct" if number < correct else "incorrect"} for number in range(total)
    }


def give_state(user, block: Block, *, score: float | None, max_score: float = 2.0, correct: int = 0, attempts=1):
    state = {
        "attempts": attempts,
        "correct_map": correct_map(correct, 2),
        "score_history": [score],
        "correct_map_history": [{}],
        "student_answers_history": [{"answer_0": "42"}],
    }
    return ProblemState.objects.create(
        user=user,
        course_key=block.course.course_key,
        usage_key=block.usage_key,
        attempts=attempts,
        score=score,
        max_score=max_score,
        state=state,
    )


def build_graded_course(course: Course) -> GradedCourse:
    """Give the ``course`` fixture the grading policy and the graded subsections of these tests."""
    course.grading_policy = POLICY
    course.save()
    week = Block.objects.get(course=course, block_type="chapter")
    homework = add_block(course, week, "sequential", "hw1", "Homework 1", graded=True, assignment_type="Homework")
    unit = add_block(course, homework, "vertical", "hw1_unit", "Unit 1")
    q1 = add_block(course, unit, "problem", "q1", "Question 1", graded=True, has_score=True, weight=1.0, max_attempts=3)
    q2 = add_block(course, unit, "problem", "q2", "Question 2", graded=True, has_score=True, weight=3.0)
    lab = add_block(course, week, "sequential", "lab1", "Lab 1", graded=True, assignment_type="Lab")
    lab_problem = add_block(course, lab, "problem", "lab_q", "Lab question", graded=True, has_score=True)
    return GradedCourse(course=course, homework=homework, q1=q1, q2=q2, lab_problem=lab_problem)
