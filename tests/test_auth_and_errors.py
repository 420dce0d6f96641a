"""Authentication (JWT, session with CSRF, anonymous) and the one error envelope of every error response."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils.crypto import get_random_string
from edx_rest_framework_extensions.auth.jwt.tests.utils import (
    generate_asymmetric_jwt_token,
    generate_latest_version_payload,
)
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import CourseEnrollment, UserProfile
from tests.conftest import COURSE_ID, make_user, v2

User = get_user_model()

ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}
VALIDATION_KEYS = ENVELOPE_KEYS | {"field_errors"}
MODIFY_URL = v2(suffix="/enrollments/modify")
ENROLL_LEARNER = {"identifier": ["learner"], "action": "enroll"}
LEGACY_STATUS_URL = f"/courses/{COURSE_ID}/instructor/api/get_student_enrollment_status"


def assert_envelope(response, status: int, error_code: str | None = None, *, validation: bool = False) -> dict:
    """The response is ``status`` with exactly the envelope's keys, its messages filled in."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == (VALIDATION_KEYS if validation else ENVELOPE_KEYS), body
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["detail"] == body["error"]
    assert isinstance(body["developer_message"], str)
    assert body["developer_message"]
    assert isinstance(body["error_code"], str)
    assert body["error_code"] == body["error_code"].lower()
    assert " " not in body["error_code"]
    if error_code is not None:
        assert body["error_code"] == error_code
    return body


def jwt_client(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    token = generate_asymmetric_jwt_token(generate_latest_version_payload(user))
    client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
    return client


def session_client(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=user.username, password="edx")
    return client


class TestJwt:
    def test_jwt_authenticates_an_instructor(self, api_v2_on, users):
        response = jwt_client(users["instructor"]).get(v2())

        assert response.status_code == 200, response.content
        assert response.json()["username"] == "instructor"
        assert response.json()["course_id"] == COURSE_ID

    def test_jwt_user_without_the_permission_gets_403(self, api_v2_on, users):
        response = jwt_client(users["outsider"]).get(v2())

        assert_envelope(response, 403, "permission_denied")

    def test_jwt_post_needs_no_csrf_token(self, api_v2_on, users):
        """A JWT in the Authorization header cannot be forged cross-site: no CSRF check."""
        response = jwt_client(users["instructor"]).post(MODIFY_URL, ENROLL_LEARNER, format="json")

        assert response.status_code == 200, response.content
        assert response.json()["results"][0]["identifier"] == "learner"

    @pytest.mark.parametrize("header", ["JWT not-a-token", "JWT a.b.c"])
    def test_a_bad_token_is_401(self, api_v2_on, users, header):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)

        response = client.get(v2())

        assert_envelope(response, 401)
        assert response["WWW-Authenticate"].startswith("JWT")


ANONYMOUS_CALLS = [
    ("get", v2()),
    ("get", v2(suffix="/enrollments")),
    ("post", MODIFY_URL),
    ("delete", v2(suffix="/team/learner")),
    ("post", LEGACY_STATUS_URL),
]


class TestAnonymous:
    @pytest.mark.parametrize(("method", "path"), ANONYMOUS_CALLS)
    def test_anonymous_is_401_with_www_authenticate(self, api_v2_on, users, method, path):
        response = getattr(APIClient(), method)(path, {}, format="json")

        assert_envelope(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == 'JWT realm="api"'

    def test_anonymous_on_an_unknown_course_is_401(self, api_v2_on, users):
        """Authentication comes first: an anonymous caller learns nothing about which courses exist."""
        response = APIClient().get(v2("course-v1:TestX+NOPE+2026"))

        assert_envelope(response, 401, "not_authenticated")


class TestSessionAndCsrf:
    def test_session_get_needs_no_csrf_token(self, api_v2_on, users):
        response = session_client(users["instructor"]).get(v2())

        assert response.status_code == 200, response.content

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("post", MODIFY_URL, ENROLL_LEARNER),
            ("post", v2(suffix="/beta_testers/modify"), {"identifier": ["learner"], "action": "add"}),
            ("post", v2(suffix="/team"), {"identifiers": ["learner"], "role": "Moderator", "action": "allow"}),
            ("delete", v2(suffix="/team/learner"), {"roles": ["Moderator"]}),
            ("post", LEGACY_STATUS_URL, {"unique_student_identifier": "learner"}),
        ],
    )
    def test_unsafe_methods_need_the_csrf_token(self, api_v2_on, users, method, path, body):
        client = session_client(users["instructor"])

        refused = getattr(client, method)(path, body, format="json")

        body_403 = assert_envelope(refused, 403, "permission_denied")
        assert "CSRF" in body_403["error"]

        token = get_random_string(32)
        client.cookies["csrftoken"] = token
        accepted = getattr(client, method)(path, body, format="json", HTTP_X_CSRFTOKEN=token)

        assert accepted.status_code == 200, accepted.content

    def test_a_wrong_csrf_token_is_refused(self, api_v2_on, users):
        client = session_client(users["instructor"])
        client.cookies["csrftoken"] = get_random_string(32)

        response = client.post(MODIFY_URL, ENROLL_LEARNER, format="json", HTTP_X_CSRFTOKEN=get_random_string(32))

        assert_envelope(response, 403, "permission_denied")
        assert not CourseEnrollment.objects.filter(user__username="learner", is_active=False).exists()

    def test_a_refused_csrf_post_changes_nothing(self, api_v2_on, users):
        client = session_client(users["instructor"])

        client.post(v2(suffix="/beta_testers/modify"), {"identifier": ["learner"], "action": "add"}, format="json")

        assert not users["learner"].builtin_course_roles.exists()


