"""Entrance exams of the built-in backend: the exam section of a course and the learners who may skip it."""

from __future__ import annotations

from opaque_keys.edx.keys import CourseKey

from ..data import EntranceExamData
from .models import EntranceExam, EntranceExamSkip


class BuiltinEntranceExamService:
    """:class:`~instructor_plugin.backends.base.EntranceExamService` over :class:`EntranceExam` rows."""

    def get_entrance_exam(self, course_key: CourseKey) -> EntranceExamData | None:
        exam = EntranceExam.objects.filter(course__course_key=course_key).first()
        if exam is None:
            return None
        return EntranceExamData(
            course_key=course_key, usage_key=exam.usage_key, minimum_score_pct=exam.minimum_score_pct
        )

    def can_skip(self, course_key: CourseKey, user_id: int) -> bool:
        return EntranceExamSkip.objects.filter(course_key=course_key, user_id=user_id).exists()

    def allow_skip(self, course_key: CourseKey, user_id: int) -> bool:
        _, created = EntranceExamSkip.objects.get_or_create(course_key=course_key, user_id=user_id)
        return created
