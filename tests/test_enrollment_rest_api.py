"""``/api/enrollment/v1/``: the original's paths, rules, bodies and status codes, plus the envelope."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import (
    Course,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseEnrollmentAttribute,
    CourseMode,
    UserRetirementStatus,
)
from instructor_plugin.conf import plugin_setting
from instructor_plugin.models import AuditRecord
from instructor_plugin.rest_api.enrollment.urls import urlpatterns
from tests.conftest import COURSE_ID, enroll, make_user
from tests.test_auth_and_errors import jwt_client, session_client
from tests.test_permission_matrix import ROLES
from tests.test_query_counts import make_users

BASE = "/api/enrollment/v1"
API_KEY = "s3rver-to-s3rver"
ENVELOPE = {"error", "error_code", "detail", "developer_message"}


@pytest.fixture(autouse=True)
def api_key(settings):
    settings.EDX_API_KEY = API_KEY


def post(client, body, **extra):
    return client.post(f"{BASE}/enrollment", body, format="json", **extra)


def enroll_body(**values):
    return {"course_details": {"course_id": COURSE_ID}, **values}


def server_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_EDX_API_KEY=API_KEY)
    return client


def assert_refused(response, status_code, message=None):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) >= ENVELOPE
    if message is not None:
        assert body["message"] == message
    return body


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestPostRules:
    def test_a_learner_enrolls_in_the_default_mode(self, users):
        response = post(as_user(users["outsider"]), enroll_body())

        assert response.status_code == 200
        assert (response.json()["user"], response.json()["mode"]) == ("outsider", "audit")

    def test_course_id_is_required(self, users):
        assert_refused(
            post(as_user(users["outsider"]), {}), 400, "Course ID must be specified to create a new enrollment."
        )

    def test_a_malformed_course_id(self, users):
        body = {"course_details": {"course_id": "nope"}}
        assert_refused(post(as_user(users["outsider"]), body), 400, "No course 'nope' found for enrollment")

    def test_an_unknown_course(self, users):
        body = {"course_details": {"course_id": "course-v1:No+Such+Run"}}
        assert_refused(post(as_user(users["outsider"]), body), 400)

    def test_enrolling_someone_else_is_a_bare_404(self, users):
        assert_refused(post(as_user(users["outsider"]), enroll_body(user="learner")), 404)
        assert_refused(post(as_user(users["outsider"]), enroll_body(email="learner@example.com")), 404)

    def test_staff_enroll_by_email_and_unknown_email_is_406(self, users):
        staff = as_user(users["global_staff"])

        assert post(staff, enroll_body(email="outsider@example.com")).json()["user"] == "outsider"
        assert_refused(post(staff, enroll_body(email="ghost@example.com")), 406)

    def test_a_paid_mode_needs_privilege(self, users):
        assert_refused(
            post(as_user(users["outsider"]), enroll_body(mode="verified")),
            403,
            "User does not have permission to create enrollment with mode [verified].",
        )
        assert post(server_client(), enroll_body(user="outsider", mode="verified")).json()["mode"] == "verified"

    def test_an_unknown_user_is_406(self, users):
        assert_refused(post(server_client(), enroll_body(user="ghost")), 406, "The user ghost does not exist.")

    @pytest.mark.parametrize("name", ["is_active", "force_enrollment"])
    def test_flags_must_be_booleans(self, users, name):
        assert_refused(post(as_user(users["outsider"]), enroll_body(**{name: "yes"})), 400)

    def test_an_unknown_mode_lists_the_course_details(self, users):
        body = assert_refused(post(server_client(), enroll_body(user="outsider", mode="professional")), 400)
        assert body["course_details"]["course_id"] == COURSE_ID

    def test_an_expired_mode_is_refused_unless_forced_by_staff(self, users, course):
        CourseMode.objects.filter(course=course, slug="verified").update(
            expiration_datetime=timezone.now() - timedelta(days=1)
        )
        staff = as_user(users["global_staff"])

        assert_refused(post(staff, enroll_body(user="outsider", mode="verified")), 400)
        forced = post(staff, enroll_body(user="outsider", mode="verified", force_enrollment=True))
        assert forced.json()["mode"] == "verified"

    def test_a_closed_course(self, users, course):
        Course.objects.filter(pk=course.pk).update(enrollment_end=timezone.now() - timedelta(days=1))
        assert_refused(post(as_user(users["outsider"]), enroll_body()), 400)

    def test_an_invitation_only_course_is_403_until_invited(self, users, course):
        Course.objects.filter(pk=course.pk).update(invitation_only=True)
        body = assert_refused(post(as_user(users["outsider"]), enroll_body()), 403)
        assert body["localizedMessage"] == body["message"]

        CourseEnrollmentAllowed.objects.create(course_key=course.course_key, email="outsider@example.com")
        assert post(as_user(users["outsider"]), enroll_body()).status_code == 200

    def test_a_full_course(self, users, course):
        Course.objects.filter(pk=course.pk).update(max_student_enrollments_allowed=2)
        assert_refused(post(as_user(users["outsider"]), enroll_body()), 400)

    def test_already_enrolled_is_200_with_the_enrollment_unchanged(self, users):
        response = post(as_user(users["learner"]), enroll_body(mode="audit"))

        assert (response.status_code, response.json()["mode"]) == (200, "audit")

    def test_a_learner_cannot_deactivate_but_reactivates(self, users, course_key):
        CourseEnrollment.objects.filter(user=users["learner"]).update(is_active=False)

        response = post(as_user(users["learner"]), enroll_body())

        assert response.json()["is_active"] is True

    def test_privileged_deactivation_and_mode_change(self, users):
        server = server_client()

        changed = post(server, enroll_body(user="learner", mode="verified"))
        assert changed.json()["mode"] == "verified"
        assert_refused(post(server, enroll_body(user="learner", mode="audit", is_active=False)), 400)
        assert post(server, enroll_body(user="learner", is_active=False)).json()["is_active"] is False

    def test_a_credit_mode_change_needs_its_attributes(self, users, course):
        CourseMode.objects.create(course=course, slug="credit", display_name="Credit")
        server = server_client()

        assert_refused(post(server, enroll_body(user="learner", mode="credit")), 400)
        attrs = [{"namespace": "credit", "name": "provider_id", "value": "hogwarts"}]
        assert post(server, enroll_body(user="learner", mode="credit", enrollment_attributes=attrs)).status_code == 200
        assert CourseEnrollmentAttribute.objects.get().value == "hogwarts"

    def test_invalid_attributes(self, users):
        body = assert_refused(
            post(as_user(users["outsider"]), enroll_body(enrollment_attributes=[{"namespace": "x"}])), 400
        )
        assert "localizedMessage" in body

    def test_server_calls_are_audited(self, users):
        post(server_client(), enroll_body(user="outsider", mode="verified"))

        record = AuditRecord.objects.get(action="enrollment_change_requested")
        assert record.detail["actual_mode"] == "verified"

    def test_a_session_post_needs_csrf(self, users):
        response = post(session_client(users["outsider"]), enroll_body())
        assert_refused(response, 403)

    def test_a_jwt_post_needs_no_csrf(self, users):
        assert post(jwt_client(users["outsider"]), enroll_body()).status_code == 200

    @pytest.mark.parametrize(
        "body", [[], {"course_details": "x"}, {"course_details": {"course_id": 5}}, enroll_body(user=5)]
    )
    def test_odd_bodies_are_never_500(self, users, body):
        assert post(as_user(users["outsider"]), body).status_code in (400, 404)


class TestReads:
    def test_own_enrollment_and_others(self, users):
        learner = as_user(users["learner"])

        assert learner.get(f"{BASE}/enrollment/{COURSE_ID}").json()["user"] == "learner"
        assert as_user(users["outsider"]).get(f"{BASE}/enrollment/{COURSE_ID}").json() is None
        assert_refused(as_user(users["outsider"]).get(f"{BASE}/enrollment/learner,{COURSE_ID}"), 404)
        assert server_client().get(f"{BASE}/enrollment/learner,{COURSE_ID}").json()["mode"] == "audit"

    def test_list_of_another_user_is_filtered_to_staffed_courses(self, users, course_key):
        other = Course.objects.create(course_key="course-v1:OtherX+O1+2026", display_name="Other")
        enroll(users["learner"], other.course_key)

        mine = as_user(users["learner"]).get(f"{BASE}/enrollment").json()
        seen_by_staff = as_user(users["course_staff"]).get(f"{BASE}/enrollment?user=learner").json()
        seen_by_outsider = as_user(users["outsider"]).get(f"{BASE}/enrollment?user=learner").json()

        assert len(mine) == 2
        assert [row["course_details"]["course_id"] for row in seen_by_staff] == [COURSE_ID]
        assert seen_by_outsider == []
        assert_refused(as_user(users["outsider"]).get(f"{BASE}/enrollment?user=ghost"), 400)

    def test_course_details_are_public(self, course):
        CourseMode.objects.filter(course=course, slug="verified").update(
            min_price=49, sku="SKU", expiration_datetime=timezone.now() - timedelta(days=1)
        )
        client = APIClient()

        current = client.get(f"{BASE}/course/{COURSE_ID}").json()
        everything = client.get(f"{BASE}/course/{COURSE_ID}?include_expired=0").json()

        assert [m["slug"] for m in current["course_modes"]] == ["audit"]
        assert [m["sku"] for m in everything["course_modes"]] == [None, "SKU"]
        assert_refused(client.get(f"{BASE}/course/course-v1:No+Such+Run"), 400)

    def test_roles(self, users, course_key):
        body = as_user(users["instructor"]).get(f"{BASE}/roles/").json()

        assert body == {"roles": [{"org": "TestX", "course_id": COURSE_ID, "role": "instructor"}], "is_staff": False}
        filtered = as_user(users["instructor"]).get(f"{BASE}/roles/?course_id=course-v1:X+Y+Z").json()
        assert filtered["roles"] == []
        assert as_user(users["global_staff"]).get(f"{BASE}/roles/").json()["is_staff"] is True


class TestAdminList:
    def test_cursor_pages_newest_first(self, users, course_key):
        staff = as_user(users["global_staff"])

        first = staff.get(f"{BASE}/enrollments?page_size=1").json()
        second = staff.get(first["next"]).json()
        back = staff.get(second["previous"]).json()

        assert first["previous"] is None
        assert [r["user"] for r in first["results"]] == ["beta_tester"]
        assert [r["user"] for r in second["results"]] == ["learner"]
        assert second["next"] is None
        assert back["results"] == first["results"]
        assert set(first["results"][0]) == {"created", "mode", "is_active", "user", "course_id"}

    def test_filters(self, users, course_key):
        staff = as_user(users["global_staff"])

        assert len(staff.get(f"{BASE}/enrollments?course_id={quote(COURSE_ID)}").json()["results"]) == 2
        assert len(staff.get(f"{BASE}/enrollments?course_ids=TestX%2BT101").json()["results"]) == 2
        assert [r["user"] for r in staff.get(f"{BASE}/enrollments?username=learner").json()["results"]] == ["learner"]
        assert staff.get(f"{BASE}/enrollments?email=nobody@example.com").json()["results"] == []

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("course_id=nope", "course_id"),
            ("username=" + ",".join(f"u{i}" for i in range(101)), "username"),
            ("email=not-an-email", "email"),
        ],
    )
    def test_bad_filters_are_400_with_field_errors(self, users, query, field):
        body = assert_refused(as_user(users["global_staff"]).get(f"{BASE}/enrollments?{query}"), 400)
        assert field in body["field_errors"]

    def test_a_forged_cursor_is_404(self, users):
        assert_refused(as_user(users["global_staff"]).get(f"{BASE}/enrollments?cursor=!!"), 404)


class TestUnenroll:
    def test_the_retirement_worker_unenrolls_from_everything(self, settings, users):
        settings.RETIREMENT_SERVICE_WORKER_USERNAME = "retirement_worker"
        worker = as_user(make_user("retirement_worker"))
        UserRetirementStatus.objects.create(
            user=users["learner"],
            original_username="learner",
            original_email="l@x.org",
            current_state="RETIRING_ENROLLMENTS",
        )

        response = worker.post(f"{BASE}/unenroll/", {"username": "learner"}, format="json")

        assert (response.status_code, response.json()) == (200, ["TestX"])
        assert worker.post(f"{BASE}/unenroll/", {"username": "learner"}, format="json").status_code == 204
        assert_refused(worker.post(f"{BASE}/unenroll/", {}, format="json"), 404, "Username not specified.")
        assert_refused(worker.post(f"{BASE}/unenroll/", {"username": "ghost"}, format="json"), 404)

    def test_anyone_else_is_refused(self, users):
        assert_refused(
            as_user(users["global_staff"]).post(f"{BASE}/unenroll/", {"username": "learner"}, format="json"), 403
        )


class TestEnrollmentAllowed:
    def test_create_list_delete(self, users):
        staff = as_user(users["global_staff"])
        body = {"email": "new@example.com", "course_id": COURSE_ID, "auto_enroll": True}

        created = staff.post(f"{BASE}/enrollment_allowed/", body, format="json")
        assert created.status_code == 201
        assert {k: created.json()[k] for k in ("email", "course_id", "auto_enroll", "user")} == {
            "email": "new@example.com",
            "course_id": COURSE_ID,
            "auto_enroll": True,
            "user": None,
        }
        assert_refused(staff.post(f"{BASE}/enrollment_allowed/", body, format="json"), 409)
        listed = staff.get(f"{BASE}/enrollment_allowed/?email=new@example.com").json()
        assert [row["course_id"] for row in listed] == [COURSE_ID]
        gone = staff.delete(f"{BASE}/enrollment_allowed/", body, format="json")
        assert gone.status_code == 204
        assert_refused(staff.delete(f"{BASE}/enrollment_allowed/", body, format="json"), 404)
        assert AuditRecord.objects.filter(action__startswith="enrollment_api_").count() == 2

    def test_missing_data_and_unknown_course(self, users):
        staff = as_user(users["global_staff"])

        assert_refused(staff.post(f"{BASE}/enrollment_allowed/", {"email": "a@b.c"}, format="json"), 400)
        unknown = {"email": "a@b.c", "course_id": "course-v1:No+Such+Run"}
        assert_refused(staff.post(f"{BASE}/enrollment_allowed/", unknown, format="json"), 404)


class TestThrottling:
    def test_users_get_their_rate_then_429(self, settings, users):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "ENROLLMENT_API_THROTTLE_RATES": {"user": "2/minute", "staff": "3/minute"},
        }
        learner, staff = as_user(users["learner"]), as_user(users["global_staff"])

        assert [learner.get(f"{BASE}/enrollment").status_code for _ in range(3)] == [200, 200, 429]
        assert [staff.get(f"{BASE}/enrollment").status_code for _ in range(4)] == [200, 200, 200, 429]
        body = assert_refused(learner.get(f"{BASE}/enrollment"), 429)
        assert body["error_code"] == "throttled"

    def test_the_api_key_is_never_throttled(self, settings, users):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "ENROLLMENT_API_THROTTLE_RATES": {"user": "1/minute", "staff": "1/minute"},
        }
        server = server_client()

        assert {server.get(f"{BASE}/enrollment/learner,{COURSE_ID}").status_code for _ in range(3)} == {200}

    def test_the_default_rates(self):
        assert plugin_setting("ENROLLMENT_API_THROTTLE_RATES") == {"user": "40/minute", "staff": "120/minute"}


# --- Permission matrix: every endpoint x the roles, plus a server-to-server caller -------------

CALLS = {
    "enrollment_get": ("get", f"/enrollment/learner,{COURSE_ID}", None),
    "enrollment_list": ("get", "/enrollment", None),
    "enrollment_post_other": ("post", "/enrollment", enroll_body(user="learner", mode="verified")),
    "enrollments_admin": ("get", "/enrollments", None),
    "course_detail": ("get", f"/course/{COURSE_ID}", None),
    "unenroll": ("post", "/unenroll/", {"username": "learner"}),
    "roles": ("get", "/roles/", None),
    "allowed_get": ("get", "/enrollment_allowed/?email=x@example.com", None),
    "allowed_post": ("post", "/enrollment_allowed/", {"email": "x@example.com", "course_id": COURSE_ID}),
}
CALLERS = (*ROLES, "server")
#: Status per caller, in CALLERS order: anonymous, outsider, learner, beta, staff, instructor, researcher,
#: discussion admin, global staff, server-to-server.
EXPECTED = {
    "enrollment_get": (401, 404, 200, 404, 404, 404, 404, 404, 200, 200),
    # A server-to-server caller names no user: the original's 400 for an unknown user.
    "enrollment_list": (401, 200, 200, 200, 200, 200, 200, 200, 200, 400),
    # The learner names themself but asks for a paid mode: 403; others may not name the learner: 404.
    "enrollment_post_other": (401, 404, 403, 404, 404, 404, 404, 404, 200, 200),
    "enrollments_admin": (401, 403, 403, 403, 403, 403, 403, 403, 200, 401),
    "course_detail": (200,) * 10,
    "unenroll": (401, 403, 403, 403, 403, 403, 403, 403, 403, 401),
    "roles": (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "allowed_get": (401, 403, 403, 403, 403, 403, 403, 403, 200, 401),
    "allowed_post": (401, 403, 403, 403, 403, 403, 403, 403, 201, 401),
}


@pytest.mark.parametrize("endpoint", list(CALLS))
@pytest.mark.parametrize("caller", CALLERS)
def test_permission_matrix(users, endpoint, caller):
    method, path, body = CALLS[endpoint]
    if caller == "server":
        client = server_client()
    elif caller == "anonymous":
        client = APIClient()
    else:
        client = as_user(users[caller])

    response = (
        getattr(client, method)(f"{BASE}{path}", body, format="json")
        if body
        else getattr(client, method)(f"{BASE}{path}")
    )

    assert response.status_code == EXPECTED[endpoint][CALLERS.index(caller)], response.content
    if response.status_code >= 400:
        assert set(response.json()) >= ENVELOPE


def test_the_matrix_covers_every_endpoint():
    assert len({p.callback.view_class for p in urlpatterns}) == 7
    assert set(CALLS) == set(EXPECTED)


# --- Query counts: the admin list costs the same at 10 and 1,000 enrollments ---------------------


def _add_enrollments(prefix: str, count: int) -> None:
    CourseEnrollment.objects.bulk_create(
        [CourseEnrollment(user=user, course_key=COURSE_ID, mode="audit") for user in make_users(prefix, count)]
    )


def _admin_list_queries(client) -> int:
    """Queries of the first page and the next one."""
    client.get(f"{BASE}/enrollments")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"{BASE}/enrollments?page_size=5").json()
        client.get(page["next"])
    return len(queries)


def test_admin_list_query_count_is_the_same_at_10_and_1000_enrollments(users):
    staff = as_user(users["global_staff"])
    _add_enrollments("small", 10 - CourseEnrollment.objects.count())
    small = _admin_list_queries(staff)
    _add_enrollments("large", 1_000 - CourseEnrollment.objects.count())

    assert CourseEnrollment.objects.count() == 1_000
    assert _admin_list_queries(staff) == small
