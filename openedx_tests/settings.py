"""
An LMS-like host for the Open edX backend's tests (``make test-openedx``).

Like an LMS it installs edx-when and edx-completion (the real libraries, ``requirements/openedx.txt``)
and the platform apps the backend reads (the stand-in under ``tests/lms_standin``, put on
``sys.path`` here so that ``common``, ``openedx`` and ``xmodule`` import as in an LMS), then installs
the plugin through its ``lms.djangoapp`` entry point with ``INSTRUCTOR_PLUGIN["BACKEND"]`` naming the
Open edX backend. The built-in backend's app is not installed. Database, middleware, JWT, REST framework
and Celery are those of ``shared_test_settings``, as for the plugin's suite (the database follows
``INSTRUCTOR_PLUGIN_TEST_DB``); this host is a module of its own because its plugins' settings
(edx-proctoring's) need settings of an LMS. Its URLconf is the stand-in's ``lms/urls.py``.
"""

import sys
import tempfile
from importlib import import_module
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

from shared_test_settings import *  # noqa: F403

# The LMS's site (the catalog cache lists a site's programs).
SITE_ID = 1

ROOT_URLCONF = "lms.urls"

if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":  # noqa: F405
    # edx-submissions' migration 0006_mariadb_uuid_conversion (4.0.2, 3.12.2 too) also alters a ``uuid``
    # column of ``submissions_studentitem`` and ``submissions_score``, which have none, so on MariaDB (MySQL
    # skips it) its migrations stop there: its tables come from a migration made from its 4.0.2 models.
    MIGRATION_MODULES = {"submissions": "openedx_tests.submissions_mariadb.migrations"}

CACHES = {
    **CACHES,  # noqa: F405
    # ORA2's filesystem file-upload backend keeps the download URLs it hands out in a cache of its own.
    "ora2-storage": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ora2-storage"},
}

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "lms_standin"))

# The course id in URLs, a setting of the LMS (openedx/envs/common.py) its plugins' URLconfs read.
COURSE_ID_PATTERN = import_module("openedx.core.constants").COURSE_ID_PATTERN

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
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
    "openedx.core.djangoapps.embargo.apps.EmbargoConfig",
    "enterprise.apps.EnterpriseConfig",
    "consent.apps.ConsentConfig",
    "lms.djangoapps.survey.apps.SurveyConfig",
    "lms.djangoapps.courseware.apps.CoursewareConfig",
    "lms.djangoapps.grades.apps.GradesConfig",
    "lms.djangoapps.instructor_task.apps.InstructorTaskConfig",
    "lms.djangoapps.certificates.apps.CertificatesConfig",
    "common.djangoapps.third_party_auth.apps.ThirdPartyAuthConfig",
    "lms.djangoapps.program_enrollments.apps.ProgramEnrollmentsConfig",
    # edx-organizations and social-auth-app-django (real), whose tables the SAML providers link.
    "organizations",
    "social_django",
    # The LMS's event tracker (edx-completion emits an event per completion); no backend stores them here.
    "eventtracking.django.apps.EventTrackingConfig",
    # edx-ace (real), as the LMS configures it: its email channels send through Django's mail.
    "edx_ace",
    # edx-submissions and ORA2 (real), the apps of theirs an LMS installs.
    "submissions",
    "openassessment",
    "openassessment.assessment",
    "openassessment.fileupload",
    "openassessment.staffgrader",
    "openassessment.workflow",
    "openassessment.xblock",
]
ACE_ENABLED_CHANNELS = ["django_email"]
ACE_ENABLED_POLICIES = []
ACE_CHANNEL_DEFAULT_EMAIL = ACE_CHANNEL_TRANSACTIONAL_EMAIL = "django_email"
EVENT_TRACKING_ENABLED = True
# Where edx-proctoring (an lms.djangoapp plugin) writes its workers.json.
ENV_ROOT = tempfile.mkdtemp(prefix="openedx-tests-")
EVENT_TRACKING_BACKENDS = {}
# The LMS's asset pipeline, which edx-proctoring's plugin settings add its scripts to, and the LMS
# settings edx-proctoring reads.
PIPELINE = {"JAVASCRIPT": {}}
SITE_NAME = "lms.test"
PLATFORM_NAME = "Test Platform"
CONTACT_EMAIL = TECH_SUPPORT_EMAIL = DEFAULT_FROM_EMAIL = "support@lms.test"
LEARNING_MICROFRONTEND_URL = "http://apps.test/learning"
PROCTORING_USER_OBFUSCATION_KEY = "openedx-tests-obfuscation-key"
# ORA2's file uploads as Tutor configures them: on the filesystem, served by ORA2's own view (``urls``).
ORA2_FILEUPLOAD_BACKEND = "filesystem"
ORA2_FILEUPLOAD_ROOT = tempfile.mkdtemp(prefix="openedx-tests-ora2-")
ORA2_FILEUPLOAD_CACHE_NAME = "ora2-storage"
FILE_UPLOAD_STORAGE_BUCKET_NAME = "openedxuploads"
LMS_ROOT_URL = "http://lms.test"
# Where an LMS serves its static files (the live server of the ORA2 file tests serves them there too).
STATIC_URL = "/static/"
# The platform's feature switches the backend's calls read (entrance exams are off by default).
FEATURES = {"ENTRANCE_EXAMS": True}
# The plugins: edx-when and edx-completion (real, each an lms.djangoapp plugin as well) and this one.
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

INSTRUCTOR_PLUGIN = {
    "BACKEND": "instructor_plugin.backends.openedx.openedx_backend",
    "LMS_ROOT_URL": "http://lms.test",
    "MICROFRONTEND_URL": "http://apps.test/instructor-dashboard",
    # An LMS serves its own enrollment, grades, cohorts... APIs.
    "LMS_APIS": [],
}

add_plugins(__name__, "lms.djangoapp", "common")
add_plugins(__name__, "lms.djangoapp", "test")
# The proctoring providers edx-proctoring loads (after its plugin settings, which set only "null").
PROCTORING_BACKENDS = {"DEFAULT": "null", "null": {}, "mock": {}}
