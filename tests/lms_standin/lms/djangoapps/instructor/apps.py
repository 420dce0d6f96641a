"""
Stand-in of openedx-platform ``lms/djangoapps/instructor/apps.py``: the LMS's instructor app is itself an
``lms.djangoapp`` plugin, its URLs mounted at the root by the plugin framework (its settings hooks left out).
"""

from django.apps import AppConfig


class InstructorConfig(AppConfig):
    """The LMS's own instructor dashboard back end."""

    name = "lms.djangoapps.instructor"

    plugin_app = {"url_config": {"lms.djangoapp": {"namespace": "", "regex": "", "relative_path": "urls"}}}
