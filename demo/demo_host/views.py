"""
What an LMS provides around the instructor-dashboard MFE: sign-in, and the endpoints its shell calls.

``/login_refresh`` gives the signed-in user a JWT signed with the demo host's key, split as an LMS
splits it: header and payload in a cookie the MFE reads, the signature in an HttpOnly cookie. The
``JwtAuthCookieMiddleware`` joins them again, so the cookies authenticate API calls as the session does.
"""

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
from edx_rest_framework_extensions.auth.jwt.cookies import jwt_cookie_header_payload_name, jwt_cookie_signature_name

from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, DEMO_PASSWORD, DEMO_USERS

from .jwt_tokens import signed_jwt

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

    def form_valid(self, form):
        """Sign in and drop the previous user's JWT cookies: the MFE gets the new user's from ``/login_refresh``."""
        return forget_jwt_cookies(super().form_valid(form))


def mfe_hosts() -> set[str]:
    """The ``host:port`` of every configured MFE origin."""
    return {urlsplit(origin).netloc for origin in settings.DEMO_MFE_ORIGINS}


@require_http_methods(["GET", "POST"])
def logout_view(request):
    """Sign out, forget the JWT cookies, and go to ``next`` when it is safe, else the sign-in page."""
    logout(request)
    target = request.GET.get("next") or request.GET.get("redirect_url")
    allowed_hosts = {request.get_host(), *mfe_hosts()}
    if not url_has_allowed_host_and_scheme(target, allowed_hosts, require_https=request.is_secure()):
        target = settings.LOGIN_URL
    return forget_jwt_cookies(HttpResponseRedirect(target))


@csrf_exempt
@require_POST
def login_refresh(request):
    """Set the JWT cookies for the signed-in user; 401 when nobody is signed in."""
    if not request.user.is_authenticated:
        return forget_jwt_cookies(JsonResponse({"error": "Not signed in."}, status=401))
    response = JsonResponse({"success": True, "response_epoch_seconds": int(time.time())})
    header_and_payload, signature = signed_jwt(request.user, JWT_LIFETIME_SECONDS).rsplit(".", 1)
    for name, value, http_only in (
        (jwt_cookie_header_payload_name(), header_and_payload, False),
        (jwt_cookie_signature_name(), signature, True),
    ):
        response.set_cookie(name, value, max_age=JWT_LIFETIME_SECONDS, path="/", samesite="Lax", httponly=http_only)
    return response


def forget_jwt_cookies(response):
    """``response``, telling the browser to delete both JWT cookies."""
    for name in (jwt_cookie_header_payload_name(), jwt_cookie_signature_name()):
        response.delete_cookie(name)
    return response


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


def _serve_built_app(request, folder: str, path: str):
    """A file of a built single-page app, else its ``index.html`` (never cached) for the app's own routing."""
    dist = Path(folder)
    if path:
        try:
            return serve(request, path, document_root=dist)
        except Http404:
            pass
    response = serve(request, "index.html", document_root=dist)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def microfrontend(request, path=""):
    """A file of the built MFE in ``DEMO_MFE_DIST``, else its ``index.html`` for the MFE's own routing."""
    if not settings.DEMO_MFE_DIST:
        raise Http404("No built MFE is configured (DEMO_MFE_DIST).")
    return _serve_built_app(request, settings.DEMO_MFE_DIST, path)


@require_safe
def gradebook(request, path=""):
    """A file of the built Gradebook MFE in ``DEMO_GRADEBOOK_DIST``, else its ``index.html`` (``/gradebook/{cid}``)."""
    if not settings.DEMO_GRADEBOOK_DIST:
        raise Http404("No built Gradebook MFE is configured (DEMO_GRADEBOOK_DIST).")
    return _serve_built_app(request, settings.DEMO_GRADEBOOK_DIST, path)