class TestValidationErrors:
    @pytest.fixture
    def instructor(self, api_v2_on, users, client):
        client.force_authenticate(users["instructor"])
        return client

    def test_field_errors_list_every_bad_field(self, instructor):
        response = instructor.post(MODIFY_URL, {"identifier": "learner", "action": "explode"}, format="json")

        body = assert_envelope(response, 400, "validation_error", validation=True)
        assert set(body["field_errors"]) == {"identifier", "action"}
        assert body["field_errors"]["identifier"] == ['Expected a list of items but got type "str".']
        assert body["field_errors"]["action"] == ['"explode" is not a valid choice.']
        assert body["error"].startswith("Invalid request.")

    def test_missing_fields_are_required(self, instructor):
        response = instructor.post(MODIFY_URL, {}, format="json")

        body = assert_envelope(response, 400, "validation_error", validation=True)
        assert body["field_errors"] == {
            "identifier": ["This field is required."],
            "action": ["This field is required."],
        }

    def test_empty_identifier_list(self, instructor):
        response = instructor.post(MODIFY_URL, {"identifier": [], "action": "enroll"}, format="json")

        body = assert_envelope(response, 400, "validation_error", validation=True)
        assert list(body["field_errors"]) == ["identifier"]
        assert len(body["field_errors"]["identifier"]) == 1

    def test_field_errors_are_lists_of_strings_for_nested_items(self, instructor):
        response = instructor.post(MODIFY_URL, {"identifier": ["ok", "x" * 300], "action": "enroll"}, format="json")

        body = assert_envelope(response, 400, "validation_error", validation=True)
        assert list(body["field_errors"]) == ["identifier"]
        assert all(isinstance(message, str) for message in body["field_errors"]["identifier"])
        assert "255" in body["field_errors"]["identifier"][0]

    def test_team_role_choice(self, instructor):
        response = instructor.post(
            v2(suffix="/team"), {"identifiers": ["learner"], "role": "overlord", "action": "allow"}, format="json"
        )

        body = assert_envelope(response, 400, "validation_error", validation=True)
        assert list(body["field_errors"]) == ["role"]

    def test_bad_query_parameter(self, instructor):
        response = instructor.get(v2(suffix="/enrollments"), {"is_beta_tester": "maybe"})

        body = assert_envelope(response, 400, "validation_error", validation=True)
        assert list(body["field_errors"]) == ["is_beta_tester"]

    def test_unsupported_media_type(self, instructor):
        response = instructor.post(MODIFY_URL, "identifier=learner", content_type="text/plain")

        assert_envelope(response, 415, "unsupported_media_type")

    def test_malformed_json_is_400_not_500(self, instructor):
        response = instructor.post(MODIFY_URL, "{not json", content_type="application/json")

        assert_envelope(response, 400, "parse_error")


class TestOtherErrors:
    def test_403_envelope(self, api_v2_on, users, client):
        client.force_authenticate(users["learner"])

        assert_envelope(client.get(v2(suffix="/enrollments")), 403, "permission_denied")

    def test_404_unknown_course(self, api_v2_on, users, client):
        client.force_authenticate(users["global_staff"])

        body = assert_envelope(client.get(v2("course-v1:TestX+NOPE+2026")), 404, "course_not_found")
        assert body["error"] == "Course not found."

    @pytest.mark.parametrize(
        "path",
        [
            "/api/instructor/v2/",
            "/api/instructor/v2/nope",
            "/api/instructor/v2/courses/",
            v2(suffix="/nope"),
            v2(suffix="/enrollments/nope"),
        ],
    )
    @pytest.mark.parametrize("role", ["global_staff", None])
    @pytest.mark.parametrize("method", ["get", "post", "delete"])
    def test_404_unknown_endpoint(self, api_v2_on, users, client, path, role, method):
        if role:
            client.force_authenticate(users[role])

        assert_envelope(getattr(client, method)(path, {}, format="json"), 404, "endpoint_not_found")

    def test_404_unknown_learner(self, api_v2_on, users, client):
        client.force_authenticate(users["instructor"])

        assert_envelope(client.get(v2(suffix="/learners/nobody")), 404, "learner_not_found")

    def test_400_ambiguous_learner(self, api_v2_on, users, client):
        make_user("clash")
        other = make_user("someone")
        other.email = "clash"
        other.save()
        client.force_authenticate(users["instructor"])

        assert_envelope(client.get(v2(suffix="/learners/clash")), 400, "ambiguous_identifier")

    def test_405_wrong_method(self, api_v2_on, users, client):
        client.force_authenticate(users["instructor"])

        assert_envelope(client.put(v2(suffix="/enrollments"), {}, format="json"), 405, "method_not_allowed")


