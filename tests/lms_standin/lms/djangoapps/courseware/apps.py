"""Stand-in of openedx-platform ``lms/djangoapps/courseware/apps.py``."""

from django.apps import AppConfig


class CoursewareConfig(AppConfig):
    name = "lms.djangoapps.courseware"
    label = "courseware"
