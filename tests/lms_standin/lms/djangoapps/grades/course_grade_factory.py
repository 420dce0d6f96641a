"""
Stand-in of openedx-platform ``lms/djangoapps/grades/course_grade_factory.py``: ``CourseGradeFactory``
with its ``read``/``update``/``iter`` signatures and the ``CourseGrade`` fields the backend reads
(``percent``, ``letter_grade``, ``passed``, ``summary["grade_breakdown"]``); ``update`` persists the
``PersistentCourseGrade`` as the platform's does.

The platform grades through the course's grading policy; this one stands in for that engine with one
rule: the course percent is the learner's problem points over the possible points of their
``StudentModule`` rows, each ``GRADER`` type's breakdown the same share, the letter the highest
``GRADE_CUTOFFS`` reached.
"""

from collections import namedtuple
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone
from xmodule.modulestore.django import modulestore

from lms.djangoapps.courseware.models import StudentModule
from lms.djangoapps.grades.models import PersistentCourseGrade


@dataclass
class CourseGrade:
    """A learner's course grade."""

    user: object
    percent: float
    letter_grade: str | None
    passed: bool
    summary: dict = field(default_factory=dict)


class CourseGradeFactory:
    """Reads, recomputes and iterates course grades."""

    GradeResult = namedtuple("GradeResult", ["student", "course_grade", "error"])

    def read(self, user=None, course=None, collected_block_structure=None, course_key=None, create_if_needed=True):
        return self._compute(user, course_key or course.id)

    def update(
        self, user, course=None, collected_block_structure=None, course_key=None, force_update_subsections=False
    ):
        """Recompute and persist the learner's ``PersistentCourseGrade``."""
        course_key = course_key or course.id
        grade = self._compute(user, course_key)
        PersistentCourseGrade.objects.update_or_create(
            user_id=user.pk,
            course_id=course_key,
            defaults={
                "percent_grade": grade.percent,
                "letter_grade": grade.letter_grade or "",
                "passed_timestamp": timezone.now() if grade.passed else None,
            },
        )
        return grade

    def iter(self, users, course=None, collected_block_structure=None, course_key=None, force_update=False):
        for user in users:
            yield self.GradeResult(user, self._compute(user, course_key or course.id), None)

    @staticmethod
    def _compute(user, course_key):
        totals = StudentModule.objects.filter(student=user, course_id=course_key).aggregate(
            earned=Sum("grade"), possible=Sum("max_grade")
        )
        share = (totals["earned"] or 0) / totals["possible"] if totals["possible"] else 0.0
        percent = round(share, 2)
        course = modulestore().get_course(course_key)
        cutoffs = sorted(course.grade_cutoffs.items(), key=lambda item: item[1], reverse=True) if course else []
        letter = next((letter for letter, cutoff in cutoffs if percent >= cutoff), None)
        types = [grader["type"] for grader in (course.raw_grader if course else [])]
        breakdown = {assignment_type: {"percent": share} for assignment_type in types}
        summary = {"percent": percent, "grade": letter, "grade_breakdown": breakdown}
        return CourseGrade(user=user, percent=percent, letter_grade=letter, passed=letter is not None, summary=summary)
