"""The system checks that refuse JWT authentication without a public key to verify tokens with."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

from instructor_plugin.checks import check_jwt_verification_keys

SESSION_ONLY = ["edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser"]
EDX_JWT = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
SYMMETRIC_JWK_SET = json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0LXNoYXJlZC1ieS1hbnlvbmU"}]})


def jwt_auth(**changes) -> dict:
    """The test settings' ``JWT_AUTH`` with ``changes``; a value of None removes the key."""
    configured = {**settings.JWT_AUTH, **changes}
    return {name: value for name, value in configured.items() if value is not None}


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_test_settings_pass():
    assert check_jwt_verification_keys() == []


@pytest.mark.parametrize(
    "jwk_set",
    [None, "", '{"keys": []}', "not json", SYMMETRIC_JWK_SET],
    ids=["missing", "empty", "no keys", "not json", "only a symmetric key"],
)
def test_jwt_authentication_without_a_public_rsa_key_is_an_error(jwk_set):
    with override_settings(JWT_AUTH=jwt_auth(JWT_PUBLIC_SIGNING_JWK_SET=jwk_set)):
        messages = check_jwt_verification_keys()

    assert ids(messages) == ["instructor_plugin.E001"]
    assert messages[0].level == checks.ERROR


def test_an_issuer_secret_does_not_make_up_for_missing_public_keys():
    """edx-drf-extensions accepts any signature when the JWK set is empty, secret or not."""
    issuers = [{"ISSUER": "http://test-issuer", "AUDIENCE": "test-audience", "SECRET_KEY": "a-shared-secret"}]

    with override_settings(JWT_AUTH=jwt_auth(JWT_PUBLIC_SIGNING_JWK_SET=None, JWT_ISSUERS=issuers)):
        messages = check_jwt_verification_keys()

    assert ids(messages) == ["instructor_plugin.E001", "instructor_plugin.W001"]


def test_an_issuer_secret_beside_the_public_keys_is_a_warning():
    issuers = [{"ISSUER": "http://test-issuer", "AUDIENCE": "test-audience", "SECRET_KEY": "a-shared-secret"}]

    with override_settings(JWT_AUTH=jwt_auth(JWT_ISSUERS=issuers)):
        messages = check_jwt_verification_keys()

    assert ids(messages) == ["instructor_plugin.W001"]
    assert messages[0].level == checks.WARNING


def test_no_jwt_auth_setting_at_all_is_an_error():
    with override_settings(JWT_AUTH={}):
        assert ids(check_jwt_verification_keys()) == ["instructor_plugin.E001"]


def test_edx_drf_extensions_own_class_counts_as_jwt_authentication():
    plugin = {**settings.INSTRUCTOR_PLUGIN, "AUTHENTICATION_CLASSES": [EDX_JWT, *SESSION_ONLY]}

    with override_settings(INSTRUCTOR_PLUGIN=plugin, JWT_AUTH=jwt_auth(JWT_PUBLIC_SIGNING_JWK_SET=None)):
        assert ids(check_jwt_verification_keys()) == ["instructor_plugin.E001"]


def test_without_jwt_authentication_no_keys_are_needed():
    plugin = {**settings.INSTRUCTOR_PLUGIN, "AUTHENTICATION_CLASSES": SESSION_ONLY}

    with override_settings(INSTRUCTOR_PLUGIN=plugin, JWT_AUTH=jwt_auth(JWT_PUBLIC_SIGNING_JWK_SET=None)):
        assert check_jwt_verification_keys() == []


def test_the_check_is_registered_with_django():
    with override_settings(JWT_AUTH=jwt_auth(JWT_PUBLIC_SIGNING_JWK_SET=None)):
        messages = checks.run_checks(tags=[checks.Tags.security])

    assert "instructor_plugin.E001" in ids(messages)
