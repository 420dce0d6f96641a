"""A course with dated blocks for the due-date tests.

week1 (chapter)
  hw1 (sequential, due HW1_DUE)
    hw1_unit (vertical)
      hw1_q1 (problem, due HW1_Q1_DUE: later than its subsection)
      hw1_q2 (problem)
  lesson (sequential, no date)
    lesson_unit (vertical, due LESSON_UNIT_DUE)
  hw2 (sequential, due HW2_DUE)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from instructor_plugin.backends.builtin.models import Block, Course
from tests.grading_fixtures import add_block

HW1_DUE = datetime(2029, 6, 1, 12, 0, tzinfo=UTC)
HW1_Q1_DUE = datetime(2029, 6, 3, 12, 0, tzinfo=UTC)
LESSON_UNIT_DUE = datetime(2029, 6, 10, 12, 0, tzinfo=UTC)
HW2_DUE = datetime(2029, 7, 1, 12, 0, tzinfo=UTC)


@dataclass
class DatedCourse:
    course: Course
    hw1: Block
    hw1_unit: Block
    hw1_q1: Block
    hw1_q2: Block
    lesson: Block
    lesson_unit: Block
    hw2: Block


def add_dated_blocks(course: Course) -> DatedCourse:
    """The blocks of the module docstring, under the course's ``week1`` chapter."""
    week1 = Block.objects.get(course=course, block_type="chapter")
    hw1 = add_block(course, week1, "sequential", "hw1", "Homework 1", due=HW1_DUE, graded=True)
    hw1_unit = add_block(course, hw1, "vertical", "hw1_unit", "Questions")
    hw1_q1 = add_block(course, hw1_unit, "problem", "hw1_q1", "Question 1", due=HW1_Q1_DUE)
    hw1_q2 = add_block(course, hw1_unit, "problem", "hw1_q2", "Question 2")
    lesson = add_block(course, week1, "sequential", "lesson", "Lesson")
    lesson_unit = add_block(course, lesson, "vertical", "lesson_unit", "", due=LESSON_UNIT_DUE)
    hw2 = add_block(course, week1, "sequential", "hw2", "Homework 2", due=HW2_DUE, graded=True)
    return DatedCourse(course, hw1, hw1_unit, hw1_q1, hw1_q2, lesson, lesson_unit, hw2)
