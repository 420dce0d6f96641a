"""Stand-in of openedx-platform ``openedx/core/djangoapps/user_api/apps.py``."""

from django.apps import AppConfig


class UserAPIConfig(AppConfig):
    name = "openedx.core.djangoapps.user_api"
    label = "user_api"
