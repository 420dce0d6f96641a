"""The cohorts API: who may call what (every endpoint x every role), CSRF, and queries that do not grow."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, CohortSettings, CourseEnrollment
from instructor_plugin.models import InstructorTask
from tests.conftest import COURSE_ID, enroll, grant_forum, make_user
from tests.test_auth_and_errors import jwt_client, session_client
from tests.test_permission_matrix import ENVELOPE_KEYS, ROLES
from tests.test_query_counts import LARGE, SMALL, make_users

API = "/api/cohorts/v1"
COHORTS = f"{API}/courses/{COURSE_ID}/cohorts/"
#: The cohort every matrix call works on (see ``matrix_cohort``); the learner is its member.
MATRIX_COHORT = 9001
COHORT = f"{COHORTS}{MATRIX_COHORT}"
CSV = b"username,cohort\r\nbeta_tester,Matrix\r\n"

#: Endpoint -> (method, path, body, multipart?)
CALLS = {
    "settings_get": ("get", f"{API}/settings/{COURSE_ID}", None),
    "settings_put": ("put", f"{API}/settings/{COURSE_ID}", {"is_cohorted": True}),
    "cohorts_list": ("get", COHORTS, None),
    "cohorts_create": ("post", COHORTS, {"name": "New", "assignment_type": "manual"}),
    "cohort_get": ("get", COHORT, None),
    "cohort_patch": ("patch", COHORT, {"name": "Renamed"}),
    "members_list": ("get", f"{COHORT}/users", None),
    "members_add": ("post", f"{COHORT}/users/", {"users": ["beta_tester"]}),
    "member_remove": ("delete", f"{COHORT}/users/learner", None),
    "csv_upload": ("post", f"{API}/courses/{COURSE_ID}/users", "csv"),
    "group_configurations": ("get", f"/api/cohorts/v2/courses/{COURSE_ID}/group_configurations", None),
}
#: In ROLES order: anonymous, outsider, learner, beta_tester, course_staff, instructor, data_researcher,
#: discussion_admin, global_staff. Course staff manage cohorts; reads of cohorts are also open to the
#: forum moderators, and no one else.
STAFF = (401, 403, 403, 403, 200, 200, 403, 200, 200)
NO_CONTENT = (401, 403, 403, 403, 204, 204, 403, 204, 204)
EXPECTED = {
    "settings_get": STAFF,
    "settings_put": STAFF,
    "cohorts_list": STAFF,
    "cohorts_create": STAFF,
    "cohort_get": STAFF,
    "cohort_patch": NO_CONTENT,
    "members_list": STAFF,
    "members_add": STAFF,
    "member_remove": NO_CONTENT,
    "csv_upload": NO_CONTENT,
    # Open edX's VIEW_DASHBOARD: course staff and data researchers.
    "group_configurations": (401, 403, 403, 403, 200, 200, 200, 200, 200),
}
MATRIX = [
    (endpoint, role, status)
    for endpoint, statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def matrix_cohort(users, course_key):
    cohort = Cohort.objects.create(pk=MATRIX_COHORT, course_key=course_key, name="Matrix")
    CohortMembership.objects.create(cohort=cohort, user=users["learner"], course_key=course_key)
    return cohort


def call(client, endpoint: str, **extra):
    method, path, body = CALLS[endpoint]
    if body == "csv":
        return client.post(path, {"uploaded-file": SimpleUploadedFile("a.csv", CSV)}, format="multipart", **extra)
    return getattr(client, method)(path, body, format="json", **extra)


def state():
    return (
        sorted(Cohort.objects.values_list("pk", "name", "assignment_type")),
        sorted(CohortMembership.objects.values_list("cohort_id", "user_id")),
        list(CohortSettings.objects.values_list("is_cohorted", flat=True)),
        InstructorTask.objects.count(),
    )


def test_the_matrix_covers_every_endpoint():
    assert set(EXPECTED) == set(CALLS)


@pytest.mark.parametrize(("endpoint", "role", "expected"), MATRIX)
def test_permission_matrix(users, matrix_cohort, client, endpoint, role, expected):
    if role != "anonymous":
        client.force_authenticate(users[role])
    before = state()

    response = call(client, endpoint)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == ENVELOPE_KEYS
        assert response.json()["error_code"] == ("not_authenticated" if expected == 401 else "permission_denied")
        assert state() == before


@pytest.mark.parametrize("forum_role", ["Moderator", "Community TA", "Administrator"])
@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("cohorts_list", 200),
        ("cohort_get", 200),
        ("settings_get", 403),
        ("members_list", 403),
        ("cohorts_create", 403),
        ("members_add", 403),
    ],
)
def test_discussion_moderators_may_read_cohorts_only(
    users, matrix_cohort, client, course_key, forum_role, endpoint, expected
):
    moderator = make_user("moderator")
    enroll(moderator, course_key)
    grant_forum(moderator, course_key, forum_role)
    client.force_authenticate(moderator)

    assert call(client, endpoint).status_code == expected


def test_group_moderators_may_not_read_cohorts(users, matrix_cohort, client, course_key):
    moderator = make_user("moderator")
    grant_forum(moderator, course_key, "Group Moderator")
    client.force_authenticate(moderator)

    assert call(client, "cohorts_list").status_code == 403


UNSAFE = ["settings_put", "cohorts_create", "cohort_patch", "members_add", "member_remove", "csv_upload"]


@pytest.mark.parametrize("endpoint", UNSAFE)
def test_session_writes_need_the_csrf_token(users, matrix_cohort, endpoint):
    client = session_client(users["instructor"])
    before = state()

    refused = call(client, endpoint)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["developer_message"]
    assert state() == before
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    assert call(client, endpoint, HTTP_X_CSRFTOKEN=token).status_code in (200, 204)


def test_jwt_needs_no_csrf_token(users, matrix_cohort):
    response = call(jwt_client(users["instructor"]), "members_add")

    assert response.status_code == 200, response.content
    assert response.json()["added"] == [{"username": "beta_tester", "email": "beta_tester@example.com"}]


def test_session_reads_need_no_csrf_token(users, matrix_cohort):
    assert call(session_client(users["instructor"]), "cohorts_list").status_code == 200


def count_queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize("rows", [SMALL, LARGE])
def test_cohort_list_queries_do_not_grow(users, client, course_key, rows):
    client.force_authenticate(users["instructor"])
    small = count_queries(client, f"{COHORTS}?page_size=100")
    Cohort.objects.bulk_create(Cohort(course_key=course_key, name=f"Cohort {n:05d}") for n in range(rows))
    first = Cohort.objects.order_by("name").first()
    people = make_users("member", rows)
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=first, user=person, course_key=course_key) for person in people
    )

    assert count_queries(client, f"{COHORTS}?page_size=100") == small
    assert len(client.get(f"{COHORTS}?page_size=100").json()) == min(rows, 100)


@pytest.mark.parametrize("rows", [SMALL, LARGE])
def test_member_list_queries_do_not_grow(users, client, course_key, rows):
    client.force_authenticate(users["instructor"])
    cohort = Cohort.objects.create(course_key=course_key, name="Big")
    path = f"{COHORTS}{cohort.pk}/users?page_size=100"
    CohortMembership.objects.create(cohort=cohort, user=users["learner"], course_key=course_key)
    small = count_queries(client, path)
    people = make_users("member", rows)
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, user=person, course_key=course_key) for person in people
    )

    assert count_queries(client, path) == small
    assert client.get(path).json()["count"] == rows + 1


def test_a_member_list_counts_no_enrolled_members(users, client, course_key):
    client.force_authenticate(users["instructor"])
    cohort = Cohort.objects.create(course_key=course_key, name="Big")
    CohortMembership.objects.create(cohort=cohort, user=users["learner"], course_key=course_key)
    path = f"{COHORTS}{cohort.pk}/users?page_size=100"
    client.get(path)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)

    assert [row["username"] for row in response.json()["results"]] == ["learner"]
    enrollments = CourseEnrollment._meta.db_table
    assert not [query["sql"] for query in captured.captured_queries if enrollments in query["sql"]]


def test_an_empty_member_list_still_needs_the_courses_cohort(users, client, course_key):
    client.force_authenticate(users["instructor"])
    ours = Cohort.objects.create(course_key=course_key, name="Empty")
    theirs = Cohort.objects.create(course_key=CourseKey.from_string("course-v1:Other+X+1"), name="Theirs")
    CohortMembership.objects.create(cohort=theirs, user=users["learner"], course_key=theirs.course_key)

    assert client.get(f"{COHORTS}{ours.pk}/users").json()["count"] == 0
    assert client.get(f"{COHORTS}{theirs.pk}/users").status_code == 404
    assert client.get(f"{COHORTS}999999/users").status_code == 404