def make_learners(course_key, count: int) -> None:
    User.objects.bulk_create(
        [User(username=f"page{i:04d}", email=f"page{i:04d}@example.com", password="!") for i in range(count)]
    )
    people = list(User.objects.filter(username__startswith="page"))
    UserProfile.objects.bulk_create([UserProfile(user=user, name=user.username) for user in people])
    CourseEnrollment.objects.bulk_create([CourseEnrollment(user=user, course_key=course_key) for user in people])


class TestPagination:
    @pytest.fixture
    def instructor(self, api_v2_on, users, client):
        client.force_authenticate(users["instructor"])
        return client

    @pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "1.5", ""])
    @pytest.mark.parametrize("suffix", ["/enrollments", "/team"])
    def test_bad_page_is_404(self, instructor, page, suffix):
        body = assert_envelope(instructor.get(v2(suffix=suffix), {"page": page}), 404)
        assert body["error"] == "Invalid page."

    def test_last_page_is_fine_and_the_next_is_404(self, instructor, course_key):
        make_learners(course_key, 18)  # 20 with the fixture's two

        last = instructor.get(v2(suffix="/enrollments"), {"page": 2})
        assert last.status_code == 200
        assert last.json()["current_page"] == 2
        assert last.json()["num_pages"] == 2
        assert len(last.json()["results"]) == 10
        assert last.json()["next"] is None

        assert_envelope(instructor.get(v2(suffix="/enrollments"), {"page": 3}), 404)

    def test_envelope_and_links(self, instructor, course_key):
        make_learners(course_key, 18)  # 20 with the fixture's two

        body = instructor.get(v2(suffix="/enrollments"), {"page_size": 5, "page": 2, "search": "a"}).json()

        assert set(body) == {"count", "num_pages", "current_page", "start", "next", "previous", "results", "course_id"}
        assert body["course_id"] == COURSE_ID
        assert body["start"] == 5
        assert body["next"].startswith("http://testserver/api/instructor/v2/courses/")
        for link, page in ((body["next"], "page=3"), (body["previous"], "page=1")):
            assert page in link
            assert "page_size=5" in link
            assert "search=a" in link

    def test_empty_list_has_one_page(self, instructor, course_key):
        CourseEnrollment.objects.all().delete()

        response = instructor.get(v2(suffix="/enrollments"))

        assert response.status_code == 200, response.content
        assert response.json()["count"] == 0
        assert response.json()["num_pages"] == 1
        assert response.json()["results"] == []

    @pytest.mark.parametrize(("page_size", "expected"), [("500", 100), ("101", 100), ("100", 100), ("7", 7)])
    def test_page_size_clamps_to_100(self, instructor, course_key, page_size, expected):
        make_learners(course_key, 128)  # 130 with the fixture's two

        response = instructor.get(v2(suffix="/enrollments"), {"page_size": page_size})

        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["results"]) == expected
        assert body["count"] == 130
        assert body["num_pages"] == -(-130 // expected)

    def test_default_page_size_is_10(self, instructor, course_key):
        make_learners(course_key, 28)

        body = instructor.get(v2(suffix="/enrollments")).json()

        assert len(body["results"]) == 10
        assert body["num_pages"] == 3
        assert body["start"] == 0


class TestUnexpectedErrors:
    @pytest.mark.parametrize(
        ("target", "method", "path", "body"),
        [
            ("instructor_plugin.rest_api.v2.views.course.get_course_metadata", "get", v2(), None),
            (
                "instructor_plugin.rest_api.v2.views.enrollments.list_enrolled_learners",
                "get",
                v2(suffix="/enrollments"),
                None,
            ),
            (
                "instructor_plugin.rest_api.v2.views.enrollments.process_student_enrollment_batch",
                "post",
                MODIFY_URL,
                ENROLL_LEARNER,
            ),
            ("instructor_plugin.rest_api.v2.views.learners.get_learner_summary", "get", v2(suffix="/learners/x"), None),
            (
                "instructor_plugin.rest_api.v1.views.get_enrollment_status",
                "post",
                LEGACY_STATUS_URL,
                {"unique_student_identifier": "learner"},
            ),
        ],
    )
    def test_a_crash_is_a_500_in_the_envelope(self, api_v2_on, users, client, monkeypatch, target, method, path, body):
        def explode(*args, **kwargs):
            raise RuntimeError("secret internal detail")

        monkeypatch.setattr(target, explode)
        client.force_authenticate(users["instructor"])

        response = getattr(client, method)(path, body, format="json")

        result = assert_envelope(response, 500, "server_error")
        assert "secret internal detail" not in response.content.decode()
        assert result["error"] == "An unexpected error occurred."
