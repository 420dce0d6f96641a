"""
The demo host: a small Django project that installs the plugin as an Open edX LMS does.

The Celery app is imported here so that tasks queued by the web process use its broker.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
