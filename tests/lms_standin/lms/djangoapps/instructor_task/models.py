"""Stand-in of openedx-platform ``lms/djangoapps/instructor_task/models.py``: ``InstructorTask``."""

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class InstructorTask(models.Model):
    """A background task an instructor started; ``task_input`` is its JSON input."""

    task_type = models.CharField(max_length=50, db_index=True)
    course_id = CourseKeyField(max_length=255, db_index=True)
    task_key = models.CharField(max_length=255, db_index=True)
    task_input = models.TextField()
    task_id = models.CharField(max_length=255, db_index=True)
    task_state = models.CharField(max_length=50, null=True, db_index=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True, null=True)

    class Meta:
        app_label = "instructor_task"
