"""
Entrance exams: the course block's ``entrance_exam_id`` / ``entrance_exam_minimum_score_pct`` settings
and the learners ``student``'s ``EntranceExamConfiguration`` lets skip the exam.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import EntranceExamData
from ..exceptions import UserNotFound


def _user(user_id: int) -> Any:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFound(user_id)
    return user


class OpenedxEntranceExamService:
    """``lms.djangoapps.courseware.entrance_exams`` and ``student.models.EntranceExamConfiguration``."""

    def get_entrance_exam(self, course_key: CourseKey) -> EntranceExamData | None:
        """
        ``course_has_entrance_exam(course)`` on ``modulestore().get_course(course_key)``, then its
        ``entrance_exam_id`` and ``entrance_exam_minimum_score_pct`` (Studio stores a share, 0.65; a
        whole number is a percentage, as the field's default 65 is).
        """
        from lms.djangoapps.courseware.entrance_exams import course_has_entrance_exam
        from xmodule.modulestore.django import modulestore

        course = modulestore().get_course(course_key, depth=0)
        if course is None or not course_has_entrance_exam(course):
            return None
        share = float(course.entrance_exam_minimum_score_pct)
        return EntranceExamData(
            course_key=course_key,
            usage_key=UsageKey.from_string(course.entrance_exam_id).map_into_course(course_key),
            minimum_score_pct=share / 100 if share > 1 else share,
        )

    def can_skip(self, course_key: CourseKey, user_id: int) -> bool:
        """``EntranceExamConfiguration.user_can_skip_entrance_exam(user, course_key)``."""
        from common.djangoapps.student.models import EntranceExamConfiguration

        return bool(EntranceExamConfiguration.user_can_skip_entrance_exam(_user(user_id), course_key))

    def allow_skip(self, course_key: CourseKey, user_id: int) -> bool:
        """
        ``EntranceExamConfiguration.objects.get_or_create(user=..., course_id=...)``, as the instructor
        dashboard's ``mark_student_can_skip_entrance_exam`` does; False when the row was there.
        """
        from common.djangoapps.student.models import EntranceExamConfiguration

        _, created = EntranceExamConfiguration.objects.get_or_create(user=_user(user_id), course_id=course_key)
        return created
