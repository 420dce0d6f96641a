"""Stand-in of edx-organizations' ``organizations/apps.py`` (see the README)."""

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    label = "organizations"
