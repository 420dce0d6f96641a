"""A course with one exam subsection, for the completion, InstructorService and exam-signal tests.

week1 (chapter)
  exam (sequential)
    exam_unit (vertical)
      exam_intro (html)
      exam_q1 (problem, scored)
      exam_q2 (problem, scored)
    empty_unit (vertical, no children: not completable)
  homework (sequential)
    hw_q (problem, scored; outside the exam)
"""

from __future__ import annotations

from dataclasses import dataclass

from instructor_plugin.backends.builtin.models import Block, Course
from tests.grading_fixtures import add_block


@dataclass
class ExamCourse:
    exam: Block
    intro: Block
    q1: Block
    q2: Block
    empty_unit: Block
    hw_q: Block


def add_exam_blocks(course: Course) -> ExamCourse:
    week1 = Block.objects.get(course=course, block_type="chapter")
    exam = add_block(course, week1, "sequential", "exam", "Final exam")
    unit = add_block(course, exam, "vertical", "exam_unit", "Exam unit")
    intro = add_block(course, unit, "html", "exam_intro", "Instructions")
    q1 = add_block(course, unit, "problem", "exam_q1", "Q1", has_score=True)
    q2 = add_block(course, unit, "problem", "exam_q2", "Q2", has_score=True)
    empty_unit = add_block(course, exam, "vertical", "empty_unit", "Empty unit")
    homework = add_block(course, week1, "sequential", "homework", "Homework")
    hw_q = add_block(course, homework, "problem", "hw_q", "HW question", has_score=True)
    return ExamCourse(exam=exam, intro=intro, q1=q1, q2=q2, empty_unit=empty_unit, hw_q=hw_q)
