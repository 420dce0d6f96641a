"""Grades REST v1 (``/api/grades/v1/``): the gradebook, its filters, cursor pages, bulk overrides, the matrix."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_flag

from instructor_plugin import toggles
from instructor_plugin.backends.builtin.models import (
    Block,
    Cohort,
    CohortMembership,
    Course,
    CourseEnrollment,
    CourseGrade,
    CourseMode,
    EnrollmentCount,
    ProblemState,
    SubsectionGradeOverrideHistory,
)
from instructor_plugin.backends.builtin.problem_state import CourseGrader
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, enroll, grant, make_user
from tests.grading_fixtures import build_graded_course, give_state

pytestmark = pytest.mark.django_db
User = get_user_model()
ROOT = "/api/grades/v1"
GRADEBOOK = f"{ROOT}/gradebook/{COURSE_ID}/"
BULK = f"{ROOT}/gradebook/{COURSE_ID}/bulk-update"
INFO = f"{ROOT}/gradebook/{COURSE_ID}/grading-info"


@pytest.fixture
def graded(course):
    return build_graded_course(course)


@pytest.fixture
def staff(client, users, writable_gradebook_on):
    client.force_authenticate(users["course_staff"])
    return client


def subsection_url(graded, user) -> str:
    return f"{ROOT}/subsection/{graded.homework.usage_key}/?user_id={user.pk}"


def override(client, user, usage_key, **grade):
    return client.post(BULK, [{"user_id": user.pk, "usage_id": str(usage_key), "grade": grade}], format="json")


class TestGradebook:
    def test_entries_have_labelled_breakdowns_and_counts(self, staff, graded, users, course_key):
        give_state(users["learner"], graded.q1, score=2.0)

        body = staff.get(GRADEBOOK, {"excluded_course_roles": "all"}).json()

        assert (body["total_users_count"], body["filtered_users_count"]) == (2, 1)  # the beta tester holds a role
        (entry,) = body["results"]
        assert entry["username"] == "learner" and entry["email"] == ""
        homework, lab = entry["section_breakdown"]
        assert (homework["label"], homework["category"], homework["attempted"]) == ("HW 01", "Homework", True)
        assert (homework["score_earned"], homework["score_possible"]) == (1.0, 4.0)
        assert (lab["label"], lab["score_possible"], lab["attempted"]) == ("Lab 01", 0.0, False)

    def test_one_learner_by_username_and_unknowns(self, staff, graded, users):
        assert staff.get(GRADEBOOK, {"username": "learner"}).json()["username"] == "learner"
        missing = staff.get(GRADEBOOK, {"username": "nobody"})
        stranger = staff.get(GRADEBOOK, {"username": "outsider"})
        assert (missing.status_code, missing.json()["error_code"]) == (404, "user_does_not_exist")
        assert (stranger.status_code, stranger.json()["error_code"]) == (404, "user_not_enrolled")

    def test_masters_learners_show_email_and_full_name(self, staff, graded, course_key):
        master = make_user("mia", name="Mia Master")
        enroll(master, course_key, mode="masters")

        entry = staff.get(GRADEBOOK, {"username": "mia"}).json()

        assert (entry["email"], entry["full_name"]) == ("mia@example.com", "Mia Master")

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"user_contains": "ALPHA"}, {"alpha"}),
            ({"user_contains": "beta@"}, {"beta"}),
            ({"username_contains": "mm"}, {"gamma"}),
            ({"enrollment_mode": "verified"}, {"beta"}),
            ({"cohort_id": "cohort"}, {"alpha", "gamma"}),
            ({"cohort_id": 999999}, set()),
            ({"course_grade_min": 40}, {"alpha"}),
            ({"course_grade_max": 10}, {"beta", "gamma"}),
            ({"assignment": "hw", "assignment_grade_min": 60}, {"alpha"}),
            ({"assignment": "hw", "assignment_grade_max": 30}, {"gamma"}),
            ({"excluded_course_roles": "staff"}, {"alpha", "beta"}),
            ({"excluded_course_roles": "all"}, {"alpha", "beta"}),
            ({"enrollment_mode": "audit", "excluded_course_roles": "staff"}, {"alpha"}),
            ({"enrollment_mode": "verified", "excluded_course_roles": "all"}, {"beta"}),
        ],
    )
    def test_every_filter(self, client, writable_gradebook_on, graded, course_key, params, expected):
        admin = make_user("admin", is_staff=True)
        alpha, beta, gamma = (make_user(name) for name in ("alpha", "beta", "gamma"))
        enroll(alpha, course_key)
        enroll(beta, course_key, mode="verified")
        enroll(gamma, course_key)
        grant(gamma, course_key, "staff")
        give_state(alpha, graded.q1, score=2.0)
        give_state(alpha, graded.q2, score=2.0)  # homework 100%: course 50%
        give_state(gamma, graded.q1, score=0.0)  # homework attempted, 0%
        cohort = Cohort.objects.create(course_key=course_key, name="Blue")
        for user in (alpha, gamma):
            CohortMembership.objects.create(cohort=cohort, user=user, course_key=course_key)
        CourseGrader.for_course(course_key).save_grades(course_key, [alpha.pk, gamma.pk])
        params = {**params}
        if params.get("cohort_id") == "cohort":
            params["cohort_id"] = cohort.pk
        if params.get("assignment") == "hw":
            params["assignment"] = str(graded.homework.usage_key)
        client.force_authenticate(admin)

        body = client.get(GRADEBOOK, params).json()

        assert {entry["username"] for entry in body["results"]} == expected
        assert body["filtered_users_count"] == len(expected)
        assert body["total_users_count"] == 3

    def test_an_override_wins_in_the_assignment_filter(self, staff, graded, users):
        give_state(users["learner"], graded.q1, score=0.0)
        override(staff, users["learner"], graded.homework.usage_key, earned_graded_override=4)
        params = {"assignment": str(graded.homework.usage_key), "assignment_grade_min": 90}

        assert [entry["username"] for entry in staff.get(GRADEBOOK, params).json()["results"]] == ["learner"]

    def test_cursor_pages_walk_forward_and_back(self, staff, graded, course_key):
        for number in range(5):
            enroll(make_user(f"page{number}"), course_key)

        first = staff.get(GRADEBOOK, {"page_size": 3}).json()
        second = staff.get(first["next"]).json()
        third = staff.get(second["next"]).json()
        back = staff.get(second["previous"]).json()

        assert first["previous"] is None and third["next"] is None and len(third["results"]) == 1
        seen = [entry["username"] for entry in first["results"] + second["results"] + third["results"]]
        assert len(seen) == 7 == len(set(seen))
        assert [entry["username"] for entry in back["results"]] == [e["username"] for e in first["results"]]

    def test_bad_filters_are_400_and_the_flag_gates(self, staff, users, graded):
        bad = staff.get(GRADEBOOK, {"course_grade_min": "lots"})
        assert (bad.status_code, bad.json()["error_code"]) == (400, "validation_error")
        assert staff.get(GRADEBOOK, {"assignment": "not-a-key"}).status_code == 400
        with override_waffle_flag(toggles._WRITABLE_GRADEBOOK_FLAG, active=False):
            off = staff.get(GRADEBOOK)
        assert (off.status_code, off.json()["error_code"]) == (403, "feature_not_enabled")


class TestBulkUpdate:
    def test_per_item_results_history_audit_and_course_grade(self, staff, graded, users, course_key):
        learner = users["learner"]
        items = [
            {
                "user_id": learner.pk,
                "usage_id": str(graded.homework.usage_key),
                "grade": {"earned_graded_override": "4", "comment": "late"},
            },
            {"user_id": learner.pk, "usage_id": "not-a-key", "grade": {}},
            {"user_id": users["outsider"].pk, "usage_id": str(graded.homework.usage_key), "grade": {}},
            {"user_id": learner.pk, "usage_id": str(graded.q1.usage_key), "grade": {}},
            "nonsense",
        ]

        response = staff.post(BULK, items, format="json")

        assert response.status_code == 422
        assert [item["success"] for item in response.json()] == [True, False, False, False, False]
        assert "not enrolled" in response.json()[2]["reason"]
        assert "does not exist in this course" in response.json()[3]["reason"]
        assert CourseGrade.objects.get(user=learner).percent == pytest.approx(0.5)
        (history,) = SubsectionGradeOverrideHistory.objects.all()
        assert (history.history_user_id, history.override_reason, history.system) == (
            users["course_staff"].pk,
            "late",
            "GRADEBOOK",
        )
        assert AuditRecord.objects.filter(action="override_subsection_grade", learner=learner).count() == 1

    def test_all_good_is_202_and_the_detail_shows_history(self, staff, graded, users):
        learner = users["learner"]
        give_state(learner, graded.q1, score=1.0)
        assert override(staff, learner, graded.homework.usage_key, earned_graded_override=3).status_code == 202
        assert override(staff, learner, graded.homework.usage_key, earned_graded_override=2).status_code == 202

        detail = staff.get(subsection_url(graded, learner) + "&history_record_limit=1").json()

        assert detail["success"] is True
        assert detail["original_grade"] == {
            "earned_all": 0.5,
            "possible_all": 4.0,
            "earned_graded": 0.5,
            "possible_graded": 4.0,
        }
        assert detail["override"]["earned_graded_override"] == 2.0
        (row,) = detail["history"]
        assert (row["history_user"], row["earned_graded_override"], row["history_type"]) == ("course_staff", 2.0, "~")
        assert len(staff.get(subsection_url(graded, learner)).json()["history"]) == 2
        assert staff.get(subsection_url(graded, learner) + "&history_record_limit=x").json()["history"] == []

    def test_empty_body_is_202_and_an_object_is_400(self, staff, graded):
        assert staff.post(BULK, [], format="json").status_code == 202
        assert staff.post(BULK, {"user_id": 1}, format="json").status_code == 400

    def test_frozen_grades_are_refused(self, staff, graded, users, settings):
        settings.GRADEBOOK_FREEZE_DAYS = 1
        Course.objects.filter(pk=graded.course.pk).update(end=timezone.now() - timedelta(days=2))
        with override_waffle_flag(toggles._ENFORCE_FREEZE_GRADES_FLAG, active=True):
            response = override(staff, users["learner"], graded.homework.usage_key, earned_graded_override=1)
            frozen = staff.get(INFO).json()["grades_frozen"]
        assert (response.status_code, response.json()["error_code"]) == (403, "grades_frozen")
        assert frozen is True
        assert not SubsectionGradeOverrideHistory.objects.exists()


class TestCheckOrder:
    """As the original: unknown course (404), then the flag, then course access, then the freeze (403s)."""

    UNKNOWN = "course-v1:No+Such+Course"

    @pytest.fixture
    def frozen(self, graded, settings):
        settings.GRADEBOOK_FREEZE_DAYS = 1
        Course.objects.filter(pk=graded.course.pk).update(end=timezone.now() - timedelta(days=2))
        with override_waffle_flag(toggles._ENFORCE_FREEZE_GRADES_FLAG, active=True):
            yield

    @staticmethod
    def call(client, method: str, course_id: str = COURSE_ID):
        if method == "get":
            return client.get(f"{ROOT}/gradebook/{course_id}/")
        return client.post(f"{ROOT}/gradebook/{course_id}/bulk-update", [], format="json")

    @pytest.mark.parametrize("method", ["get", "post"])
    @pytest.mark.parametrize(
        ("user", "flag", "course_id", "expected"),
        [
            ("learner", False, UNKNOWN, (404, "course_not_found")),
            ("learner", False, COURSE_ID, (403, "feature_not_enabled")),
            ("course_staff", False, COURSE_ID, (403, "feature_not_enabled")),
            ("learner", True, COURSE_ID, (403, "permission_denied")),
        ],
    )
    def test_course_then_flag_then_access(self, client, users, frozen, method, user, flag, course_id, expected):
        client.force_authenticate(users[user])

        with override_waffle_flag(toggles._WRITABLE_GRADEBOOK_FLAG, active=flag):
            response = self.call(client, method, course_id)

        assert (response.status_code, response.json()["error_code"]) == expected

    def test_the_freeze_comes_after_access(self, client, users, frozen, writable_gradebook_on):
        client.force_authenticate(users["course_staff"])
        assert self.call(client, "post").json()["error_code"] == "grades_frozen"
        assert self.call(client, "get").status_code == 200  # reading a frozen gradebook is fine

    def test_grading_info_needs_no_flag(self, staff, graded):
        with override_waffle_flag(toggles._WRITABLE_GRADEBOOK_FLAG, active=False):
            assert staff.get(INFO).status_code == 200


class TestOtherEndpoints:
    def test_grading_info(self, staff, graded, course):
        body = staff.get(INFO, {"graded_only": "true"}).json()

        assert set(body["assignment_types"]) == {"Homework", "Lab"}
        assert body["assignment_types"]["Lab"]["short_label"] == "Lab"
        assert [row["short_label"] for row in body["subsections"]] == ["HW 01", "Lab 01"]
        assert body["can_see_bulk_management"] is False
        CourseMode.objects.create(course=course, slug="masters", display_name="Master's")
        assert staff.get(INFO).json()["can_see_bulk_management"] is True

    def test_subsection_errors(self, staff, graded, users):
        bad_key = staff.get(f"{ROOT}/subsection/nonsense/?user_id=1")
        bad_user = staff.get(f"{ROOT}/subsection/{graded.homework.usage_key}/?user_id=x")
        problem = staff.get(f"{ROOT}/subsection/{graded.q1.usage_key}/?user_id={users['learner'].pk}")
        assert (bad_key.status_code, bad_key.json()["error_code"]) == (404, "invalid_usage_key")
        assert (bad_user.status_code, bad_user.json()["error_code"]) == (404, "invalid_user_id")
        assert problem.status_code == 200 and problem.json()["success"] is False

    def test_policy(self, staff, graded):
        body = staff.get(f"{ROOT}/policy/courses/{COURSE_ID}/").json()
        assert body[0] == {"assignment_type": "Homework", "count": 1, "dropped": 0, "weight": 0.5}

    def test_course_grades_own_and_all(self, client, graded, users, course_key):
        client.force_authenticate(users["learner"])
        own = client.get(f"{ROOT}/courses/{COURSE_ID}/", {"username": "learner"})
        other = client.get(f"{ROOT}/courses/{COURSE_ID}/", {"username": "beta_tester"})
        assert own.status_code == 200 and own.json()[0]["username"] == "learner"
        assert other.status_code == 403
        client.force_authenticate(users["global_staff"])
        listed = client.get(f"{ROOT}/courses/", {"course_id": COURSE_ID, "page_size": 1}).json()
        assert len(listed["results"]) == 1 and listed["next"]
        assert client.get(f"{ROOT}/courses/", {"course_id": "nope"}).status_code == 404


# --- Permission matrix: every endpoint x the nine roles ---------------------

ROLES = (
    "anonymous",
    "outsider",
    "learner",
    "beta_tester",
    "course_staff",
    "instructor",
    "data_researcher",
    "discussion_admin",
    "global_staff",
)
STAFF_ONLY = (401, 403, 403, 403, 200, 200, 403, 200, 200)
MATRIX = {
    "gradebook": ("get", GRADEBOOK, STAFF_ONLY),
    "bulk_update": ("post", BULK, (401, 403, 403, 403, 202, 202, 403, 202, 202)),
    "grading_info": ("get", INFO, STAFF_ONLY),
    "policy": ("get", f"{ROOT}/policy/courses/{COURSE_ID}/", STAFF_ONLY),
    "subsection": ("get", "subsection", STAFF_ONLY),
    "course_grades_list": (
        "get",
        f"{ROOT}/courses/?course_id={quote(COURSE_ID)}",
        (401, 403, 403, 403, 403, 403, 403, 403, 200),
    ),
    "own_course_grade": (
        "get",
        f"{ROOT}/courses/{COURSE_ID}/?username=learner",
        (401, 403, 200, 403, 403, 403, 403, 403, 200),
    ),
}


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_permission_matrix(client, users, writable_gradebook_on, graded, endpoint, role_index):
    method, url, expected = MATRIX[endpoint]
    role = ROLES[role_index]
    if url == "subsection":
        url = subsection_url(graded, users["learner"])
    if role != "anonymous":
        client.force_authenticate(users[role])
    response = getattr(client, method)(
        url, [] if method == "post" else None, format="json" if method == "post" else None
    )
    assert response.status_code == expected[role_index], response.content


# --- Query counts: the gradebook page costs the same at 10 and 1,000 learners ---


def _make_learners(course_key, graded, prefix: str, count: int) -> None:
    User.objects.bulk_create(
        [User(username=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@example.com") for i in range(count)]
    )
    people = list(User.objects.filter(username__startswith=prefix))
    CourseEnrollment.objects.bulk_create([CourseEnrollment(user=user, course_key=course_key) for user in people])
    ProblemState.objects.bulk_create(
        [
            ProblemState(user=user, course_key=course_key, usage_key=graded.q1.usage_key, score=1.0, max_score=2.0)
            for user in people
        ]
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"excluded_course_roles": "all"},
        {"enrollment_mode": "audit", "excluded_course_roles": "staff"},
        {"user_contains": "q", "course_grade_min": 0, "assignment_grade_min": 10},
    ],
)
def test_gradebook_page_queries_do_not_grow(staff, graded, course_key, params):
    if "assignment_grade_min" in params:
        params = {**params, "assignment": str(graded.homework.usage_key)}
    staff.get(GRADEBOOK)  # warm the flag and role caches
    counts = []
    for prefix, count in (("qsmall", 10), ("qlarge", 990)):
        _make_learners(course_key, graded, prefix, count)
        with CaptureQueriesContext(connection) as captured:
            response = staff.get(GRADEBOOK, {"page_size": 25, **params})
        assert response.status_code == 200
        assert response.json()["results"]
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_gradebook_counts_by_mode_and_roles_read_the_kept_counts(staff, graded, course_key):
    _make_learners(course_key, graded, "kept", 30)
    params = {"page_size": 5, "enrollment_mode": "audit", "excluded_course_roles": "all"}
    counted = staff.get(GRADEBOOK, params).json()["filtered_users_count"]

    EnrollmentCount.objects.filter(course_key=course_key, mode="audit").update(active=F("active") + 1000)

    assert staff.get(GRADEBOOK, params).json()["filtered_users_count"] == counted + 1000


# --- Section grades breakdown and submission history (global staff) ---------

BREAKDOWN = f"{ROOT}/section_grades_breakdown/"
HISTORY = f"{ROOT}/submission_history/{COURSE_ID}/"


@pytest.fixture
def admin(client, users):
    client.force_authenticate(users["global_staff"])
    return client


def _save_grades(course_key, *people):
    CourseGrader.for_course(course_key).save_grades(course_key, [person.pk for person in people])


class TestSectionGradesBreakdown:
    def test_summary_rows_averages_padding_and_grade(self, admin, graded, users, course_key):
        give_state(users["learner"], graded.q1, score=2.0)  # homework 1/4
        _save_grades(course_key, users["learner"])

        body = admin.get(BREAKDOWN, {"course_id": COURSE_ID, "username": "learner"}).json()

        (row,) = body["results"]
        assert (row["course_id"], row["username"], row["passed"], row["current_grade"]) == (
            COURSE_ID,
            "learner",
            False,
            12,
        )
        homework, lab_1, lab_2, lab_average = row["section_breakdown"]
        assert homework == {
            "percent": 0.25,
            "label": "HW",
            "detail": "Homework = 25.00%",
            "category": "Homework",
            "prominent": True,
        }
        assert (lab_1["label"], lab_1["detail"], lab_1["percent"]) == ("Lab 01", "Lab 1 - Lab 1 - 0.00% (0/0)", 0.0)
        assert (lab_2["label"], lab_2["detail"]) == ("Lab 02", "Lab 2 Unreleased - 0% (?/?)")
        assert (lab_average["label"], lab_average["prominent"], lab_average["detail"]) == (
            "Lab Avg",
            True,
            "Lab Average = 0.00%",
        )

    def test_overrides_count_and_dropped_scores_are_marked(
        self, admin, writable_gradebook_on, graded, users, course_key
    ):
        policy = dict(graded.course.grading_policy)
        policy["GRADER"] = [
            {**grader, "drop_count": 1} if grader["type"] == "Lab" else grader for grader in policy["GRADER"]
        ]
        graded.course.grading_policy = policy
        graded.course.save()
        assert (
            override(admin, users["learner"], graded.homework.usage_key, earned_graded_override="3").status_code == 202
        )

        row = admin.get(BREAKDOWN, {"course_id": COURSE_ID, "username": "learner"}).json()["results"][0]

        assert row["section_breakdown"][0]["percent"] == 0.75 and row["current_grade"] == 38
        lab_rows = [item for item in row["section_breakdown"] if item["category"] == "Lab"]
        assert sum("mark" in item for item in lab_rows) == 1
        assert lab_rows[0]["mark"] == {"detail": "The lowest 1 Lab scores are dropped."}

    def test_every_course_usernames_and_cursor_pages(self, admin, graded, users, course_key):
        other = Course.objects.create(course_key=course_key.replace(run="Other"), display_name="Other")
        enroll(users["learner"], other.course_key)
        CourseEnrollment.objects.filter(user=users["beta_tester"], course_key=course_key).update(is_active=False)

        everything = admin.get(BREAKDOWN).json()["results"]
        mine = admin.get(BREAKDOWN, {"username": "learner,nobody"}).json()["results"]
        first = admin.get(BREAKDOWN, {"page_size": 1}).json()
        second = admin.get(first["next"]).json()

        active = CourseEnrollment.objects.filter(is_active=True).count()
        assert len(everything) == active
        assert {(row["username"], row["course_id"]) for row in mine} == {
            ("learner", COURSE_ID),
            ("learner", str(other.course_key)),
        }
        assert [row["section_breakdown"] for row in mine if row["course_id"] == str(other.course_key)] == [[]]
        assert len(first["results"]) == 1 and first["previous"] is None
        assert second["results"][0] == everything[1] and second["previous"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"course_id": "not a course"}, "course_id"),
            ({"username": "bad name!"}, "username"),
            ({"username": ",".join(f"u{i}" for i in range(101))}, "username"),
        ],
    )
    def test_bad_filters_are_400_with_field_errors(self, admin, graded, params, field):
        response = admin.get(BREAKDOWN, params)

        assert response.status_code == 400
        assert field in response.json()["field_errors"]

    def test_an_unknown_course_lists_nothing(self, admin, graded):
        response = admin.get(BREAKDOWN, {"course_id": "course-v1:No+Such+Course"})

        assert (response.status_code, response.json()["results"]) == (200, [])


class TestSubmissionHistory:
    def test_each_score_of_the_history_is_a_submission(self, admin, graded, users):
        state = give_state(users["learner"], graded.q1, score=1.0, correct=1)
        state.state = {
            **state.state,
            "score_history": [0.0, 1.0],
            "student_answers_history": [{"answer_0": "41"}, {"answer_0": "42"}],
            "correct_map_history": [{"answer_0": "incorrect"}, {"answer_0": "correct"}],
        }
        state.save()
        olx = '<problem display_name="Question 1"><numericalresponse answer="42"/></problem>'
        Block.objects.filter(pk=graded.q1.pk).update(data=olx)

        body = admin.get(HISTORY, {"username": "learner"}).json()

        (row,) = body["results"]
        assert (row["course_id"], row["course_name"], row["user"]) == (COURSE_ID, "Test Course", "learner")
        (problem,) = row["problems"]
        assert (problem["location"], problem["name"], problem["data"]) == (str(graded.q1.usage_key), "Question 1", olx)
        assert problem["submission_history"] == [
            {
                "state": {
                    "attempts": 1,
                    "student_answers": {"answer_0": "41"},
                    "correct_map": {"answer_0": "incorrect"},
                },
                "grade": 0.0,
                "max_grade": 2.0,
            },
            {
                "state": {"attempts": 2, "student_answers": {"answer_0": "42"}, "correct_map": {"answer_0": "correct"}},
                "grade": 1.0,
                "max_grade": 2.0,
            },
        ]

    def test_every_active_learner_and_only_problems_at_the_unit_depth(self, admin, graded, users):
        give_state(users["learner"], graded.q2, score=1.0)
        give_state(users["beta_tester"], graded.lab_problem, score=1.0)  # directly in its subsection: not read

        rows = {row["user"]: row for row in admin.get(HISTORY).json()["results"]}

        assert set(rows) == set(
            CourseEnrollment.objects.filter(course_key=graded.course.course_key, is_active=True).values_list(
                "user__username", flat=True
            )
        )
        assert [problem["name"] for problem in rows["learner"]["problems"]] == ["Question 2"]
        assert rows["beta_tester"]["problems"] == []

    def test_bad_and_unknown_courses(self, admin, graded):
        bad = admin.get(f"{ROOT}/submission_history/not+a/course:here/")
        unknown = admin.get(f"{ROOT}/submission_history/course-v1:No+Such+Course/")

        assert (bad.status_code, bad.json()["error_code"]) == (400, "invalid_course_key")
        assert unknown.status_code == 404

    def test_throttled_as_the_enrollment_api(self, admin, graded, settings):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "ENROLLMENT_API_THROTTLE_RATES": {"user": "1/minute", "staff": "2/minute"},
        }

        assert [admin.get(HISTORY).status_code for _ in range(3)] == [200, 200, 429]


GLOBAL_STAFF_ONLY = (401, 403, 403, 403, 403, 403, 403, 403, 200)
MATRIX["section_grades_breakdown"] = ("get", BREAKDOWN, GLOBAL_STAFF_ONLY)
MATRIX["submission_history"] = ("get", HISTORY, GLOBAL_STAFF_ONLY)


def test_a_state_without_history_is_one_submission(admin, graded, users):
    state = give_state(users["learner"], graded.q1, score=2.0)
    state.state = {"attempts": 1, "student_answers": {"answer_0": "42"}}
    state.save()

    (problem,) = admin.get(HISTORY, {"username": "learner"}).json()["results"][0]["problems"]

    assert problem["submission_history"] == [{"state": state.state, "grade": 2.0, "max_grade": 2.0}]


@pytest.mark.parametrize("url", [BREAKDOWN, HISTORY])
def test_global_staff_pages_queries_do_not_grow(admin, graded, course_key, url):
    admin.get(url)  # warm the caches
    counts = []
    for prefix, count in (("qsmall", 10), ("qlarge", 990)):
        _make_learners(course_key, graded, prefix, count)
        with CaptureQueriesContext(connection) as captured:
            response = admin.get(url, {"page_size": 25})
        assert response.status_code == 200
        assert response.json()["results"]
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
