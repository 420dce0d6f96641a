"""Limits at the edge: body size, form fields and parts, JSON depth and shape, page numbers; never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousFileOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http.multipartparser import MultiPartParserError
from django.test import RequestFactory
from django.utils.crypto import get_random_string
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.request import Request
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import CourseEnrollment
from instructor_plugin.backends.data import Page
from instructor_plugin.rest_api.errors import RequestTooLarge, exception_handler
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.parsers import ArrayJSONParser, LimitedFormParser, ObjectJSONParser
from instructor_plugin.rest_api.views import CourseAPIView
from tests.conftest import COURSE_ID, v2
from tests.test_auth_and_errors import assert_envelope, jwt_client, session_client

MODIFY_URL = v2(suffix="/enrollments/modify")
SCORES_URL = v2(suffix="/problems/block-v1:TestX+T101+2026+type@problem+block@p1/grading/scores")
BOUNDARY = "fuzzboundary"


def csrf_session(user):
    """A signed-in session client with CSRF checks on and a valid token: the body is the only problem."""
    client = session_client(user)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def multipart(parts: int, *, files: bool) -> bytes:
    filename = '; filename="part.txt"' if files else ""
    body = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="field{n}"{filename}\r\n\r\nx\r\n' for n in range(parts)
    )
    return f"{body}--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
FORM = "application/x-www-form-urlencoded"
BAD_BODIES = {
    "multipart without a boundary": (b"field=1", "multipart/form-data", 400, "parse_error"),
    "more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS": (
        "&".join(f"field{n}=1" for n in range(1001)).encode(),
        FORM,
        400,
        "too_many_fields",
    ),
    "more multipart fields than DATA_UPLOAD_MAX_NUMBER_FIELDS": (multipart(1200, files=False), MULTIPART, 400, None),
    "more multipart files than DATA_UPLOAD_MAX_NUMBER_FILES": (multipart(1200, files=True), MULTIPART, 400, None),
    "a 3 MB form": (b"identifier=" + b"x" * 3_000_000, FORM, 413, "request_too_large"),
    "a 5 MB JSON body": (json.dumps({"identifier": ["x" * 5_000_000]}).encode(), "application/json", 413, None),
    "deeply nested JSON": (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "parse_error"),
    "JSON nested 33 levels": (b'{"a": ' * 33 + b"1" + b"}" * 33, "application/json", 400, "parse_error"),
    "invalid JSON": (b'{"identifier": ', "application/json", 400, "parse_error"),
    "invalid UTF-8": (b'{"identifier": "\xff"}', "application/json", 400, "parse_error"),
    "a JSON list": (b'["learner"]', "application/json", 400, "invalid_body"),
    "a JSON string": (b'"learner"', "application/json", 400, "invalid_body"),
    "JSON null": (b"null", "application/json", 400, "invalid_body"),
    "a JSON number": (b"3", "application/json", 400, "invalid_body"),
}


@pytest.mark.parametrize(("body", "content_type", "status", "code"), BAD_BODIES.values(), ids=list(BAD_BODIES))
class TestBadBodies:
    def test_refused_in_the_envelope_for_a_signed_in_user_without_permission(
        self, api_v2_on, users, body, content_type, status, code
    ):
        """The session's CSRF check reads the form before any permission check: the body is refused first."""
        response = csrf_session(users["outsider"]).generic("POST", MODIFY_URL, body, content_type=content_type)

        assert_envelope(response, status, code)

    def test_refused_for_an_instructor_with_nothing_written(self, api_v2_on, users, body, content_type, status, code):
        before = CourseEnrollment.objects.count()

        response = csrf_session(users["instructor"]).generic("POST", MODIFY_URL, body, content_type=content_type)

        assert_envelope(response, status, code)
        assert CourseEnrollment.objects.count() == before

    def test_refused_with_a_jwt_too(self, api_v2_on, users, body, content_type, status, code):
        response = jwt_client(users["instructor"]).generic("POST", MODIFY_URL, body, content_type=content_type)

        assert_envelope(response, status, code)


@pytest.mark.parametrize("body", [b"[1]", b'"learner"', b"null", b"3"])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_grading_writes_refuse_a_body_that_is_not_an_object(api_v2_on, users, method, body):
    url = SCORES_URL if method == "put" else v2(suffix="/problems/block-v1:TestX+T101+2026+type@problem+block@p1")
    url = {"post": f"{url}/grading/attempts/reset", "delete": f"{url}/grading/state"}.get(method, url)

    response = getattr(jwt_client(users["instructor"]), method)(url, body, content_type="application/json")

    assert_envelope(response, 400, "invalid_body")


def test_an_object_body_still_works(api_v2_on, users):
    response = csrf_session(users["instructor"]).post(
        MODIFY_URL, {"identifier": ["learner"], "action": "unenroll"}, format="json"
    )

    assert response.status_code == 200, response.content


