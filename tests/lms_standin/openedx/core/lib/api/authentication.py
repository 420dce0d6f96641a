"""
Stand-in of openedx-platform ``openedx/core/lib/api/authentication.py``: the OAuth2 bearer-token
authentication edx-completion's API views name, imported when the LMS-like host mounts their URLs. No test
sends a bearer token, so it authenticates no one (the platform looks the token up in django-oauth-toolkit).
"""

from rest_framework.authentication import BaseAuthentication


class BearerAuthenticationAllowInactiveUser(BaseAuthentication):
    """``Authorization: Bearer <token>``; here, never a user."""

    def authenticate(self, request):
        return None
