"""Stand-in of openedx-platform ``common/djangoapps/student/apps.py``."""

from django.apps import AppConfig


class StudentConfig(AppConfig):
    name = "common.djangoapps.student"
    label = "student"
