"""
An LMS-like host for the Open edX backend's tests (``make test-openedx``).

Like an LMS it installs edx-when and edx-completion (the real libraries, ``requirements/openedx.txt``)
and the platform apps the backend reads (the stand-in under ``tests/lms_standin``, put on
``sys.path`` here so that ``common``, ``openedx`` and ``xmodule`` import as in an LMS), then installs
the plugin through its ``lms.djangoapp`` entry point with ``INSTRUCTOR_PLUGIN["BACKEND"]`` naming the
Open edX backend. The built-in backend's app is not installed. The database follows
``INSTRUCTOR_PLUGIN_TEST_DB`` as in ``test_settings``.
"""

import sys
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "lms_standin"))

from test_settings import *  # noqa: F403 (the database, JWT, REST framework and Celery of the suite)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "waffle",
    # The platform's apps the backend reads (stand-ins).
    "common.djangoapps.student.apps.StudentConfig",
    "openedx.core.djangoapps.user_api.apps.UserAPIConfig",
    "openedx.core.djangoapps.django_comment_common.apps.DjangoCommentCommonConfig",
    "common.djangoapps.course_modes.apps.CourseModesConfig",
    "lms.djangoapps.bulk_email.apps.BulkEmailConfig",
    "openedx.core.djangoapps.course_groups.apps.CourseGroupsConfig",
    # The LMS's event tracker (edx-completion emits an event per completion); no backend stores them here.
    "eventtracking.django.apps.EventTrackingConfig",
]
EVENT_TRACKING_ENABLED = True
EVENT_TRACKING_BACKENDS = {}
# The plugins: edx-when and edx-completion (real, each an lms.djangoapp plugin as well) and this one.
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

ROOT_URLCONF = "openedx_tests.urls"

INSTRUCTOR_PLUGIN = {
    "BACKEND": "instructor_plugin.backends.openedx.openedx_backend",
    "LMS_ROOT_URL": "http://lms.test",
    "MICROFRONTEND_URL": "http://apps.test/instructor-dashboard",
    # An LMS serves its own enrollment, grades, cohorts... APIs.
    "LMS_APIS": [],
}

add_plugins(__name__, "lms.djangoapp", "common")
add_plugins(__name__, "lms.djangoapp", "test")
