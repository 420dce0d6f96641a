"""
Stand-in of openedx-platform ``lms/djangoapps/grades/subsection_grade_factory.py``: ``SubsectionGradeFactory``
with its constructor and ``update`` signatures, returning a grade with ``graded_total``/``all_total``.

The platform computes the grade from the subsection's block structure; this one sums the learner's
``StudentModule`` points on the subsection's child problems, and persists the
``PersistentSubsectionGrade`` as the platform's ``update`` does.
"""

from collections import namedtuple

from django.db.models import Count, Sum
from django.utils import timezone

from lms.djangoapps.courseware.models import StudentModule
from lms.djangoapps.grades.models import PersistentSubsectionGrade

AggregatedScore = namedtuple("AggregatedScore", ["earned", "possible"])
SubsectionGrade = namedtuple("SubsectionGrade", ["location", "graded_total", "all_total"])


class SubsectionGradeFactory:
    """Computes and persists one learner's subsection grades."""

    def __init__(self, student, course=None, course_structure=None, course_data=None):
        self.student = student

    def update(
        self, subsection, only_if_higher=None, score_deleted=False, force_update_subsections=False, persist_grade=True
    ):
        totals = StudentModule.objects.filter(student=self.student, module_state_key__in=subsection.children).aggregate(
            earned=Sum("grade"), possible=Sum("max_grade"), attempted=Count("id")
        )
        earned, possible = totals["earned"] or 0.0, totals["possible"] or 0.0
        if persist_grade:
            PersistentSubsectionGrade.objects.update_or_create(
                user_id=self.student.pk,
                course_id=subsection.location.course_key,
                usage_key=subsection.location,
                defaults={
                    "earned_all": earned,
                    "possible_all": possible,
                    "earned_graded": earned,
                    "possible_graded": possible,
                    "first_attempted": timezone.now() if totals["attempted"] else None,
                },
            )
        total = AggregatedScore(earned, possible)
        return SubsectionGrade(subsection.location, total, total)
