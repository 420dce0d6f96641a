"""Stand-in of openedx-platform ``lms/djangoapps/program_enrollments/apps.py``."""

from django.apps import AppConfig


class ProgramEnrollmentsConfig(AppConfig):
    name = "lms.djangoapps.program_enrollments"
    label = "program_enrollments"
