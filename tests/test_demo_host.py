"""The demo host's own endpoints: sign-in and what the MFE shell calls around the plugin's API."""

from __future__ import annotations

import base64
import importlib
import json
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import make_user

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
COURSE_ID = "course-v1:OpenedX+DemoX+Demo_Course"
MFE_ORIGIN = "http://localhost:8080"
JWT_COOKIE = "edx-jwt-cookie-header-payload"
DEMO_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [DEMO_DIR / "demo_host" / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_host(monkeypatch, settings):
    """Serve the demo host's URLs; it is a project beside the package, importable from ``demo/``."""
    monkeypatch.syspath_prepend(str(DEMO_DIR))
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.contrib.admin"]
    settings.ROOT_URLCONF = "demo_host.urls"
    settings.DEMO_MFE_ORIGINS = [MFE_ORIGIN]
    settings.DEMO_MFE_DIST = ""
    settings.LOGIN_URL = "/login"
    settings.TEMPLATES = DEMO_TEMPLATES


@pytest.fixture
def web() -> Client:
    """A browser-like client: CSRF is enforced, as it is for the MFE."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def mfe_dist(tmp_path, settings) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<html>the MFE</html>")
    (tmp_path / "assets" / "app.1234.js").write_text("console.log('app');")
    settings.DEMO_MFE_DIST = str(tmp_path)
    return tmp_path


def decode_segment(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_login_refresh_is_401_for_anonymous_users(web):
    response = web.post("/login_refresh")

    assert response.status_code == 401
    assert response.cookies[JWT_COOKIE].value == ""


def test_login_refresh_sets_a_js_readable_jwt_cookie(web):
    user = make_user("instructor", name="Iris Instructor")
    web.force_login(user)

    response = web.post("/login_refresh")

    assert response.status_code == 200
    assert response.json()["success"] is True
    cookie = response.cookies[JWT_COOKIE]
    assert not cookie["httponly"]
    assert cookie["path"] == "/"
    assert cookie["samesite"] == "Lax"
    header, payload = (decode_segment(part) for part in cookie.value.split("."))
    assert header["typ"] == "JWT"
    assert payload["preferred_username"] == "instructor"
    assert payload["user_id"] == user.pk
    assert payload["email"] == "instructor@example.com"
    assert payload["name"] == "Iris Instructor"
    assert payload["administrator"] is False
    assert payload["roles"] == []
    assert payload["exp"] > time.time()


def test_csrf_token_is_returned_and_set_as_cookie(web):
    response = web.get("/csrf/api/v1/token")

    assert response.status_code == 200
    assert response.json()["csrfToken"]
    assert "csrftoken" in response.cookies


def test_course_home_metadata_has_no_tabs(web):
    response = web.get(f"/api/course_home/course_metadata/{COURSE_ID}")

    assert response.json() == {"tabs": []}


@pytest.mark.parametrize("method", ["get", "post"])
def test_masquerade_is_not_offered(web, method):
    response = getattr(web, method)(f"/courses/{COURSE_ID}/masquerade")

    assert response.status_code == 200
    assert response.json() == {"success": False}


def test_home_redirects_to_the_api_docs(web):
    response = web.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/api/instructor/v2/docs/"


def test_login_page_renders(web):
    response = web.get("/login", {"next": f"{MFE_ORIGIN}/instructor-dashboard/"})

    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.parametrize(
    ("next_url", "redirected_to_next"),
    [
        (f"{MFE_ORIGIN}/instructor-dashboard/{COURSE_ID}/course_info", True),
        ("/api/instructor/v2/docs/", True),
        ("http://elsewhere.example/steal", False),
    ],
)
def test_login_honours_next_on_this_host_and_mfe_origins(next_url, redirected_to_next):
    make_user("instructor")

    response = Client().post("/login", {"username": "instructor", "password": "edx", "next": next_url})

    assert response.status_code == 302
    assert (response["Location"] == next_url) is redirected_to_next


def test_logout_ends_the_session_and_forgets_the_jwt_cookie(web):
    web.force_login(make_user("instructor"))

    response = web.get("/logout")

    assert response.status_code == 302
    assert response["Location"] == "/login"
    assert response.cookies[JWT_COOKIE].value == ""
    assert web.post("/login_refresh").status_code == 401


def test_mfe_is_not_served_without_a_dist_folder(web):
    assert web.get("/instructor-dashboard/").status_code == 404


def test_mfe_serves_its_files(web, mfe_dist):
    response = web.get("/instructor-dashboard/assets/app.1234.js")

    assert response.status_code == 200
    assert body(response) == b"console.log('app');"


@pytest.mark.parametrize(
    "path", ["/instructor-dashboard", "/instructor-dashboard/", f"/instructor-dashboard/{COURSE_ID}/course_info"]
)
def test_mfe_routes_fall_back_to_index_html(web, mfe_dist, path):
    response = web.get(path)

    assert response.status_code == 200
    assert body(response) == b"<html>the MFE</html>"
    assert response["Cache-Control"] == "no-cache"


def test_mfe_does_not_serve_files_outside_its_folder(web, mfe_dist):
    (mfe_dist.parent / "secret.txt").write_text("secret")

    response = web.get("/instructor-dashboard/../secret.txt")

    assert response.status_code == 400


@pytest.fixture
def demo_cors(monkeypatch, settings):
    """The demo's CORS and CSRF settings as ``DEMO_MFE_ORIGINS`` makes them, with the CORS middleware."""
    monkeypatch.setenv("DEMO_MFE_ORIGINS", f"{MFE_ORIGIN}/, http://other.test:9000")
    monkeypatch.delitem(sys.modules, "demo_host.settings", raising=False)
    demo_settings = importlib.import_module("demo_host.settings")
    for name in ("CORS_ALLOWED_ORIGINS", "CORS_ALLOW_CREDENTIALS", "CORS_ALLOW_HEADERS", "CSRF_TRUSTED_ORIGINS"):
        setattr(settings, name, getattr(demo_settings, name))
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "corsheaders"]
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *settings.MIDDLEWARE]
    return demo_settings


def test_mfe_origins_configure_cors_and_csrf(demo_cors):
    assert demo_cors.CORS_ALLOWED_ORIGINS == [MFE_ORIGIN, "http://other.test:9000"]
    assert demo_cors.CSRF_TRUSTED_ORIGINS == [MFE_ORIGIN, "http://other.test:9000"]
    assert demo_cors.CORS_ALLOW_CREDENTIALS is True
    assert "use-jwt-cookie" in demo_cors.CORS_ALLOW_HEADERS


def test_preflight_from_the_mfe_origin_is_allowed_with_credentials(web, demo_cors):
    response = web.options(
        "/csrf/api/v1/token",
        headers={
            "Origin": MFE_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "use-jwt-cookie, x-csrftoken",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == MFE_ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "use-jwt-cookie" in response["Access-Control-Allow-Headers"]


def test_other_origins_get_no_cors_headers(web, demo_cors):
    response = web.get("/csrf/api/v1/token", headers={"Origin": "http://evil.test"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
