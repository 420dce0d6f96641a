"""Stand-in of openedx-platform ``lms/djangoapps/grades/apps.py``."""

from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "lms.djangoapps.grades"
    label = "grades"
