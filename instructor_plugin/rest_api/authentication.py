"""
JWT authentication for the plugin's endpoints: edx-drf-extensions' ``JwtAuthentication``, made safe
for a plugin that lives inside the host owning the user table.

* A verified token for a username the host does not know is refused (401) and creates no account,
  unless ``INSTRUCTOR_PLUGIN["JWT_CREATE_UNKNOWN_USERS"]`` is true.
* A token never changes ``is_staff`` or ``is_superuser``: edx-drf-extensions copies the
  ``administrator`` claim into ``is_staff`` (``JWT_PAYLOAD_USER_ATTRIBUTE_MAPPING``), which would let
  any token re-grant revoked staff rights until it expires. The host's database is the truth.

Signature, expiry, issuer and audience are verified by edx-drf-extensions' decoder against
``JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"]`` (see the ``instructor_plugin.E001`` system check).
"""

from django.contrib.auth import get_user_model
from edx_rest_framework_extensions.auth.jwt import authentication

from ..conf import plugin_setting

#: User attributes a token claim may never set.
PRIVILEGE_ATTRIBUTES = frozenset({"is_staff", "is_superuser"})


class JwtAuthentication(authentication.JwtAuthentication):
    """``Authorization: JWT <token>`` (or the JWT cookie) for users the host already has."""

    def get_jwt_claim_attribute_map(self):
        return {
            claim: attribute
            for claim, attribute in super().get_jwt_claim_attribute_map().items()
            if attribute not in PRIVILEGE_ATTRIBUTES
        }

    def authenticate_credentials(self, payload):
        if not plugin_setting("JWT_CREATE_UNKNOWN_USERS"):
            username = self._get_username_from_payload(payload)
            if not isinstance(username, str) or not get_user_model().objects.filter(username=username).exists():
                raise authentication.JwtAuthenticationError("The token's user is unknown here.")
        return super().authenticate_credentials(payload)
