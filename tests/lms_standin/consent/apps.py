"""Stand-in of edx-enterprise ``consent/apps.py``."""

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    label = "consent"
