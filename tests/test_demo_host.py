"""
The demo host: sign-in and what the MFE shell calls around the plugin's API, its home page, its error
pages, its settings, and ``demo/run.py`` serving it with gunicorn.
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jwt
import psutil
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from drf_spectacular.settings import spectacular_settings
from jwt.api_jwk import PyJWK
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Block, Course, CourseEnrollment, GeneratedCertificate, SpecialExam
from instructor_plugin.backends.builtin.seed import seed_demo_course
from instructor_plugin.checks import check_jwt_verification_keys
from instructor_plugin.instructor_tasks import create_task_record
from tests.conftest import make_user, v2

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
COURSE_ID = "course-v1:OpenedX+DemoX+Demo_Course"
MFE_ORIGIN = "http://localhost:8080"
JWT_COOKIE = "edx-jwt-cookie-header-payload"
JWT_SIGNATURE_COOKIE = "edx-jwt-cookie-signature"

pytestmark = pytest.mark.django_db


def load_demo_settings(monkeypatch, data_dir: Path, **environment: str):
    """The demo host's settings module as ``environment`` makes it, writing under ``data_dir``."""
    for name in ("DEMO_BIND", "DEMO_DEBUG", "DEMO_ALLOWED_HOSTS", "DEMO_MFE_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEMO_DATA_DIR", str(data_dir))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "demo_host.settings", raising=False)
    return importlib.import_module("demo_host.settings")


@pytest.fixture(autouse=True)
def demo_host(monkeypatch, settings, tmp_path):
    """Serve the demo host's URLs; it is a project beside the package, importable from ``demo/``."""
    monkeypatch.syspath_prepend(str(DEMO_DIR))
    demo_settings = load_demo_settings(monkeypatch, tmp_path / "demo-data")
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.contrib.admin"]
    settings.ROOT_URLCONF = "demo_host.urls"
    settings.DEMO_MFE_ORIGINS = [MFE_ORIGIN]
    settings.DEMO_MFE_DIST = ""
    settings.LOGIN_URL = demo_settings.LOGIN_URL
    settings.LOGIN_REDIRECT_URL = demo_settings.LOGIN_REDIRECT_URL
    settings.TEMPLATES = demo_settings.TEMPLATES
    settings.DEBUG = demo_settings.DEBUG
    return demo_settings


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


def test_home_sends_anonymous_users_to_sign_in(web):
    response = web.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login?next=/"


def test_signing_in_lands_on_the_home_page():
    make_user("instructor")

    response = Client().post("/login", {"username": "instructor", "password": "edx"})

    assert response.status_code == 302
    assert response["Location"] == "/"


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
def demo_cors(monkeypatch, settings, tmp_path):
    """The demo's CORS and CSRF settings as ``DEMO_MFE_ORIGINS`` makes them, with the CORS middleware."""
    demo_settings = load_demo_settings(
        monkeypatch, tmp_path / "demo-data", DEMO_MFE_ORIGINS=f"{MFE_ORIGIN}/, http://other.test:9000"
    )
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


ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}


