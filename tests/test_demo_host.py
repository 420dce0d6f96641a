"""The demo host's own endpoints: sign-in and what the MFE shell calls around the plugin's API."""

from __future__ import annotations

import base64
import importlib
import io
import json
import os
import stat
import sys
import time
from pathlib import Path

import jwt
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from jwt.api_jwk import PyJWK
from rest_framework.test import APIClient

from instructor_plugin.checks import check_jwt_verification_keys
from tests.conftest import make_user, v2

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
COURSE_ID = "course-v1:OpenedX+DemoX+Demo_Course"
MFE_ORIGIN = "http://localhost:8080"
JWT_COOKIE = "edx-jwt-cookie-header-payload"
JWT_SIGNATURE_COOKIE = "edx-jwt-cookie-signature"
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


def encode_segment(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


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
    assert header["alg"] == "RS512"
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
    assert response.cookies[JWT_SIGNATURE_COOKIE].value == ""
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


def api_client_with_jwt_cookies(header_and_payload: str, signature: str) -> APIClient:
    """A client holding only the JWT cookies, as the MFE's browser does: no session."""
    client = APIClient(enforce_csrf_checks=True)
    client.cookies[JWT_COOKIE] = header_and_payload
    client.cookies[JWT_SIGNATURE_COOKIE] = signature
    return client


def test_login_refresh_sets_an_httponly_signature_cookie(web):
    web.force_login(make_user("instructor"))

    cookie = web.post("/login_refresh").cookies[JWT_SIGNATURE_COOKIE]

    assert cookie.value
    assert cookie["httponly"]
    assert cookie["path"] == "/"
    assert cookie["samesite"] == "Lax"


def test_login_refresh_cookies_authenticate_api_calls(web, api_v2_on, users):
    web.force_login(users["instructor"])
    cookies = web.post("/login_refresh").cookies

    response = api_client_with_jwt_cookies(cookies[JWT_COOKIE].value, cookies[JWT_SIGNATURE_COOKIE].value).get(v2())

    assert response.status_code == 200, response.content
    assert response.json()["username"] == "instructor"


def test_forged_jwt_cookies_do_not_authenticate(web, api_v2_on, users):
    web.force_login(users["learner"])
    learner_cookies = web.post("/login_refresh").cookies
    header, payload = (decode_segment(part) for part in learner_cookies[JWT_COOKIE].value.split("."))
    as_instructor = ".".join(encode_segment(part) for part in (header, {**payload, "preferred_username": "instructor"}))

    response = api_client_with_jwt_cookies(as_instructor, learner_cookies[JWT_SIGNATURE_COOKIE].value).get(v2())

    assert response.status_code == 401, response.content


def test_signing_in_forgets_the_previous_users_jwt_cookies():
    make_user("instructor")

    response = Client().post("/login", {"username": "instructor", "password": "edx"})

    assert response.status_code == 302
    assert response.cookies[JWT_COOKIE].value == ""
    assert response.cookies[JWT_SIGNATURE_COOKIE].value == ""


def demo_jwt(*arguments: str) -> str:
    """What ``manage.py demo_jwt *arguments`` prints."""
    command = importlib.import_module("demo_host.management.commands.demo_jwt").Command()
    out = io.StringIO()
    call_command(command, *arguments, stdout=out)
    return out.getvalue().strip()


def test_demo_jwt_prints_a_token_that_authenticates(api_v2_on, users):
    token = demo_jwt("instructor")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")

    response = client.get(v2())

    assert response.status_code == 200, response.content
    assert response.json()["username"] == "instructor"


def test_demo_jwt_expires_when_asked(users):
    before = int(time.time())

    payload = decode_segment(demo_jwt("learner", "--expires-in", "120").split(".")[1])

    assert before + 120 <= payload["exp"] <= int(time.time()) + 120
    assert payload["preferred_username"] == "learner"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("nobody",), "No user named 'nobody'."),
        (("learner", "--expires-in", "0"), "--expires-in must be a positive number"),
    ],
)
def test_demo_jwt_refuses_unknown_users_and_no_lifetime(users, arguments, message):
    with pytest.raises(CommandError, match=message):
        demo_jwt(*arguments)


@pytest.fixture
def jwt_keys():
    return importlib.import_module("demo_host.jwt_keys")


