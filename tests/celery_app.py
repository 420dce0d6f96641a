"""
The stand-in host's Celery app, configured from the ``CELERY_*`` Django settings as an LMS configures its own.

The suite runs tasks eagerly; the CI stage that runs a real worker starts it with
``celery -A tests.celery_app worker`` and points both sides at a broker (see test_settings.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_settings")

app = Celery("instructor_plugin_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["instructor_plugin"])
