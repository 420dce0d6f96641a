"""``/api/program_enrollments/v1/``: rosters, writes and their status codes, learner views, access, query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_rest_framework_extensions.auth.jwt.tests.utils import (
    generate_asymmetric_jwt_token,
    generate_latest_version_payload,
)
from rest_framework.test import APIClient

from instructor_plugin import program_enrollments as api
from instructor_plugin.backends.builtin.models import (
    Course,
    CourseEnrollment,
    CourseGrade,
    ExternalUserKey,
    ProgramCourseEnrollment,
    ProgramEnrollment,
)
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, enroll, make_user
from tests.program_fixtures import (
    CURRICULUM_UUID,
    ORG,
    OTHER_PROGRAM_UUID,
    PROGRAM_UUID,
    make_admin,
    make_other_program,
    make_test_program,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

BASE = "/api/program_enrollments/v1"
ROSTER = f"{BASE}/programs/{PROGRAM_UUID}/enrollments/"
COURSE_ROSTER = f"{BASE}/programs/{PROGRAM_UUID}/courses/{COURSE_ID}/enrollments/"
GRADES = f"{BASE}/programs/{PROGRAM_UUID}/courses/{COURSE_ID}/grades/"
ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}


@pytest.fixture
def program(course, course_key):
    return make_test_program(course_key)


@pytest.fixture
def staff():
    return make_user("registrar", is_staff=True)


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def item(key: str, status: str = "enrolled") -> dict:
    return {"student_key": key, "status": status, "curriculum_uuid": CURRICULUM_UUID}


def post(client, url, body, method="post"):
    return getattr(client, method)(url, body, format="json")


# --- the program roster -----------------------------------------------------------------------


class TestProgramRoster:
    def test_every_success_status_answers_200(self, program, staff):
        statuses = ("enrolled", "pending", "suspended", "canceled", "ended")
        response = post(as_user(staff), ROSTER, [item(f"s-{s}", s) for s in statuses])
        assert response.status_code == 200, response.content
        assert response.json() == {f"s-{s}": s for s in statuses}

    def test_a_mix_answers_207(self, program, staff):
        post(as_user(staff), ROSTER, [item("taken")])
        body = [item("new"), item("taken"), item("dup"), item("Dup"), item("odd", "graduated")]
        response = post(as_user(staff), ROSTER, body)
        assert response.status_code == 207
        assert response.json() == {
            "new": "enrolled",
            "taken": "conflict",
            "dup": "duplicated",
            "Dup": "duplicated",
            "odd": "invalid-status",
        }

    def test_no_success_answers_422(self, program, staff):
        response = post(as_user(staff), ROSTER, [item("odd", "graduated")])
        assert (response.status_code, response.json()) == (422, {"odd": "invalid-status"})

    def test_patch_of_a_learner_outside_the_program_is_not_in_program(self, program, staff):
        response = post(as_user(staff), ROSTER, [{"student_key": "x", "status": "ended"}], "patch")
        assert (response.status_code, response.json()) == (422, {"x": "not-in-program"})

    def test_put_creates_and_updates(self, program, staff):
        post(as_user(staff), ROSTER, [item("a")])
        response = post(as_user(staff), ROSTER, [item("a", "suspended"), item("b", "pending")], "put")
        assert (response.status_code, response.json()) == (200, {"a": "suspended", "b": "pending"})

    def test_an_empty_array_answers_204(self, program, staff):
        assert post(as_user(staff), ROSTER, []).status_code == 204

    def test_more_than_25_records_is_413(self, program, staff):
        response = post(as_user(staff), ROSTER, [item(f"s-{n}") for n in range(26)])
        assert response.status_code == 413
        assert response.json()["error_code"] == "too_many_records"
        assert not ProgramEnrollment.objects.exists()
        assert post(as_user(staff), ROSTER, [item(f"s-{n}") for n in range(25)]).status_code == 200

    @pytest.mark.parametrize(
        "body",
        [
            [{"status": "enrolled", "curriculum_uuid": CURRICULUM_UUID}],
            [{"student_key": "a", "status": "enrolled", "curriculum_uuid": "not-a-uuid"}],
            {"student_key": "a"},
        ],
    )
    def test_malformed_items_are_400(self, program, staff, body):
        response = post(as_user(staff), ROSTER, body)
        assert response.status_code == 400
        assert set(response.json()) >= ENVELOPE_KEYS

    def test_unknown_program_is_404(self, course, staff):
        response = as_user(staff).get(ROSTER)
        assert response.status_code == 404
        assert response.json()["error_code"] == "program_does_not_exist"
        assert post(as_user(staff), ROSTER, [item("a")]).status_code == 404

    def test_get_lists_with_a_cursor(self, program, staff):
        learner = make_user("linked")
        ExternalUserKey.objects.create(org=ORG, external_user_key="k-0", key_lower="k-0", user=learner)
        post(as_user(staff), ROSTER, [item(f"k-{n}", "pending") for n in range(5)])
        first = as_user(staff).get(ROSTER, {"page_size": 2}).json()
        assert first["previous"] is None
        assert first["results"][0] == {
            "student_key": "k-0",
            "status": "pending",
            "account_exists": True,
            "curriculum_uuid": CURRICULUM_UUID,
            "username": "linked",
            "email": "linked@example.com",
        }
        assert first["results"][1]["username"] == first["results"][1]["email"] == ""
        second = as_user(staff).get(first["next"]).json()
        third = as_user(staff).get(second["next"]).json()
        keys = [row["student_key"] for page in (first, second, third) for row in page["results"]]
        assert keys == [f"k-{n}" for n in range(5)]
        assert third["next"] is None
        back = as_user(staff).get(second["previous"]).json()
        assert [row["student_key"] for row in back["results"]] == ["k-0", "k-1"]

    def test_default_page_is_100(self, program, staff):
        post(as_user(staff), ROSTER, [item(f"k-{n}") for n in range(3)])
        assert len(as_user(staff).get(ROSTER).json()["results"]) == 3


# --- the course roster ---------------------------------------------------------------------------


class TestCourseRoster:
    def test_enrolls_accounts_in_masters_and_answers_each_status(self, program, staff, course_key):
        learner = make_user("student")
        enroll(learner, course_key, mode="audit")
        ExternalUserKey.objects.create(org=ORG, external_user_key="acc", key_lower="acc", user=learner)
        post(as_user(staff), ROSTER, [item("acc"), item("waiting", "pending")])
        response = post(
            as_user(staff),
            COURSE_ROSTER,
            [
                {"student_key": "acc", "status": "active"},
                {"student_key": "waiting", "status": "inactive"},
                {"student_key": "nobody", "status": "active"},
            ],
        )
        assert response.status_code == 207
        assert response.json() == {"acc": "active", "waiting": "inactive", "nobody": "not-in-program"}
        assert CourseEnrollment.objects.get(user=learner).mode == "masters"
        assert AuditRecord.objects.filter(action="program_masters_enrollment", actor=staff).exists()
        listed = as_user(staff).get(COURSE_ROSTER).json()["results"]
        assert listed[0] == {
            "student_key": "acc",
            "status": "active",
            "account_exists": True,
            "curriculum_uuid": CURRICULUM_UUID,
            "course_staff": False,
        }

    def test_patch_of_a_missing_course_enrollment_is_not_found(self, program, staff):
        post(as_user(staff), ROSTER, [item("a")])
        response = post(as_user(staff), COURSE_ROSTER, [{"student_key": "a", "status": "active"}], "patch")
        assert (response.status_code, response.json()) == (422, {"a": "not-found"})

    def test_a_second_post_conflicts_and_put_updates(self, program, staff):
        post(as_user(staff), ROSTER, [item("a")])
        post(as_user(staff), COURSE_ROSTER, [{"student_key": "a", "status": "active"}])
        again = post(as_user(staff), COURSE_ROSTER, [{"student_key": "a", "status": "active"}])
        assert (again.status_code, again.json()) == (422, {"a": "conflict"})
        put = post(as_user(staff), COURSE_ROSTER, [{"student_key": "a", "status": "inactive"}], "put")
        assert (put.status_code, put.json()) == (200, {"a": "inactive"})
        assert ProgramCourseEnrollment.objects.get().status == "inactive"

    def test_active_under_another_program_conflicts(self, program, staff, course_key):
        make_other_program(course_key)
        other_roster = f"{BASE}/programs/{OTHER_PROGRAM_UUID}/enrollments/"
        other_item = {
            "student_key": "a",
            "status": "enrolled",
            "curriculum_uuid": "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
        }
        post(as_user(staff), other_roster, [other_item])
        post(
            as_user(staff),
            f"{BASE}/programs/{OTHER_PROGRAM_UUID}/courses/{COURSE_ID}/enrollments/",
            [{"student_key": "a", "status": "active"}],
        )
        post(as_user(staff), ROSTER, [item("a")])
        response = post(as_user(staff), COURSE_ROSTER, [{"student_key": "a", "status": "active"}])
        assert (response.status_code, response.json()) == (422, {"a": "conflict"})

    def test_a_course_outside_the_curriculum_is_404(self, program, staff):
        Course.objects.create(course_key="course-v1:TestX+Else+2026", display_name="Else")
        url = f"{BASE}/programs/{PROGRAM_UUID}/courses/course-v1:TestX+Else+2026/enrollments/"
        response = as_user(staff).get(url)
        assert (response.status_code, response.json()["error_code"]) == (404, "course_not_in_program")
        assert post(as_user(staff), url, [{"student_key": "a", "status": "active"}]).status_code == 404

    def test_an_unknown_course_is_404(self, program, staff):
        url = f"{BASE}/programs/{PROGRAM_UUID}/courses/course-v1:TestX+Nope+2026/enrollments/"
        response = as_user(staff).get(url)
        assert (response.status_code, response.json()["error_code"]) == (404, "course_does_not_exist")

    def test_more_than_25_records_is_413(self, program, staff):
        body = [{"student_key": f"s-{n}", "status": "active"} for n in range(26)]
        assert post(as_user(staff), COURSE_ROSTER, body).status_code == 413

    def test_a_pending_enrollment_is_realised_when_the_account_is_linked(self, program, staff):
        post(as_user(staff), ROSTER, [item("later", "pending")])
        post(as_user(staff), COURSE_ROSTER, [{"student_key": "later", "status": "active"}])
        learner = make_user("arrived")
        api.link_external_user_key(ORG, "later", learner)
        assert CourseEnrollment.objects.get(user=learner).mode == "masters"
        row = as_user(staff).get(ROSTER).json()["results"][0]
        assert (row["account_exists"], row["username"]) == (True, "arrived")


# --- grades -------------------------------------------------------------------------------------------


class TestGrades:
    def _learner(self, staff, key: str, course_key, *, enrolled: bool, percent: float = 0.0):
        learner = make_user(f"user-{key}")
        ExternalUserKey.objects.create(org=ORG, external_user_key=key, key_lower=key, user=learner)
        post(as_user(staff), ROSTER, [item(key)])
        post(as_user(staff), COURSE_ROSTER, [{"student_key": key, "status": "active"}])
        if not enrolled:
            CourseEnrollment.objects.filter(user=learner).delete()
        elif percent:
            CourseGrade.objects.create(
                user=learner, course_key=course_key, percent=percent, letter_grade="A", passed=True
            )
        return learner

    def test_all_grades_answer_200(self, program, staff, course_key):
        self._learner(staff, "g-1", course_key, enrolled=True, percent=0.93)
        self._learner(staff, "g-2", course_key, enrolled=True)
        post(as_user(staff), ROSTER, [item("no-account")])
        post(as_user(staff), COURSE_ROSTER, [{"student_key": "no-account", "status": "active"}])
        response = as_user(staff).get(GRADES)
        assert response.status_code == 200
        assert response.json()["results"] == [
            {"student_key": "g-1", "passed": True, "percent": 0.93, "letter_grade": "A"},
            {"student_key": "g-2", "passed": False, "percent": 0.0, "letter_grade": None},
        ]

    def test_a_mix_answers_207_and_all_errors_422(self, program, staff, course_key):
        self._learner(staff, "bad", course_key, enrolled=False)
        response = as_user(staff).get(GRADES)
        assert response.status_code == 422
        assert response.json()["results"] == [
            {"student_key": "bad", "error": "The learner is not enrolled in the course."}
        ]
        self._learner(staff, "good", course_key, enrolled=True)
        assert as_user(staff).get(GRADES).status_code == 207

    def test_no_learner_answers_204(self, program, staff):
        assert as_user(staff).get(GRADES).status_code == 204

    def test_iter_program_course_grades_reads_every_page(self, program, staff, course_key):
        for n in range(3):
            self._learner(staff, f"it-{n}", course_key, enrolled=True)
        assert [row["student_key"] for row in api.iter_program_course_grades(PROGRAM_UUID, COURSE_ID)] == [
            "it-0",
            "it-1",
            "it-2",
        ]


# --- who may call what ------------------------------------------------------------------------


def restricted_jwt_client(user, scopes=("program_enrollments:read", "program_enrollments:write")) -> APIClient:
    client = APIClient()
    payload = generate_latest_version_payload(user, scopes=list(scopes), filters=[f"content_org:{ORG}"])
    payload["is_restricted"] = True
    client.credentials(HTTP_AUTHORIZATION=f"JWT {generate_asymmetric_jwt_token(payload)}")
    return client


def jwt_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {generate_asymmetric_jwt_token(generate_latest_version_payload(user))}")
    return client


ROLES = ("anonymous", "outsider", "program_learner", "course_staff", "program_admin", "global_staff", "restricted_app")


@pytest.fixture
def people(program, course_key, users):
    learner = make_user("in_program")
    enroll(learner, course_key, mode="masters")
    ExternalUserKey.objects.create(org=ORG, external_user_key="me", key_lower="me", user=learner)
    ProgramEnrollment.objects.create(
        program=program,
        curriculum=program.curricula.get(),
        user=learner,
        external_user_key="me",
        key_lower="me",
        status="enrolled",
    )
    admin = make_user("program_admin")
    make_admin(program, admin)
    return {
        "outsider": users["outsider"],
        "program_learner": learner,
        "course_staff": users["course_staff"],
        "program_admin": admin,
        "global_staff": users["global_staff"],
        "restricted_app": make_user("service_worker", is_staff=True),
    }


def client_for(role: str, people: dict) -> APIClient:
    if role == "anonymous":
        return APIClient()
    if role == "restricted_app":
        return restricted_jwt_client(people[role])
    return as_user(people[role])


#: Endpoint -> (method, path, body) and the status each role gets, in ``ROLES`` order.
MATRIX = {
    "roster_get": (("get", ROSTER, None), (401, 403, 403, 403, 200, 200, 403)),
    "roster_post": (("post", ROSTER, [item("new")]), (401, 403, 403, 403, 200, 200, 403)),
    "roster_patch": (
        ("patch", ROSTER, [{"student_key": "me", "status": "enrolled"}]),
        (401, 403, 403, 403, 200, 200, 403),
    ),
    "roster_put": (("put", ROSTER, [item("me")]), (401, 403, 403, 403, 200, 200, 403)),
    "course_get": (("get", COURSE_ROSTER, None), (401, 403, 403, 403, 200, 200, 403)),
    "course_post": (
        ("post", COURSE_ROSTER, [{"student_key": "me", "status": "active"}]),
        (401, 403, 403, 403, 200, 200, 403),
    ),
    "course_patch": (
        ("patch", COURSE_ROSTER, [{"student_key": "me", "status": "active"}]),
        (401, 403, 403, 403, 422, 422, 403),
    ),
    "course_put": (
        ("put", COURSE_ROSTER, [{"student_key": "me", "status": "active"}]),
        (401, 403, 403, 403, 200, 200, 403),
    ),
    # No learner of the program takes the course through it: an empty page.
    "grades": (("get", GRADES, None), (401, 403, 403, 403, 204, 204, 403)),
    "readonly": (("get", f"{BASE}/programs/readonly_access/", None), (401, 200, 200, 200, 200, 200, 200)),
    "learner_courses": (
        ("get", f"{BASE}/users/in_program/programs/{PROGRAM_UUID}/courses", None),
        (401, 403, 200, 403, 403, 403, 403),
    ),
    "overview": (("get", f"{BASE}/programs/{PROGRAM_UUID}/overview/", None), (401, 403, 200, 403, 403, 403, 403)),
    # Any signed-in user, as in Open edX; off by default (``FEATURES['ENABLE_ENROLLMENT_RESET']``), so 501.
    "integration_reset": (
        ("post", f"{BASE}/integration-reset/", {"organization": ORG}),
        (401, 501, 501, 501, 501, 501, 403),
    ),
}


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(people, endpoint, role):
    (method, path, body), expected = MATRIX[endpoint]
    response = getattr(client_for(role, people), method)(path, body, format="json")
    assert response.status_code == expected[ROLES.index(role)], response.content
    if response.status_code == 422:
        # A write whose every learner failed: the body is the per-learner map, as the original's.
        assert response.json() == {"me": "not-found"}
    elif response.status_code >= 400:
        assert set(response.json()) >= ENVELOPE_KEYS


def test_a_non_restricted_jwt_of_global_staff_is_admitted(people):
    assert jwt_client(people["global_staff"]).get(ROSTER).status_code == 200


def test_session_writes_need_the_csrf_token(program, staff):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=staff.username, password="edx")
    assert client.post(ROSTER, [item("a")], format="json").status_code == 403


# --- the programs a caller may read, and learner views ---------------------------------------


def test_readonly_access_by_caller(people, course_key):
    make_other_program(course_key)
    staff_view = client_for("global_staff", people).get(f"{BASE}/programs/enrollments/").json()
    assert {row["uuid"] for row in staff_view} == {PROGRAM_UUID, OTHER_PROGRAM_UUID}
    assert staff_view[0]["slug"]
    course_staff = client_for("course_staff", people).get(f"{BASE}/programs/enrollments/").json()
    assert {row["uuid"] for row in course_staff} == {PROGRAM_UUID, OTHER_PROGRAM_UUID}
    learner = client_for("program_learner", people).get(f"{BASE}/programs/enrollments/").json()
    assert [row["uuid"] for row in learner] == [PROGRAM_UUID]
    admin = client_for("program_admin", people).get(f"{BASE}/programs/readonly_access/").json()
    assert [row["uuid"] for row in admin] == [PROGRAM_UUID]
    assert client_for("outsider", people).get(f"{BASE}/programs/enrollments/").json() == []
    other_type = client_for("global_staff", people).get(f"{BASE}/programs/enrollments/", {"type": "MicroMasters"})
    assert other_type.json() == []


def test_learner_course_runs(people, settings):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LMS_ROOT_URL": "https://lms.example.com"}
    response = client_for("program_learner", people).get(f"{BASE}/users/in_program/programs/{PROGRAM_UUID}/courses")
    body = response.json()
    assert (body["next"], body["previous"]) == (None, None)
    [run] = body["results"]
    assert run["course_run_id"] == COURSE_ID
    assert run["course_run_url"] == f"https://lms.example.com/courses/{COURSE_ID}/course/"
    assert run["course_run_status"] == "in_progress"
    assert isinstance(run["due_dates"], list)
    overview = client_for("program_learner", people).get(f"{BASE}/programs/{PROGRAM_UUID}/overview/").json()
    assert overview == {"course_runs": [run]}


def test_learner_views_of_an_unknown_program_are_404(people):
    unknown = "99999999-2222-4333-8444-555555555555"
    response = client_for("program_learner", people).get(f"{BASE}/users/in_program/programs/{unknown}/courses")
    assert (response.status_code, response.json()["error_code"]) == (404, "program_does_not_exist")


def test_an_unknown_path_is_404_in_the_envelope(people):
    response = client_for("global_staff", people).get(f"{BASE}/nothing/here/")
    assert response.status_code == 404
    assert set(response.json()) >= ENVELOPE_KEYS


# --- query counts -------------------------------------------------------------------------------


def _fill(program, course_key, count: int) -> None:
    ProgramEnrollment.objects.all().delete()
    curriculum = program.curricula.get()
    ProgramEnrollment.objects.bulk_create(
        ProgramEnrollment(
            program=program, curriculum=curriculum, external_user_key=f"q-{n}", key_lower=f"q-{n}", status="enrolled"
        )
        for n in range(count)
    )
    ProgramCourseEnrollment.objects.bulk_create(
        ProgramCourseEnrollment(program_enrollment=e, course_key=course_key, status="active")
        for e in ProgramEnrollment.objects.filter(program=program)
    )


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [ROSTER, COURSE_ROSTER])
def test_roster_queries_do_not_grow_with_the_roster(program, course_key, staff, url):
    client = as_user(staff)
    _fill(program, course_key, 10)
    small = _queries(client, f"{url}?page_size=10")
    _fill(program, course_key, 1_000)
    assert _queries(client, f"{url}?page_size=10") == small


def _fill_with_accounts(program, course_key, count: int) -> None:
    User.objects.filter(username__startswith="graded-").delete()
    User.objects.bulk_create(User(username=f"graded-{n:05d}", email=f"g{n}@example.com") for n in range(count))
    users = list(User.objects.filter(username__startswith="graded-").order_by("username"))
    CourseEnrollment.objects.bulk_create(CourseEnrollment(user=u, course_key=course_key, mode="masters") for u in users)
    CourseGrade.objects.bulk_create(CourseGrade(user=u, course_key=course_key, percent=0.5) for u in users)
    ProgramEnrollment.objects.all().delete()
    ProgramEnrollment.objects.bulk_create(
        ProgramEnrollment(
            program=program,
            curriculum=program.curricula.get(),
            user=u,
            external_user_key=u.username,
            key_lower=u.username,
            status="enrolled",
        )
        for u in users
    )
    ProgramCourseEnrollment.objects.bulk_create(
        ProgramCourseEnrollment(program_enrollment=e, course_key=course_key, status="active")
        for e in ProgramEnrollment.objects.filter(program=program)
    )


def test_grade_queries_do_not_grow_with_the_roster(program, course_key, staff):
    client = as_user(staff)
    _fill_with_accounts(program, course_key, 10)
    small = _queries(client, f"{GRADES}?page_size=10")
    _fill_with_accounts(program, course_key, 1_000)
    assert _queries(client, f"{GRADES}?page_size=10") == small