def test_the_signing_key_is_made_once_and_kept_private(tmp_path, jwt_keys):
    first = jwt_keys.load_or_create_private_jwk(tmp_path / "jwt")

    assert jwt_keys.load_or_create_private_jwk(tmp_path / "jwt") == first
    assert stat.S_IMODE((tmp_path / "jwt" / jwt_keys.KEY_FILE_NAME).stat().st_mode) == 0o600
    assert [path.name for path in (tmp_path / "jwt").iterdir()] == [jwt_keys.KEY_FILE_NAME]


def test_a_key_written_meanwhile_by_another_process_wins(tmp_path, jwt_keys, monkeypatch):
    """The web process and the worker may start together: both must end up with the same key."""
    folder = tmp_path / "jwt"
    other_process_key = jwt_keys.load_or_create_private_jwk(tmp_path / "other")
    real_link = os.link

    def link_after_the_other_process(source, target):
        Path(target).write_text(other_process_key)
        real_link(source, target)

    monkeypatch.setattr(os, "link", link_after_the_other_process)

    assert jwt_keys.load_or_create_private_jwk(folder) == other_process_key
    assert [path.name for path in folder.iterdir()] == [jwt_keys.KEY_FILE_NAME]


def test_the_public_jwk_set_verifies_the_private_keys_tokens_only(tmp_path, jwt_keys):
    private_jwk = jwt_keys.load_or_create_private_jwk(tmp_path / "jwt")
    public_set = json.loads(jwt_keys.public_jwk_set(private_jwk))
    other_private_jwk = jwt_keys.load_or_create_private_jwk(tmp_path / "other")

    (public_key,) = public_set["keys"]
    assert "d" not in public_key
    assert public_key["kid"] == json.loads(private_jwk)["kid"]
    verifying_key = PyJWK(public_key).key
    token = jwt.encode({"sub": "x"}, PyJWK.from_json(private_jwk).key, algorithm="RS512")
    forged = jwt.encode({"sub": "x"}, PyJWK.from_json(other_private_jwk).key, algorithm="RS512")
    assert jwt.decode(token, verifying_key, algorithms=["RS512"]) == {"sub": "x"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, verifying_key, algorithms=["RS512"])


def import_demo_settings(monkeypatch):
    """The demo host's settings module, imported afresh as each of its processes imports it."""
    monkeypatch.delitem(sys.modules, "demo_host.settings", raising=False)
    return importlib.import_module("demo_host.settings")


def test_the_demo_settings_verify_with_the_key_they_sign_with(monkeypatch):
    demo_settings = import_demo_settings(monkeypatch)
    jwt_auth = demo_settings.JWT_AUTH

    assert jwt_auth["JWT_SIGNING_ALGORITHM"] == "RS512"
    assert [issuer["SECRET_KEY"] for issuer in jwt_auth["JWT_ISSUERS"]] == [None]
    private_key = PyJWK.from_json(jwt_auth["JWT_PRIVATE_SIGNING_JWK"]).key
    (public_key,) = json.loads(jwt_auth["JWT_PUBLIC_SIGNING_JWK_SET"])["keys"]
    token = jwt.encode({"sub": "x"}, private_key, algorithm="RS512")
    assert jwt.decode(token, PyJWK(public_key).key, algorithms=["RS512"]) == {"sub": "x"}
    assert "edx_rest_framework_extensions.auth.jwt.middleware.JwtAuthCookieMiddleware" in demo_settings.MIDDLEWARE


def test_every_demo_process_loads_the_same_key(monkeypatch):
    web_process = import_demo_settings(monkeypatch).JWT_AUTH
    worker = import_demo_settings(monkeypatch).JWT_AUTH

    assert worker["JWT_PRIVATE_SIGNING_JWK"] == web_process["JWT_PRIVATE_SIGNING_JWK"]
    assert worker["JWT_PUBLIC_SIGNING_JWK_SET"] == web_process["JWT_PUBLIC_SIGNING_JWK_SET"]


def test_the_demo_settings_pass_the_jwt_system_check(monkeypatch, settings):
    settings.JWT_AUTH = import_demo_settings(monkeypatch).JWT_AUTH

    assert check_jwt_verification_keys() == []
