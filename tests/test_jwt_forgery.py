"""
Forged, stale and foreign JWTs get 401; a token never creates an account nor grants staff.

Tokens are verified as an LMS configures edx-drf-extensions: against the public JWK set of the RSA
key the LMS signs with (``test_settings.JWT_AUTH``), with no symmetric secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from jwt.api_jwk import PyJWK
from rest_framework.test import APIClient

from tests.conftest import v2

User = get_user_model()

ISSUER = "http://test-issuer"
AUDIENCE = "test-audience"


def claims(username: str = "instructor", **changes) -> dict:
    """What the LMS puts in a token for ``username``, valid for ten minutes."""
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "preferred_username": username,
        "email": f"{username}@example.com",
        "administrator": False,
        "iat": now,
        "exp": now + 600,
        "version": "1.2.0",
        "scopes": [],
    }
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not None}


def signed(payload: dict) -> str:
    """Signed as the LMS signs: RS512 with its private JWK."""
    private_key = PyJWK.from_json(settings.JWT_AUTH["JWT_PRIVATE_SIGNING_JWK"]).key
    return jwt.encode(payload, private_key, algorithm=settings.JWT_AUTH["JWT_SIGNING_ALGORITHM"])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_signed_with(secret: bytes, payload: dict) -> str:
    """An HS256 token made by hand, so that any bytes (even a public key) can be the secret."""
    signing_input = ".".join(b64url(json.dumps(part).encode()) for part in ({"alg": "HS256", "typ": "JWT"}, payload))
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def public_key_pem() -> bytes:
    private_key = PyJWK.from_json(settings.JWT_AUTH["JWT_PRIVATE_SIGNING_JWK"]).key
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def call_as(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
    return client.get(v2())


def assert_refused(response):
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error_code"] == "authentication_failed", body
    assert response["WWW-Authenticate"].startswith("JWT")


def test_a_token_signed_with_the_lms_key_authenticates(api_v2_on, users):
    response = call_as(signed(claims()))

    assert response.status_code == 200, response.content
    assert response.json()["username"] == "instructor"


FORGERIES = {
    "alg none": lambda: jwt.encode(claims(), None, algorithm="none"),
    "alg none with an empty signature and a kept header type": lambda: (
        f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{b64url(json.dumps(claims()).encode())}."
    ),
    "an RSA key not in the JWK set": lambda: jwt.encode(
        claims(), rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS512"
    ),
    "HS256 with some secret": lambda: jwt.encode(claims(), "any-secret-an-attacker-picks-0123456789abcdef", "HS256"),
    "HS256 with the public key as the secret": lambda: hs256_signed_with(public_key_pem(), claims()),
    "HS256 with the Django SECRET_KEY": lambda: jwt.encode(claims(), settings.SECRET_KEY, "HS256"),
    "a good signature over another payload": lambda: (
        signed(claims("learner")).split(".")[0]
        + "."
        + b64url(json.dumps(claims("instructor")).encode())
        + "."
        + signed(claims("learner")).split(".")[2]
    ),
    "a wrong issuer": lambda: signed(claims(iss="http://evil-issuer")),
    "no issuer": lambda: signed(claims(iss=None)),
    "a wrong audience": lambda: signed(claims(aud="another-service")),
    "an expired token": lambda: signed(claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
    "no expiry": lambda: signed(claims(exp=None)),
    "no issued-at": lambda: signed(claims(iat=None)),
}


@pytest.mark.parametrize("make_token", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_or_stale_token_is_401(api_v2_on, users, make_token):
    assert_refused(call_as(make_token()))


@pytest.mark.parametrize("administrator", [False, True])
def test_a_token_for_an_unknown_user_is_401_and_creates_no_account(api_v2_on, users, administrator):
    users_before = User.objects.count()

    response = call_as(signed(claims("newcomer", administrator=administrator)))

    assert_refused(response)
    assert not User.objects.filter(username="newcomer").exists()
    assert User.objects.count() == users_before


def test_a_token_without_a_username_is_401(api_v2_on, users):
    assert_refused(call_as(signed(claims(preferred_username=None))))


def test_a_host_may_let_tokens_create_unknown_users_but_never_as_staff(api_v2_on, users, settings):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "JWT_CREATE_UNKNOWN_USERS": True}

    response = call_as(signed(claims("newcomer", administrator=True)))

    assert response.status_code == 403, response.content
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.email == "newcomer@example.com"
    assert not newcomer.is_staff
    assert not newcomer.is_superuser


def test_the_administrator_claim_does_not_make_an_existing_user_staff(api_v2_on, users):
    response = call_as(signed(claims("outsider", administrator=True)))

    assert response.status_code == 403, response.content
    users["outsider"].refresh_from_db()
    assert not users["outsider"].is_staff


def test_the_administrator_claim_does_not_take_staff_away_either(api_v2_on, users):
    response = call_as(signed(claims("global_staff", administrator=False)))

    assert response.status_code == 200, response.content
    users["global_staff"].refresh_from_db()
    assert users["global_staff"].is_staff


class TestJwtCookie:
    """The LMS's split cookies, joined by ``JwtAuthCookieMiddleware`` into the one JWT cookie."""

    @staticmethod
    def cookie_client(token: str) -> APIClient:
        header_and_payload, signature = token.rsplit(".", 1)
        client = APIClient(enforce_csrf_checks=True)
        client.cookies["edx-jwt-cookie-header-payload"] = header_and_payload
        client.cookies["edx-jwt-cookie-signature"] = signature
        return client

    def test_a_signed_cookie_authenticates(self, api_v2_on, users):
        response = self.cookie_client(signed(claims())).get(v2())

        assert response.status_code == 200, response.content
        assert response.json()["username"] == "instructor"

    def test_a_forged_cookie_does_not(self, api_v2_on, users):
        forged = jwt.encode(claims(), rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS512")

        response = self.cookie_client(forged).get(v2())

        assert response.status_code == 401, response.content
        assert response.json()["error_code"] == "not_authenticated"
