"""
Settings for the plugin's test suite: a stand-in LMS that installs the plugin
through its entry point, as an Open edX host does, with the built-in backend.

Database, middleware, REST framework, JWT and Celery are those of ``shared_test_settings``.
"""

from edx_django_utils.plugins import add_plugins, get_plugin_apps

from shared_test_settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "waffle",
    "instructor_plugin.backends.builtin",
]
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

INSTRUCTOR_PLUGIN = {
    "LMS_ROOT_URL": "http://lms.test",
    "MICROFRONTEND_URL": "http://apps.test/instructor-dashboard",
    "LMS_APIS": ["grades", "enrollment", "cohorts", "bulk_grades", "instructor_legacy", "program_enrollments"],
}

add_plugins(__name__, "lms.djangoapp", "common")
add_plugins(__name__, "lms.djangoapp", "test")
