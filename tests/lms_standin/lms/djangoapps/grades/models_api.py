"""Stand-in of openedx-platform ``lms/djangoapps/grades/models_api.py``: ``get_subsection_grade``."""

from lms.djangoapps.grades.models import PersistentSubsectionGrade


def get_subsection_grade(user_id, course_key_or_id, usage_key_or_id):
    """The learner's ``PersistentSubsectionGrade``; raises ``PersistentSubsectionGrade.DoesNotExist``."""
    return PersistentSubsectionGrade.objects.get(user_id=user_id, course_id=course_key_or_id, usage_key=usage_key_or_id)
