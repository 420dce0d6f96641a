"""Stand-in of openedx-platform ``lms/djangoapps/survey/apps.py``."""

from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "lms.djangoapps.survey"
    label = "survey"
