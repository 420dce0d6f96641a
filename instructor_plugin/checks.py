"""
Django system checks: the plugin refuses a configuration that would let forged tokens in.

edx-drf-extensions (10.x) first verifies a JWT against ``JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"]``
alone; when that set holds no key, the verification loop has nothing to try and passes, so a
token with any signature, or ``alg: none``, is accepted, whatever issuer secret is configured.
"""

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string
from edx_rest_framework_extensions.auth.jwt.decoder import get_verification_jwk_key_set
from jwt.exceptions import PyJWTError
from rest_framework_jwt.authentication import JSONWebTokenAuthentication

from .conf import plugin_setting
from .rest_api.lms_apis import LMS_APIS, unknown_lms_apis
from .settings.common import URL_PRECEDENCE_MIDDLEWARE


def check_jwt_verification_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E001 when JWT authentication is on without a public key to verify with; W001 on a symmetric secret."""
    if not _jwt_authentication_is_on():
        return []
    jwt_auth = getattr(settings, "JWT_AUTH", None) or {}
    messages: list[checks.CheckMessage] = []
    if not _has_public_rsa_key(jwt_auth.get("JWT_PUBLIC_SIGNING_JWK_SET")):
        messages.append(
            checks.Error(
                "JWT authentication is on, but JWT_AUTH['JWT_PUBLIC_SIGNING_JWK_SET'] holds no RSA public key: "
                "edx-drf-extensions would accept a token with any signature, or none.",
                hint="Set it to the public JWK set of the key the LMS signs with (JWT_PRIVATE_SIGNING_JWK), "
                "or remove JWT authentication from INSTRUCTOR_PLUGIN['AUTHENTICATION_CLASSES'].",
                id="instructor_plugin.E001",
            )
        )
    if any(issuer.get("SECRET_KEY") for issuer in jwt_auth.get("JWT_ISSUERS") or ()):
        messages.append(
            checks.Warning(
                "JWT_AUTH['JWT_ISSUERS'] has a SECRET_KEY: anyone who knows it can sign a token (HS256) as any user.",
                hint="Set each issuer's SECRET_KEY to None once every token is signed with the asymmetric key.",
                id="instructor_plugin.W001",
            )
        )
    return messages


def _jwt_authentication_is_on() -> bool:
    return any(
        issubclass(import_string(path), JSONWebTokenAuthentication) for path in plugin_setting("AUTHENTICATION_CLASSES")
    )


def _has_public_rsa_key(jwk_set: str | None) -> bool:
    try:
        keys = get_verification_jwk_key_set(asymmetric_keys=jwk_set)
    except (PyJWTError, ValueError):
        return False
    return any(key.key_type == "RSA" for key in keys)


def check_lms_apis(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E002 for a name in ``INSTRUCTOR_PLUGIN["LMS_APIS"]`` that names no API the plugin serves."""
    return [
        checks.Error(
            f"INSTRUCTOR_PLUGIN['LMS_APIS'] names '{name}', which is not an API the plugin serves.",
            hint=f"Known names: {', '.join(sorted(LMS_APIS)) or 'none'}.",
            id="instructor_plugin.E002",
        )
        for name in unknown_lms_apis()
    ]


def check_url_precedence_middleware(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """W002 when the host replaced ``MIDDLEWARE`` after the plugin's settings hook appended its middleware."""
    if URL_PRECEDENCE_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [
        checks.Warning(
            f"{URL_PRECEDENCE_MIDDLEWARE} is not in MIDDLEWARE: in an LMS, whether its own instructor views or the "
            "plugin's answer api/instructor/v2/ then depends on the order its plugins' entry points are found.",
            hint="Append it to MIDDLEWARE (after authentication) wherever the settings replace the list.",
            id="instructor_plugin.W002",
        )
    ]
