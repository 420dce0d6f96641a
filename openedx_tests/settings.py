"""
An LMS-like host for the Open edX backend's tests (``make test-openedx``).

Like an LMS it installs edx-when and edx-completion (the real libraries, ``requirements/openedx.txt``)
and the platform apps the backend reads (the stand-in under ``tests/lms_standin``, put on
``sys.path`` here so that ``common``, ``openedx`` and ``xmodule`` import as in an LMS), then installs
the plugin through its ``lms.djangoapp`` entry point with ``INSTRUCTOR_PLUGIN["BACKEND"]`` naming the
Open edX backend. The built-in backend's app is not installed. Database, JWT, REST framework and Celery
are those of ``test_settings`` (the database follows ``INSTRUCTOR_PLUGIN_TEST_DB``); this host is a
module of its own because its plugins' settings (edx-proctoring's) need settings of an LMS.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from edx_django_utils.plugins import add_plugins, get_plugin_apps
from jwt.algorithms import RSAAlgorithm

SECRET_KEY = "instructor-plugin-tests-only-a-long-enough-secret-key"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ROOT_URLCONF = "openedx_tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ALLOWED_HOSTS = ["*"]

_DB = os.environ.get("INSTRUCTOR_PLUGIN_TEST_DB", "sqlite")
if _DB == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "test",
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": "127.0.0.1",
            "PORT": "5432",
        }
    }
elif _DB == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": "test",
            "USER": "root",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
    # edx-submissions' migration 0006_mariadb_uuid_conversion (4.0.2, 3.12.2 too) also alters a ``uuid``
    # column of ``submissions_studentitem`` and ``submissions_score``, which have none, so on MariaDB (MySQL
    # skips it) its migrations stop there: its tables come from a migration made from its 4.0.2 models.
    MIGRATION_MODULES = {"submissions": "openedx_tests.submissions_mariadb.migrations"}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


MIDDLEWARE = [
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crum.CurrentRequestUserMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth"]},
    }
]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # ORA2's filesystem file-upload backend keeps the download URLs it hands out in a cache of its own.
    "ora2-storage": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ora2-storage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "instructor_plugin.rest_api.authentication.JwtAuthentication",
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser",
    ],
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# As an LMS: tokens are signed with an RSA key (a fresh one per test run) and verified with its public
# JWK set only; no issuer secret, so no one can sign a token with a shared key.
_JWT_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWT_AUTH = {
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_ISSUER": "http://test-issuer",
    "JWT_AUDIENCE": "test-audience",
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": lambda payload: payload.get("preferred_username"),
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
    "JWT_ISSUERS": [{"ISSUER": "http://test-issuer", "AUDIENCE": "test-audience", "SECRET_KEY": None}],
    "JWT_SIGNING_ALGORITHM": "RS512",
    "JWT_PRIVATE_SIGNING_JWK": RSAAlgorithm.to_jwk(_JWT_SIGNING_KEY),
    "JWT_PUBLIC_SIGNING_JWK_SET": json.dumps(
        {"keys": [RSAAlgorithm.to_jwk(_JWT_SIGNING_KEY.public_key(), as_dict=True)]}
    ),
}
EDX_DRF_EXTENSIONS = {}

# Tasks run eagerly in the suite; INSTRUCTOR_PLUGIN_TEST_BROKER (CI's worker stage) sends them to a
# real worker instead, which INSTRUCTOR_PLUGIN_TEST_DB_NAME points at the suite's test database.
_BROKER = os.environ.get("INSTRUCTOR_PLUGIN_TEST_BROKER")
CELERY_TASK_ALWAYS_EAGER = not _BROKER
CELERY_BROKER_URL = _BROKER or "memory://"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
if os.environ.get("INSTRUCTOR_PLUGIN_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["INSTRUCTOR_PLUGIN_TEST_DB_NAME"]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "lms_standin"))

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
    "openedx.core.djangoapps.embargo.apps.EmbargoConfig",
    "enterprise.apps.EnterpriseConfig",
    "consent.apps.ConsentConfig",
    "lms.djangoapps.survey.apps.SurveyConfig",
    "lms.djangoapps.courseware.apps.CoursewareConfig",
    "lms.djangoapps.grades.apps.GradesConfig",
    "lms.djangoapps.instructor_task.apps.InstructorTaskConfig",
    "lms.djangoapps.certificates.apps.CertificatesConfig",
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
