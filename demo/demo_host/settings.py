"""
Settings of the demo host: the plugin installed through its ``lms.djangoapp`` entry point, as in an LMS.

Everything it writes lives in ``demo/data/``: the SQLite database, the Celery broker and results
(no broker server needed), the cache shared by the web process and the worker, and sent emails.

Environment:

* ``DEMO_MFE_ORIGINS``: comma-separated origins of an instructor-dashboard MFE served elsewhere
  (e.g. ``http://localhost:8080``); they get CORS with credentials and are trusted for CSRF and
  for the ``next`` of ``/login``.
* ``DEMO_MFE_DIST``: a folder holding a built MFE, served at ``/instructor-dashboard/``.
* ``DEMO_GRADEBOOK_DIST``: a folder holding a built Gradebook MFE (openedx/frontend-app-gradebook),
  served at ``/gradebook/``; course metadata's ``gradebook_url`` then points at it.
* ``DEMO_BIND``: the ``host:port`` ``demo/run.py`` serves on (default ``127.0.0.1:8000``); a host
  other than a loopback address or ``0.0.0.0`` is allowed as a ``Host`` header too.
* ``DEMO_ALLOWED_HOSTS``: comma-separated extra host names the site answers to (``ALLOWED_HOSTS``),
  for when ``DEMO_BIND`` opens it to other machines.
* ``DEMO_DEBUG=1``: Django's debug mode (tracebacks in pages); off by default.
* ``DEMO_DATA_DIR``: where it writes (default ``demo/data/``).
* ``DEMO_SECRET_KEY``: Django's secret key; by default one made on first run, kept in the data folder.
"""

import os
from pathlib import Path

from corsheaders.defaults import default_headers
from django.core.management.utils import get_random_secret_key
from edx_django_utils.plugins import add_plugins, get_plugin_apps

from demo_host import jwt_keys

HOST_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DEMO_DATA_DIR") or HOST_DIR.parent / "data").resolve()
BROKER_DIR = DATA_DIR / "broker"
RESULTS_DIR = DATA_DIR / "results"
for folder in (BROKER_DIR / "queue", BROKER_DIR / "processed", BROKER_DIR / "control", RESULTS_DIR):
    folder.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """``DEMO_SECRET_KEY``, else a random key made on first run and kept in the data folder."""
    if os.environ.get("DEMO_SECRET_KEY"):
        return os.environ["DEMO_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as key_file:
            key_file.write(get_random_secret_key())
    except FileExistsError:
        pass
    return path.read_text()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DEMO_DEBUG") == "1"

DEMO_BIND = os.environ.get("DEMO_BIND", "127.0.0.1:8000")
DEMO_HOST, _, DEMO_PORT = DEMO_BIND.rpartition(":")
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
WILDCARD_HOSTS = ["", "0.0.0.0", "[::]"]
#: The address to show people: ``localhost`` when this machine's loopback serves it.
DEMO_URL = f"http://{'localhost' if DEMO_HOST in (*WILDCARD_HOSTS, *LOOPBACK_HOSTS) else DEMO_HOST}:{DEMO_PORT}"
ALLOWED_HOSTS = [
    *LOOPBACK_HOSTS,
    *([DEMO_HOST] if DEMO_HOST not in (*WILDCARD_HOSTS, *LOOPBACK_HOSTS) else []),
    *(host.strip() for host in os.environ.get("DEMO_ALLOWED_HOSTS", "").split(",") if host.strip()),
]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
ROOT_URLCONF = "demo_host.urls"
WSGI_APPLICATION = "demo_host.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The web workers and the Celery worker write at once: WAL lets readers go on beside a writer, and
# every transaction takes the write lock when it begins, so a writer waits (up to ``timeout``
# seconds) instead of failing with "database is locked" when it finds another one ahead of it.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "demo.sqlite3",
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": DATA_DIR / "cache"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "drf_spectacular_sidecar",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "waffle",
    "instructor_plugin.backends.builtin",
    "demo_host",
]
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware",
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

#: Collected by ``demo/run.py`` and served by WhiteNoise, with or without DEBUG.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"

# Swagger UI from the drf-spectacular-sidecar package: the docs page works with no internet access.
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = "instructor-dashboard@example.com"

DEMO_MFE_ORIGINS = [
    origin.strip().rstrip("/") for origin in os.environ.get("DEMO_MFE_ORIGINS", "").split(",") if origin.strip()
]
DEMO_MFE_DIST = os.environ.get("DEMO_MFE_DIST", "")
DEMO_GRADEBOOK_DIST = os.environ.get("DEMO_GRADEBOOK_DIST", "")

CORS_ALLOWED_ORIGINS = DEMO_MFE_ORIGINS
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (*default_headers, "use-jwt-cookie")
CSRF_TRUSTED_ORIGINS = DEMO_MFE_ORIGINS

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "instructor_plugin.rest_api.authentication.JwtAuthentication",
        "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser",
    ],
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

# As an LMS: tokens are signed with an RSA key pair made on first run (demo/data/jwt/) and verified
# with its public JWK set only; no issuer secret, so nobody can sign a token with a shared key.
JWT_ISSUER = "http://localhost:8000/oauth2"
JWT_PRIVATE_SIGNING_JWK = jwt_keys.load_or_create_private_jwk(DATA_DIR / "jwt")
JWT_AUTH = {
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_ISSUER": JWT_ISSUER,
    "JWT_AUDIENCE": "demo-host",
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": lambda payload: payload.get("preferred_username"),
    "JWT_AUTH_COOKIE": "edx-jwt-cookie",
    "JWT_ISSUERS": [{"ISSUER": JWT_ISSUER, "AUDIENCE": "demo-host", "SECRET_KEY": None}],
    "JWT_SIGNING_ALGORITHM": jwt_keys.SIGNING_ALGORITHM,
    "JWT_PRIVATE_SIGNING_JWK": JWT_PRIVATE_SIGNING_JWK,
    "JWT_PUBLIC_SIGNING_JWK_SET": jwt_keys.public_jwk_set(JWT_PRIVATE_SIGNING_JWK),
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
    "LMS_ROOT_URL": DEMO_URL,
    "MICROFRONTEND_URL": "/instructor-dashboard",
    "ENABLE_SPECIAL_EXAMS": True,
    "ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE": True,
    "ALLOW_AUTOMATED_SIGNUPS": True,
    "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS": True,
    "REPORT_STORAGE": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_DIR / "reports")},
    },
    "ORA_FILE_STORAGE": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(FILES_DIR / "ora")},
    },
    "LMS_APIS": ["grades", "enrollment", "cohorts", "bulk_grades", "instructor_legacy", "program_enrollments"],
}

# DEMO_ENROLLMENT_API_RATE (such as "10000/minute") replaces both enrollment API throttle rates, so that a
# fuzzing run exercises the API rather than its 429s.
if os.environ.get("DEMO_ENROLLMENT_API_RATE"):
    rate = os.environ["DEMO_ENROLLMENT_API_RATE"]
    INSTRUCTOR_PLUGIN["ENROLLMENT_API_THROTTLE_RATES"] = {"user": rate, "staff": rate}

# The Gradebook MFE, when built into DEMO_GRADEBOOK_DIST, is served on this host at /gradebook/.
if DEMO_GRADEBOOK_DIST:
    INSTRUCTOR_PLUGIN["WRITABLE_GRADEBOOK_URL"] = f"{DEMO_URL}/gradebook"

add_plugins(__name__, "lms.djangoapp", "common")
