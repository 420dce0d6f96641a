"""Stand-in of openedx-platform ``openedx/core/djangoapps/course_groups/apps.py``."""

from django.apps import AppConfig


class CourseGroupsConfig(AppConfig):
    name = "openedx.core.djangoapps.course_groups"
    label = "course_groups"
