"""Stand-in of openedx-platform ``lms/djangoapps/instructor_task/apps.py``."""

from django.apps import AppConfig


class InstructorTaskConfig(AppConfig):
    name = "lms.djangoapps.instructor_task"
    label = "instructor_task"
