"""
What the two test hosts share: ``test_settings`` (the plugin's suite) and ``openedx_tests.settings``
(the Open edX backend's LMS-like host) each start with ``from shared_test_settings import *``.

The database is SQLite unless ``INSTRUCTOR_PLUGIN_TEST_DB`` names another (``postgresql`` or
``mysql``; see ``.ci/run``); ``INSTRUCTOR_PLUGIN_TEST_DB_NAME`` names it.
"""

import json
import os

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

SECRET_KEY = "instructor-plugin-tests-only-a-long-enough-secret-key"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
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
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
if os.environ.get("INSTRUCTOR_PLUGIN_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["INSTRUCTOR_PLUGIN_TEST_DB_NAME"]

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
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
