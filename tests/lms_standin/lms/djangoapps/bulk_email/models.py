"""Stand-in of openedx-platform ``lms/djangoapps/bulk_email/models.py``: ``Optout``."""

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class Optout(models.Model):
    """A user who does not want a course's email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=True, null=True, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)

    class Meta:
        app_label = "bulk_email"
        unique_together = ("user", "course_id")