def test_json_nested_at_the_limit_is_read(api_v2_on, users):
    """32 levels is allowed: the depth rule refuses only deeper bodies (here the serializer answers)."""
    body = b'{"identifier": ' + b"[" * 31 + b"]" * 31 + b', "action": "enroll"}'

    response = jwt_client(users["instructor"]).generic("POST", MODIFY_URL, body, content_type="application/json")

    assert_envelope(response, 400, "validation_error", validation=True)


class TestBodySize:
    def test_content_length_alone_decides_before_authentication(self, api_v2_on, db):
        """An anonymous request announcing a body over the limit is a 413, not a 401."""
        response = APIClient().generic(
            "POST", MODIFY_URL, b"{}", content_type="application/json", CONTENT_LENGTH="3000000"
        )

        assert_envelope(response, 413, "request_too_large")

    def test_the_limit_is_a_plugin_setting(self, api_v2_on, users, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_REQUEST_BODY_BYTES": 100}
        body = {"identifier": ["learner"] * 20, "action": "enroll"}

        response = jwt_client(users["instructor"]).post(MODIFY_URL, body, format="json")

        assert_envelope(response, 413, "request_too_large")

    def test_a_malformed_content_length_is_a_400(self, api_v2_on, users):
        response = jwt_client(users["instructor"]).generic(
            "POST", MODIFY_URL, b"{}", content_type="application/json", CONTENT_LENGTH="lots"
        )

        assert_envelope(response, 400, "parse_error")

    @pytest.mark.parametrize("parser_class", [ObjectJSONParser, LimitedFormParser])
    def test_parsers_count_what_they_read_not_what_was_announced(self, settings, parser_class):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_REQUEST_BODY_BYTES": 10}

        with pytest.raises(RequestTooLarge):
            parser_class().parse(io.BytesIO(b'{"a": "more than ten bytes"}'), parser_class.media_type, {})

    @pytest.mark.parametrize(
        ("parser_class", "wrong_shape", "right_shape"),
        [(ObjectJSONParser, b"[1]", b'{"a": 1}'), (ArrayJSONParser, b'{"a": 1}', b"[1]")],
    )
    def test_json_parsers_take_one_top_level_shape(self, parser_class, wrong_shape, right_shape):
        with pytest.raises(ParseError) as refused:
            parser_class().parse(io.BytesIO(wrong_shape), parser_class.media_type, {})

        assert refused.value.get_codes() == "invalid_body"
        assert parser_class().parse(io.BytesIO(right_shape), parser_class.media_type, {}) == json.loads(right_shape)

    def test_a_body_on_a_get_is_not_read(self, api_v2_on, users):
        response = jwt_client(users["instructor"]).generic("GET", v2(), b"[1]", content_type="application/json")

        assert response.status_code == 200


DJANGO_REFUSALS = {
    "RequestDataTooBig": (RequestDataTooBig(), 413, "request_too_large"),
    "TooManyFieldsSent": (TooManyFieldsSent(), 400, "too_many_fields"),
    "TooManyFilesSent": (TooManyFilesSent(), 400, "too_many_files"),
    "MultiPartParserError": (MultiPartParserError("Invalid boundary"), 400, "parse_error"),
    "DisallowedHost": (DisallowedHost("evil.example"), 400, "suspicious_request"),
    "SuspiciousFileOperation": (SuspiciousFileOperation("../etc"), 400, "suspicious_request"),
}


@pytest.mark.parametrize(("exc", "status", "code"), DJANGO_REFUSALS.values(), ids=list(DJANGO_REFUSALS))
def test_django_refusals_of_a_request_map_to_the_envelope(exc, status, code):
    """What Django raises while it parses a form (e.g. inside the session's CSRF check) is never a 500."""
    response = exception_handler(exc, {"view": CourseAPIView()})

    assert response.status_code == status
    assert response.data["error_code"] == code


class TestPageNumbers:
    @pytest.mark.parametrize(
        "path",
        [
            v2(suffix="/enrollments"),
            v2(suffix="/team"),
            v2(suffix="/ora"),
            f"/api/instructor_task/v1/schedules/{COURSE_ID}/bulk_email/",
        ],
    )
    @pytest.mark.parametrize("page", ["99999999999999999999999", "2147483649", str(10**4000)])
    def test_a_huge_page_is_not_found(self, api_v2_on, users, path, page):
        response = jwt_client(users["global_staff"]).get(path, {"page": page, "page_size": 100})

        body = assert_envelope(response, 404)
        assert body["error"] == "Invalid page."

    def test_a_page_beyond_the_bound_never_reaches_the_backend(self, rf: RequestFactory):
        request = Request(rf.get("/", {"page": "21474838", "page_size": "100"}))
        calls = []

        with pytest.raises(NotFound):
            BackendPagination().paginate(request, lambda window: calls.append(window) or Page(items=[], total=0))

        assert calls == []

    def test_page_size_is_still_clamped(self, api_v2_on, users):
        response = jwt_client(users["global_staff"]).get(v2(suffix="/enrollments"), {"page_size": 10**30})

        assert response.status_code == 200
        assert response.json()["num_pages"] == 1