def assert_envelope(response, status: int, error_code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body.keys() >= ENVELOPE_KEYS
    assert body["error_code"] == error_code


@pytest.mark.parametrize(
    "path",
    [
        "/api/instructor/v2/nope",
        "/api/instructor_task/v1/",
        "/api/instructor_task/v1/nope",
        f"/api/instructor_task/v1/schedules/{COURSE_ID}/bulk_email/not-a-number",
        f"/courses/{COURSE_ID}/instructor/api/nope",
        f"/courses/{COURSE_ID}/instructor/api/list_instructor_tasks/extra",
        # No course id matches: the demo host's own 404 handler answers.
        "/courses/not-a-course-id/instructor/api/nope",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_paths_under_the_plugin_mounts_answer_the_envelope(web, api_v2_on, path, method):
    assert_envelope(getattr(web, method)(path), 404, "endpoint_not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/api/instructor_task/v1/nope",
        f"/api/instructor_task/v1/schedules/{COURSE_ID}/bulk_email/not-a-number",
        f"/courses/{COURSE_ID}/instructor/api/nope",
    ],
)
def test_the_plugin_answers_its_own_misses_in_any_host(web, settings, path):
    settings.ROOT_URLCONF = "tests.urls"

    assert_envelope(web.post(path), 404, "endpoint_not_found")


def test_unknown_paths_elsewhere_answer_a_plain_page_listing_nothing(web):
    response = web.get("/nope")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"urlpatterns" not in response.content
    assert b"admin/" not in response.content


@pytest.mark.parametrize(
    ("handler_name", "status", "error_code"),
    [
        ("bad_request", 400, "bad_request"),
        ("permission_denied", 403, "permission_denied"),
        ("page_not_found", 404, "endpoint_not_found"),
        ("server_error", 500, "server_error"),
    ],
)
def test_error_handlers_answer_the_envelope_under_the_plugin_mounts(rf, handler_name, status, error_code):
    handler = getattr(importlib.import_module("demo_host.errors"), handler_name)

    def answer(path: str):
        request = rf.post(path)
        return handler(request) if handler_name == "server_error" else handler(request, Exception("the cause"))

    assert_envelope(answer(f"/courses/{COURSE_ID}/instructor/api/list_instructor_tasks"), status, error_code)
    plain = answer("/admin/nope")
    assert plain.status_code == status
    assert plain["Content-Type"].startswith("text/html")
    assert b"the cause" not in plain.content


def test_a_malformed_login_answers_400_without_a_traceback(demo_host):
    response = Client().post("/login", data=b"--x\r\n", content_type="multipart/form-data")

    assert demo_host.DEBUG is False
    assert response.status_code == 400
    assert b"Traceback" not in response.content
    assert b"SECRET_KEY" not in response.content


def test_debug_is_off_unless_asked_for(monkeypatch, tmp_path):
    assert load_demo_settings(monkeypatch, tmp_path).DEBUG is False
    assert load_demo_settings(monkeypatch, tmp_path, DEMO_DEBUG="1").DEBUG is True


@pytest.mark.parametrize(
    ("environment", "allowed", "url"),
    [
        ({}, ["localhost", "127.0.0.1", "[::1]"], "http://localhost:8000"),
        ({"DEMO_BIND": "127.0.0.1:8123"}, ["localhost", "127.0.0.1", "[::1]"], "http://localhost:8123"),
        ({"DEMO_BIND": "192.0.2.7:9000"}, ["localhost", "127.0.0.1", "[::1]", "192.0.2.7"], "http://192.0.2.7:9000"),
        (
            {"DEMO_BIND": "0.0.0.0:8000", "DEMO_ALLOWED_HOSTS": "demo.example, other.example"},
            ["localhost", "127.0.0.1", "[::1]", "demo.example", "other.example"],
            "http://localhost:8000",
        ),
    ],
)
def test_allowed_hosts_follow_the_bind_address(monkeypatch, tmp_path, environment, allowed, url):
    demo_settings = load_demo_settings(monkeypatch, tmp_path, **environment)

    assert allowed == demo_settings.ALLOWED_HOSTS
    assert url == demo_settings.DEMO_URL
    assert demo_settings.INSTRUCTOR_PLUGIN["LMS_ROOT_URL"] == url


def test_the_secret_key_is_made_on_first_run_and_kept(monkeypatch, tmp_path):
    first = load_demo_settings(monkeypatch, tmp_path).SECRET_KEY
    again = load_demo_settings(monkeypatch, tmp_path).SECRET_KEY
    elsewhere = load_demo_settings(monkeypatch, tmp_path / "other").SECRET_KEY

    assert len(first) >= 50
    assert again == first
    assert elsewhere != first
    assert load_demo_settings(monkeypatch, tmp_path, DEMO_SECRET_KEY="given").SECRET_KEY == "given"


@pytest.fixture
def served_static(demo_host, settings, monkeypatch, tmp_path):
    """The demo's static files, collected as ``demo/run.py`` does and served by WhiteNoise, DEBUG off."""
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.contrib.staticfiles", "drf_spectacular_sidecar"]
    settings.MIDDLEWARE = [name for name in demo_host.MIDDLEWARE if name.startswith("whitenoise")] + list(
        settings.MIDDLEWARE
    )
    settings.STATIC_URL = demo_host.STATIC_URL
    settings.STATIC_ROOT = tmp_path / "static"
    for name, value in demo_host.SPECTACULAR_SETTINGS.items():
        monkeypatch.setattr(spectacular_settings, name, value)
    call_command("collectstatic", interactive=False, verbosity=0)


def test_the_api_docs_load_swagger_ui_from_this_host(web, api_v2_on, served_static):
    html = web.get("/api/instructor/v2/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    assert all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets)
    assert "//" not in "".join(assets)
    assert "cdn" not in html
    for asset in assets:
        response = web.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content)


def test_the_admin_styles_are_served_with_debug_off(web, served_static):
    response = web.get("/static/admin/css/base.css")

    assert response.status_code == 200


DEMO_KEY = CourseKey.from_string(COURSE_ID)


def figure(html: str, figure_id: str) -> int:
    return int(re.search(rf'id="{figure_id}">(\d+)', html).group(1))


def test_home_page_shows_the_demo_course_and_its_numbers(web):
    seed_demo_course(learners=12)
    instructor = make_user("someone")
    create_task_record("batch_enrollment", DEMO_KEY, instructor.pk, {})
    web.force_login(instructor)

    html = web.get("/").content.decode()

    assert "Open edX Demo Course" in html
    assert figure(html, "enrollments") == CourseEnrollment.objects.filter(course_key=DEMO_KEY, is_active=True).count()
    assert figure(html, "enrollments") > 12
    assert figure(html, "problems") == Block.objects.filter(course__course_key=DEMO_KEY, block_type="problem").count()
    assert figure(html, "exams") == SpecialExam.objects.filter(course_key=DEMO_KEY).count() > 0
    issued = GeneratedCertificate.objects.filter(course_key=DEMO_KEY, status="downloadable").count()
    assert figure(html, "certificates") == issued
    assert figure(html, "open-tasks") == 1
    assert "verified: " in html
    for link in ("/api/instructor/v2/docs/", "/admin/", "/logout"):
        assert f'href="{link}"' in html
    for username in ("staff", "instructor", "course_staff", "data_researcher", "outsider"):
        assert f"<code>{username}</code>" in html


def test_home_page_links_the_configured_mfes(web, settings):
    settings.DEMO_MFE_DIST = "/somewhere/dist"
    web.force_login(make_user("someone"))

    html = web.get("/").content.decode()

    assert f'href="/instructor-dashboard/{COURSE_ID}/course_info"' in html
    assert f'href="{MFE_ORIGIN}/"' in html
    assert "not seeded" in html


def test_home_page_escapes_what_it_shows(web, course_key):
    Course.objects.create(course_key=DEMO_KEY, display_name="<script>alert(1)</script>", grading_policy={})
    web.force_login(make_user("someone"))

    html = web.get("/").content.decode()

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


WRITERS_SCRIPT = """
import json, threading, time
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    synchronous = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE counter (n integer)")
connection.close()
failures = []

def write(n):
    # Read, then write after the other writer has read too: the pattern that fails with deferred
    # transactions ("database is locked") unless each one takes the write lock when it begins.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM counter")
            time.sleep(0.5)
            cursor.execute("INSERT INTO counter VALUES (%s)", [n])
    except Exception as exc:
        failures.append(repr(exc))
    finally:
        connection.close()

writers = [threading.Thread(target=write, args=(n,)) for n in range(2)]
for writer in writers:
    writer.start()
for writer in writers:
    writer.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM counter")
    rows = cursor.fetchone()[0]
print(json.dumps({"journal_mode": journal_mode, "synchronous": synchronous, "rows": rows, "failures": failures}))
"""


def demo_process_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("DEMO_")}
    return {
        **environment,
        "DJANGO_SETTINGS_MODULE": "demo_host.settings",
        "PYTHONPATH": os.pathsep.join([str(DEMO_DIR), str(DEMO_DIR.parent)]),
        "DEMO_DATA_DIR": str(data_dir),
        **extra,
    }


def test_the_demo_database_takes_concurrent_writers(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", WRITERS_SCRIPT],
        env=demo_process_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"journal_mode": "wal", "synchronous": 1, "rows": 2, "failures": []}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, demo: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert demo.poll() is None, "the demo host stopped before serving"
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the demo host did not serve {url} within {seconds}s")


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_make_demo_serves_with_gunicorn_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    demo = subprocess.Popen(
        [sys.executable, str(DEMO_DIR / "run.py")],
        env=demo_process_environment(tmp_path, DEMO_BIND=f"127.0.0.1:{port}", DEMO_LEARNERS="2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_serving(f"{base}/login", demo, seconds=180)
        children = psutil.Process(demo.pid).children(recursive=True)

        status, headers, _ = fetch(f"{base}/")
        assert status == 200  # /login, where / redirects anonymous users
        assert headers["Server"] == "gunicorn"
        status, _, docs = fetch(f"{base}/api/instructor/v2/docs/")
        assert status == 200
        assets = re.findall(rb'(?:src|href)="([^"]+)"', docs)
        assert assets
        assert all(fetch(f"{base}{asset.decode()}")[0] == 200 for asset in assets)
        status, headers, body = fetch(f"{base}/api/instructor_task/v1/nope")
        assert (status, json.loads(body)["error_code"]) == (404, "endpoint_not_found")
        assert len([child for child in children if "gunicorn" in " ".join(child.cmdline())]) > 2
        assert any("celery" in " ".join(child.cmdline()) for child in children)

        demo.send_signal(signal.SIGTERM)

        assert demo.wait(timeout=60) == 0
        _, still_running = psutil.wait_procs(children, timeout=10)
        assert still_running == []
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()


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


# --- The Gradebook MFE served from DEMO_GRADEBOOK_DIST -------------------------------------------


@pytest.fixture
def gradebook_dist(tmp_path, settings) -> Path:
    dist = tmp_path / "gradebook-dist"
    (dist / "static").mkdir(parents=True)
    (dist / "index.html").write_text("<html>the gradebook</html>")
    (dist / "static" / "main.abcd.js").write_text("console.log('gradebook');")
    settings.DEMO_GRADEBOOK_DIST = str(dist)
    return dist


def test_gradebook_is_not_served_without_a_dist_folder(web, settings):
    settings.DEMO_GRADEBOOK_DIST = ""

    assert web.get(f"/gradebook/{COURSE_ID}").status_code == 404


def test_gradebook_serves_its_files(web, gradebook_dist):
    response = web.get("/gradebook/static/main.abcd.js")

    assert response.status_code == 200
    assert body(response) == b"console.log('gradebook');"


@pytest.mark.parametrize("path", ["/gradebook", "/gradebook/", f"/gradebook/{COURSE_ID}"])
def test_gradebook_routes_fall_back_to_index_html(web, gradebook_dist, path):
    response = web.get(path)

    assert response.status_code == 200
    assert body(response) == b"<html>the gradebook</html>"
    assert response["Cache-Control"] == "no-cache"


def test_gradebook_does_not_serve_files_outside_its_folder(web, gradebook_dist):
    (gradebook_dist.parent / "secret.txt").write_text("secret")

    assert web.get("/gradebook/../secret.txt").status_code == 400


def test_the_gradebook_dist_makes_gradebook_url_point_at_it(
    monkeypatch, tmp_path, settings, api_v2_on, writable_gradebook_on, users, course_key
):
    without = load_demo_settings(monkeypatch, tmp_path)
    demo_settings = load_demo_settings(monkeypatch, tmp_path, DEMO_GRADEBOOK_DIST=str(tmp_path))
    assert without.INSTRUCTOR_PLUGIN.get("WRITABLE_GRADEBOOK_URL") is None
    settings.INSTRUCTOR_PLUGIN = demo_settings.INSTRUCTOR_PLUGIN
    client = APIClient()
    client.force_authenticate(users["instructor"])

    url = client.get(v2()).json()["gradebook_url"]

    assert url == f"{demo_settings.DEMO_URL}/gradebook/{course_key}"
