"""
Settings of the demo host: the plugin installed through its ``lms.djangoapp`` entry point, as in an LMS.

Everything it writes lives in ``demo/data/`` (or ``DEMO_DATA_DIR``): the SQLite database, the
Celery broker and results (no broker server needed), the cache shared by the web process and the
worker, and sent emails.

Environment:

* ``DEMO_MFE_ORIGINS``: comma-separated origins of an instructor-dashboard MFE served elsewhere
  (e.g. ``http://localhost:8080``); they get CORS with credentials and are trusted for CSRF and
  for the ``next`` of ``/login``.
* ``DEMO_MFE_DIST``: a folder holding a built MFE, served at ``/instructor-dashboard/``.
"""

import os
from pathlib import Path

from corsheaders.defaults import default_headers
from edx_django_utils.plugins import add_plugins, get_plugin_apps

HOST_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DEMO_DATA_DIR", HOST_DIR.parent / "data"))
BROKER_DIR = DATA_DIR / "broker"
RESULTS_DIR = DATA_DIR / "results"
for folder in (BROKER_DIR / "queue", BROKER_DIR / "processed", BROKER_DIR / "control", RESULTS_DIR):
    folder.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DEMO_SECRET_KEY", "demo-host-only-never-in-production-0123456789abcdef")
DEBUG = True
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ROOT_URLCONF = "demo_host.urls"
WSGI_APPLICATION = "demo_host.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "demo.sqlite3"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": DATA_DIR / "cache"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "waffle",
    "instructor_plugin.backends.builtin",
]
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crum.CurrentRequestUserMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HOST_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "static/"
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = "instructor-dashboard@example.com"

DEMO_MFE_ORIGINS = [
    origin.strip().rstrip("/") for origin in os.environ.get("DEMO_MFE_ORIGINS", "").split(",") if origin.strip()
]
DEMO_MFE_DIST = os.environ.get("DEMO_MFE_DIST", "")

CORS_ALLOWED_ORIGINS = DEMO_MFE_ORIGINS
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (*default_headers, "use-jwt-cookie")
CSRF_TRUSTED_ORIGINS = DEMO_MFE_ORIGINS

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication",
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser",
    ],
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

JWT_ISSUER = "http://localhost:8000/oauth2"
JWT_SECRET_KEY = os.environ.get("DEMO_JWT_SECRET_KEY", "demo-host-jwt-secret-key-never-in-production-0123456789")
JWT_AUTH = {
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_ISSUER": JWT_ISSUER,
    "JWT_AUDIENCE": "demo-host",
    "JWT_SECRET_KEY": JWT_SECRET_KEY,
    "JWT_VERIFY_AUDIENCE": False,
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": lambda payload: payload.get("preferred_username"),
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
    "JWT_ISSUERS": [{"ISSUER": JWT_ISSUER, "AUDIENCE": "demo-host", "SECRET_KEY": JWT_SECRET_KEY}],
}
EDX_DRF_EXTENSIONS = {}

CELERY_BROKER_URL = "filesystem://localhost//"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(BROKER_DIR / "queue"),
    "data_folder_out": str(BROKER_DIR / "queue"),
    "processed_folder": str(BROKER_DIR / "processed"),
    "control_folder": str(BROKER_DIR / "control"),
    "store_processed": True,
}
CELERY_RESULT_BACKEND = f"file://{RESULTS_DIR}"
# The worker runs beat too (``-B``): scheduled course emails are queued within a minute of coming due.
CELERY_BEAT_SCHEDULE = {
    "instructor_plugin.send_due_course_emails": {"task": "instructor_plugin.send_due_course_emails", "schedule": 60.0}
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

#: Report files and learners' open-response files, on disk under the data folder; never served
#: directly (no MEDIA_URL), only through the plugin's permission-checked download endpoint.
FILES_DIR = DATA_DIR / "files"
INSTRUCTOR_PLUGIN = {
    "LMS_ROOT_URL": "http://localhost:8000",
    "MICROFRONTEND_URL": "/instructor-dashboard",
    "ENABLE_SPECIAL_EXAMS": True,
    "ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE": True,
    "REPORT_STORAGE": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_DIR / "reports")},
    },
    "ORA_FILE_STORAGE": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_DIR / "ora")},
    },
}

add_plugins(__name__, "lms.djangoapp", "common")
