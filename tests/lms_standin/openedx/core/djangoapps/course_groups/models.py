"""Stand-in of openedx-platform ``openedx/core/djangoapps/course_groups/models.py``: ``CourseUserGroup``."""

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class CourseUserGroup(models.Model):
    """A group of a course's users; a cohort when ``group_type`` is ``cohort``."""

    COHORT = "cohort"

    name = models.CharField(max_length=255)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, db_index=True, related_name="course_groups")
    course_id = CourseKeyField(max_length=255, db_index=True)
    group_type = models.CharField(max_length=20, choices=((COHORT, "Cohort"),))

    class Meta:
        app_label = "course_groups"
        unique_together = (("name", "course_id"),)
