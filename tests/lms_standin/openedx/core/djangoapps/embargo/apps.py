"""Stand-in of openedx-platform ``openedx/core/djangoapps/embargo/apps.py``."""

from django.apps import AppConfig


class EmbargoConfig(AppConfig):
    name = "openedx.core.djangoapps.embargo"
    label = "embargo"
