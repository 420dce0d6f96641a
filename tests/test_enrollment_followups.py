"""Enrollment API follow-ups: restricted JWT applications are refused, course details are cached."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_rest_framework_extensions.auth.jwt.tests.utils import (
    generate_asymmetric_jwt_token,
    generate_latest_version_payload,
)
from rest_framework.test import APIClient

from instructor_plugin import enrollment_api
from instructor_plugin.backends.builtin.models import CourseMode, UserRetirementStatus
from tests.conftest import COURSE_ID, make_user

BASE = "/api/enrollment/v1"


def token_client(user, *, restricted: bool, scopes=("enrollments:read", "enrollments:write")) -> APIClient:
    payload = generate_latest_version_payload(user, scopes=list(scopes), is_restricted=restricted)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {generate_asymmetric_jwt_token(payload)}")
    return client


#: (method, path, body) of every authenticated enrollment endpoint.
CALLS = [
    ("get", f"{BASE}/enrollment", None),
    ("post", f"{BASE}/enrollment", {"course_details": {"course_id": COURSE_ID}}),
    ("get", f"{BASE}/enrollment/{COURSE_ID}", None),
    ("get", f"{BASE}/enrollments", None),
    ("get", f"{BASE}/roles/", None),
    ("get", f"{BASE}/enrollment_allowed/", None),
    ("post", f"{BASE}/unenroll/", {"username": "learner"}),
]


@pytest.fixture
def superuser(course):
    user = make_user("super", is_staff=True)
    user.is_superuser = True
    user.save()
    return user


class TestRestrictedApplications:
    @pytest.mark.parametrize(("method", "path", "body"), CALLS)
    def test_a_restricted_application_is_refused_whatever_its_scopes(self, superuser, method, path, body):
        client = token_client(superuser, restricted=True)

        response = getattr(client, method)(path, body, format="json")

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_denied"

    @pytest.mark.parametrize(("method", "path", "body"), CALLS)
    def test_the_same_token_unrestricted_is_served(self, superuser, users, method, path, body):
        client = token_client(superuser, restricted=False)
        UserRetirementStatus.objects.create(
            user=users["learner"],
            original_username="learner",
            original_email="l@x.org",
            current_state="LOCKING_ACCOUNT",
        )

        response = getattr(client, method)(path, body, format="json")

        assert response.status_code in (200, 204), response.content

    def test_the_public_course_details_ignore_the_token(self, superuser):
        response = token_client(superuser, restricted=True).get(f"{BASE}/course/{COURSE_ID}")

        assert response.status_code == 200


class TestCourseDetailsCache:
    def test_read_once_then_from_the_cache_until_the_timeout(self, course, settings):
        first = enrollment_api.get_course_enrollment_details(COURSE_ID)
        CourseMode.objects.filter(course=course, slug="verified").update(display_name="Changed")

        with CaptureQueriesContext(connection) as queries:
            again = enrollment_api.get_course_enrollment_details(COURSE_ID)

        assert len(queries) == 0
        assert again == first

    def test_expired_modes_are_cached_apart(self, course):
        enrollment_api.get_course_enrollment_details(COURSE_ID)

        with CaptureQueriesContext(connection) as queries:
            enrollment_api.get_course_enrollment_details(COURSE_ID, include_expired=True)

        assert len(queries) > 0

    def test_the_timeout_is_the_hosts_setting(self, course, settings):
        settings.ENROLLMENT_COURSE_DETAILS_CACHE_TIMEOUT = 0
        enrollment_api.get_course_enrollment_details(COURSE_ID)
        CourseMode.objects.filter(course=course, slug="verified").update(display_name="Changed")

        modes = enrollment_api.get_course_enrollment_details(COURSE_ID)["course_modes"]

        assert "Changed" in {mode["name"] for mode in modes}

    def test_an_unknown_course_is_not_cached(self, db):
        with pytest.raises(enrollment_api.CourseNotFoundError):
            enrollment_api.get_course_enrollment_details("course-v1:No+Such+Run")

        with CaptureQueriesContext(connection) as queries, pytest.raises(enrollment_api.CourseNotFoundError):
            enrollment_api.get_course_enrollment_details("course-v1:No+Such+Run")
        assert len(queries) > 0
