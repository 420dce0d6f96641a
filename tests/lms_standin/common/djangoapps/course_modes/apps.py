"""Stand-in of openedx-platform ``common/djangoapps/course_modes/apps.py``."""

from django.apps import AppConfig


class CourseModesConfig(AppConfig):
    name = "common.djangoapps.course_modes"
    label = "course_modes"
