"""
Stand-in of openedx-platform ``lms/djangoapps/survey/models.py``: ``SurveyAnswer`` (its ``form`` foreign
key to ``SurveyForm`` is left out: the backend reads answers by course).
"""

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class SurveyAnswer(models.Model):
    """One field of a user's answer to a course's survey."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=True, on_delete=models.CASCADE)
    field_name = models.CharField(max_length=255, db_index=True)
    field_value = models.CharField(max_length=1024)
    course_key = CourseKeyField(max_length=255, db_index=True, null=True)

    class Meta:
        app_label = "survey"
