"""Stand-in of openedx-platform ``lms/djangoapps/certificates/apps.py``."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "lms.djangoapps.certificates"
    label = "certificates"
