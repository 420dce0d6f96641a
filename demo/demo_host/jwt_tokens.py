"""The JWTs the demo host issues, signed as an LMS signs them: RS512 with ``JWT_PRIVATE_SIGNING_JWK``."""

import time

import jwt
from django.conf import settings
from jwt.api_jwk import PyJWK


def signed_jwt(user, lifetime_seconds: int) -> str:
    """A token for ``user``, valid for ``lifetime_seconds`` from now."""
    now = int(time.time())
    private_key = PyJWK.from_json(settings.JWT_AUTH["JWT_PRIVATE_SIGNING_JWK"]).key
    return jwt.encode(
        jwt_claims(user, issued_at=now, expires=now + lifetime_seconds),
        private_key,
        algorithm=settings.JWT_AUTH["JWT_SIGNING_ALGORITHM"],
    )


def jwt_claims(user, issued_at: int, expires: int) -> dict:
    """The claims of an LMS token: who the user is, for whom and until when."""
    issuer = settings.JWT_AUTH["JWT_ISSUERS"][0]
    profile = getattr(user, "builtin_profile", None)
    return {
        "preferred_username": user.username,
        "user_id": user.pk,
        "email": user.email,
        "name": profile.name if profile and profile.name else user.get_full_name(),
        "administrator": user.is_staff,
        "roles": [],
        "scopes": [],
        "version": "1.2.0",
        "iat": issued_at,
        "exp": expires,
        "iss": issuer["ISSUER"],
        "aud": issuer["AUDIENCE"],
    }
