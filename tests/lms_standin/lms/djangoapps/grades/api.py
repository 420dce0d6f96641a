"""Stand-in of openedx-platform ``lms/djangoapps/grades/api.py``: the grades app's public Python API."""

from lms.djangoapps.grades.course_grade_factory import CourseGradeFactory
from lms.djangoapps.grades.models_api import get_subsection_grade
from lms.djangoapps.grades.subsection_grade_factory import SubsectionGradeFactory

__all__ = ["CourseGradeFactory", "SubsectionGradeFactory", "get_subsection_grade"]
