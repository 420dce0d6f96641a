"""Stand-in of openedx-platform ``lms/djangoapps/bulk_email/apps.py``."""

from django.apps import AppConfig


class BulkEmailConfig(AppConfig):
    name = "lms.djangoapps.bulk_email"
    label = "bulk_email"
