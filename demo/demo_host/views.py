"""
What an LMS provides around the instructor-dashboard MFE: sign-in, and the endpoints its shell calls.

The MFE authenticates API calls with the session cookie; the JWT cookie set by ``/login_refresh``
only tells the MFE who is signed in, so it carries no signature.
"""

import base64
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from django.views.static import serve

from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, DEMO_PASSWORD, DEMO_USERS

JWT_HEADER_PAYLOAD_COOKIE = "edx-jwt-cookie-header-payload"
JWT_LIFETIME_SECONDS = 3600


class DemoLoginView(LoginView):
    """Django's sign-in page; ``next`` may also be a full URL on a configured MFE origin."""

    template_name = "demo_host/login.html"
    redirect_authenticated_user = True
    extra_context = {
        "demo_usernames": [user.username for user in DEMO_USERS],
        "demo_password": DEMO_PASSWORD,
        "demo_course_id": DEMO_COURSE_ID,
    }

    @property
    def success_url_allowed_hosts(self):
        return mfe_hosts()


def mfe_hosts() -> set[str]:
    """The ``host:port`` of every configured MFE origin."""
    return {urlsplit(origin).netloc for origin in settings.DEMO_MFE_ORIGINS}


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """Sign out, forget the JWT cookie, and go to ``next`` when it is safe, else the sign-in page."""
    logout(request)
    target = request.GET.get("next") or request.GET.get("redirect_url")
    allowed_hosts = {request.get_host(), *mfe_hosts()}
    if not url_has_allowed_host_and_scheme(target, allowed_hosts, require_https=request.is_secure()):
        target = settings.LOGIN_URL
    response = HttpResponseRedirect(target)
    response.delete_cookie(JWT_HEADER_PAYLOAD_COOKIE)
    return response


@csrf_exempt
@require_POST
def login_refresh(request):
    """Set the JS-readable JWT cookie for the signed-in user; 401 when nobody is signed in."""
    if not request.user.is_authenticated:
        response = JsonResponse({"error": "Not signed in."}, status=401)
        response.delete_cookie(JWT_HEADER_PAYLOAD_COOKIE)
        return response
    now = int(time.time())
    response = JsonResponse({"success": True, "response_epoch_seconds": now})
    response.set_cookie(
        JWT_HEADER_PAYLOAD_COOKIE,
        unsigned_jwt(jwt_payload(request.user, expires=now + JWT_LIFETIME_SECONDS)),
        max_age=JWT_LIFETIME_SECONDS,
        path="/",
        samesite="Lax",
        httponly=False,
    )
    return response


def jwt_payload(user, expires: int) -> dict:
    """The claims the MFE reads from the JWT cookie."""
    profile = getattr(user, "builtin_profile", None)
    return {
        "preferred_username": user.username,
        "user_id": user.pk,
        "email": user.email,
        "name": profile.name if profile and profile.name else user.get_full_name(),
        "administrator": user.is_staff,
        "roles": [],
        "exp": expires,
        "iss": settings.JWT_AUTH["JWT_ISSUER"],
    }


def unsigned_jwt(payload: dict) -> str:
    """``base64url(header).base64url(payload)``: the header and payload parts of a JWT."""
    header = {"alg": "none", "typ": "JWT"}
    return ".".join(_base64url(json.dumps(part, separators=(",", ":"))) for part in (header, payload))


def _base64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@require_GET
def csrf_token(request):
    """The CSRF token the MFE sends back as ``X-CSRFToken`` (the cookie is set too)."""
    return JsonResponse({"csrfToken": get_token(request)})


@require_GET
def course_home_metadata(request, course_id):
    """No course tabs: the MFE's header hides its course bar."""
    return JsonResponse({"tabs": []})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def masquerade(request, course_id):
    """Masquerading is not offered: the MFE's header hides its masquerade bar."""
    return JsonResponse({"success": False})


@require_safe
def microfrontend(request, path=""):
    """A file of the built MFE in ``DEMO_MFE_DIST``, else its ``index.html`` for the MFE's own routing."""
    if not settings.DEMO_MFE_DIST:
        raise Http404("No built MFE is configured (DEMO_MFE_DIST).")
    dist = Path(settings.DEMO_MFE_DIST)
    if path:
        try:
            return serve(request, path, document_root=dist)
        except Http404:
            pass
    response = serve(request, "index.html", document_root=dist)
    response["Cache-Control"] = "no-cache"
    return response
