"""Stand-in of edx-enterprise ``enterprise/apps.py`` (edx-enterprise is not installed for the tests)."""

from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "enterprise"
    label = "enterprise"
