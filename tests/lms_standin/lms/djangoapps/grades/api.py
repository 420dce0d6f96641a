"""Stand-in of openedx-platform ``lms/djangoapps/grades/api.py``: the grades app's public Python API."""

from lms.djangoapps.grades.course_grade_factory import CourseGradeFactory

__all__ = ["CourseGradeFactory"]
