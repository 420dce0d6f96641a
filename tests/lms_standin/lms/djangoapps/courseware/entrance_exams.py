"""Stand-in of openedx-platform ``lms/djangoapps/courseware/entrance_exams.py``: ``course_has_entrance_exam``."""

from django.conf import settings


def course_has_entrance_exam(course):
    """Whether the ``ENTRANCE_EXAMS`` feature is on and the course block names an enabled entrance exam."""
    if not settings.FEATURES.get("ENTRANCE_EXAMS", False):
        return False
    return bool(getattr(course, "entrance_exam_enabled", False) and course.entrance_exam_id)
