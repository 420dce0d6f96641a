"""The special-exam endpoints: exams, attempts, allowances and proctoring settings of the built-in backend."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from instructor_plugin.backends.builtin.models import Course, ExamAllowance, ExamAttempt
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, seed_demo_course
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.models import AuditRecord
from tests.conftest import make_user, v2
from tests.special_exam_fixtures import add_exams, allowance, attempt

ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}


@pytest.fixture
def exams(course, course_key):
    return add_exams(course_key)


@pytest.fixture
def staff(api_v2_on, users, client):
    client.force_authenticate(users["course_staff"])
    return client


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= ENVELOPE_KEYS
    assert body["error_code"] == code
    return body


class TestExamList:
    def test_a_bare_array_of_the_course_exams(self, staff, exams):
        response = staff.get(v2(suffix="/special_exams"))

        assert response.status_code == 200
        body = response.json()
        assert [exam["exam_name"] for exam in body] == ["Midterm", "Final", "Practice"]
        final = body[1]
        assert final == {
            "id": exams.proctored.pk,
            "course_id": "course-v1:TestX+T101+2026",
            "content_id": "block-v1:TestX+T101+2026+type@sequential+block@final",
            "exam_name": "Final",
            "time_limit_mins": 120,
            "due_date": None,
            "exam_type": "proctored",
            "is_proctored": True,
            "is_practice_exam": False,
            "is_active": True,
            "hide_after_due": False,
            "backend": "null",
        }
        assert [exam["exam_type"] for exam in body] == ["timed", "proctored", "practice"]

    @pytest.mark.parametrize(
        ("exam_type", "names"),
        [
            ("proctored", ["Final"]),
            (" PROCTORED ", ["Final"]),
            ("practice", ["Practice"]),
            ("timed", ["Midterm"]),
            ("nonsense", ["Midterm", "Final", "Practice"]),
            ("", ["Midterm", "Final", "Practice"]),
        ],
    )
    def test_exam_type_filters(self, staff, exams, exam_type, names):
        response = staff.get(v2(suffix="/special_exams"), {"exam_type": exam_type})

        assert [exam["exam_name"] for exam in response.json()] == names

    def test_a_course_without_exams_has_an_empty_array(self, staff):
        assert staff.get(v2(suffix="/special_exams")).json() == []


class TestExamDetail:
    def test_an_exam_of_the_course(self, staff, exams):
        response = staff.get(v2(suffix=f"/special_exams/{exams.timed.pk}"))

        assert response.status_code == 200
        assert response.json()["exam_name"] == "Midterm"
        assert response.json()["exam_type"] == "timed"

    @pytest.mark.parametrize("which", ["foreign", "unknown"])
    def test_another_course_exam_or_an_unknown_one_is_404(self, staff, exams, which):
        exam_id = exams.foreign.pk if which == "foreign" else 987654

        response = staff.get(v2(suffix=f"/special_exams/{exam_id}"))

        body = error_of(response, 404, "exam_not_found")
        assert body["detail"] == "Exam not found in this course."

    @pytest.mark.parametrize("exam_id", ["abc", "-1", "1.5"])
    def test_a_non_numeric_id_is_no_endpoint(self, staff, exams, exam_id):
        error_of(staff.get(v2(suffix=f"/special_exams/{exam_id}")), 404, "endpoint_not_found")


@pytest.fixture
def attempts(exams, users):
    learner, beta = users["learner"], users["beta_tester"]
    return {
        "learner_timed": attempt(exams.timed, learner, "submitted", hours=1, completed_at=None),
        "learner_final": attempt(exams.proctored, learner, "error", hours=3),
        "beta_final": attempt(exams.proctored, beta, "error", hours=2, ready_to_resume=True),
        "foreign": attempt(exams.foreign, learner, "started"),
    }


class TestAttempts:
    def test_attempts_of_the_course_only_in_username_order(self, staff, attempts, exams, users):
        response = staff.get(v2(suffix="/special_exams/attempts"))

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert [row["id"] for row in body["results"]] == [
            attempts["beta_final"].pk,
            attempts["learner_timed"].pk,
            attempts["learner_final"].pk,
        ]
        row = body["results"][0]
        assert row == {
            "id": attempts["beta_final"].pk,
            "user": {"id": users["beta_tester"].pk, "username": "beta_tester", "email": "beta_tester@example.com"},
            "exam_id": exams.proctored.pk,
            "exam_name": "Final",
            "exam_type": "proctored",
            "status": "error",
            "start_time": "2026-11-01T11:00:00Z",
            "end_time": None,
            "allowed_time_limit_mins": 120,
            "ready_to_resume": True,
        }
        assert body["results"][2]["ready_to_resume"] is False

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("user.username", ["beta_final", "learner_timed", "learner_final"]),
            ("-user.username", ["learner_timed", "learner_final", "beta_final"]),
            ("-exam_name", ["learner_timed", "beta_final", "learner_final"]),
            ("start_time", ["learner_timed", "beta_final", "learner_final"]),
            ("-start_time", ["learner_final", "beta_final", "learner_timed"]),
            ("exam_type", ["beta_final", "learner_final", "learner_timed"]),
            ("status", ["beta_final", "learner_final", "learner_timed"]),
            ("proctored_exam.exam_name", ["beta_final", "learner_final", "learner_timed"]),
            ("no_such_field", ["beta_final", "learner_timed", "learner_final"]),
            ("key", ["beta_final", "learner_timed", "learner_final"]),
        ],
    )
    def test_ordering_by_the_mfe_columns(self, staff, attempts, ordering, expected):
        response = staff.get(v2(suffix="/special_exams/attempts"), {"ordering": ordering})

        ids = [row["id"] for row in response.json()["results"]]
        assert ids == [attempts[name].pk for name in expected]

    @pytest.mark.parametrize(("search", "count"), [("beta", 1), ("LEARNER@EXAMPLE", 2), ("nobody", 0), ("  ", 3)])
    def test_search_by_username_or_email(self, staff, attempts, search, count):
        response = staff.get(v2(suffix="/special_exams/attempts"), {"search": search})

        assert response.json()["count"] == count

    def test_pages(self, staff, attempts):
        response = staff.get(v2(suffix="/special_exams/attempts"), {"page_size": 2, "page": 2})

        body = response.json()
        assert (body["count"], body["num_pages"], body["current_page"], len(body["results"])) == (3, 2, 2, 1)
        error_of(staff.get(v2(suffix="/special_exams/attempts"), {"page": 3, "page_size": 2}), 404, "not_found")

    def test_attempts_of_one_exam(self, staff, attempts, exams):
        response = staff.get(v2(suffix=f"/special_exams/{exams.proctored.pk}/attempts"), {"ordering": "start_time"})

        assert response.status_code == 200
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == [attempts["beta_final"].pk, attempts["learner_final"].pk]

    def test_attempts_of_another_course_exam_are_404(self, staff, attempts, exams):
        error_of(staff.get(v2(suffix=f"/special_exams/{exams.foreign.pk}/attempts")), 404, "exam_not_found")


class TestResetAttempt:
    def test_removes_the_learner_attempts_at_that_exam_only(self, staff, attempts, exams, users):
        attempt(exams.proctored, users["learner"], "started", hours=5)

        response = staff.post(v2(suffix=f"/special_exams/{exams.proctored.pk}/reset/learner"))

        assert response.status_code == 200
        assert response.json() == {"success": True, "message": "Exam attempt reset for user learner"}
        remaining = set(ExamAttempt.objects.values_list("pk", flat=True))
        assert remaining == {attempts[name].pk for name in ("learner_timed", "beta_final", "foreign")}

    def test_the_reset_is_audited(self, staff, attempts, exams, users, course_key):
        staff.post(v2(suffix=f"/special_exams/{exams.proctored.pk}/reset/learner"))

        record = AuditRecord.objects.get(action="reset_exam_attempts")
        assert (record.course_key, record.actor, record.learner) == (
            course_key,
            users["course_staff"],
            users["learner"],
        )
        assert record.detail == {
            "exam_id": exams.proctored.pk,
            "content_id": str(exams.proctored.content_id),
            "removed": 1,
        }

    def test_no_attempt_is_404_with_a_detail(self, staff, attempts, exams):
        body = error_of(
            staff.post(v2(suffix=f"/special_exams/{exams.practice.pk}/reset/learner")), 404, "attempt_not_found"
        )
        assert body["detail"] == "No attempts found for this user on this exam."

    def test_unknown_user_is_404(self, staff, attempts, exams):
        error_of(staff.post(v2(suffix=f"/special_exams/{exams.proctored.pk}/reset/ghost")), 404, "learner_not_found")

    def test_another_course_exam_is_404_and_keeps_the_attempt(self, staff, attempts, exams):
        response = staff.post(v2(suffix=f"/special_exams/{exams.foreign.pk}/reset/learner"))

        error_of(response, 404, "exam_not_found")
        assert ExamAttempt.objects.filter(pk=attempts["foreign"].pk).exists()


@pytest.fixture
def allowances(exams, users):
    return {
        "learner_timed": allowance(exams.timed, users["learner"], "additional_time_granted", "30"),
        "beta_final": allowance(exams.proctored, users["beta_tester"], "time_multiplier", "1.5"),
        "foreign": allowance(exams.foreign, users["learner"]),
    }


class TestAllowanceList:
    def test_allowances_of_the_course(self, staff, allowances, exams, users):
        response = staff.get(v2(suffix="/special_exams/allowances"))

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        first = body["results"][0]
        assert first["id"] == allowances["beta_final"].pk
        assert first["user"] == {
            "id": users["beta_tester"].pk,
            "username": "beta_tester",
            "email": "beta_tester@example.com",
        }
        assert (first["key"], first["value"]) == ("time_multiplier", "1.5")
        assert first["proctored_exam"]["id"] == exams.proctored.pk
        assert first["proctored_exam"]["exam_type"] == "proctored"
        assert first["created"] and first["modified"]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"ordering": "proctored_exam.exam_name"}, ["beta_final", "learner_timed"]),
            ({"ordering": "-proctored_exam.exam_name"}, ["learner_timed", "beta_final"]),
            ({"ordering": "allowance_type"}, ["learner_timed", "beta_final"]),
            ({"ordering": "-value"}, ["learner_timed", "beta_final"]),
            ({"ordering": "-user.username"}, ["learner_timed", "beta_final"]),
            ({"ordering": "start_time"}, ["beta_final", "learner_timed"]),
            ({"search": "learner"}, ["learner_timed"]),
        ],
    )
    def test_ordering_and_search(self, staff, allowances, params, expected):
        response = staff.get(v2(suffix="/special_exams/allowances"), params)

        assert [row["id"] for row in response.json()["results"]] == [allowances[name].pk for name in expected]


def _allowances() -> set:
    return set(ExamAllowance.objects.values_list("exam_id", "user__username", "key", "value"))


class TestAddAllowances:
    url = v2(suffix="/special_exams/allowances")

    def body(self, exams, **changes) -> dict:
        return {
            "user_ids": ["learner", "beta_tester@example.com"],
            "exam_type": "timed",
            "exam_ids": [exams.timed.pk, exams.proctored.pk],
            "allowance_type": "additional_time_granted",
            "value": "15",
            **changes,
        }

    def test_one_row_per_learner_and_exam_replacing_what_they_held(self, staff, allowances, exams):
        response = staff.post(self.url, self.body(exams, user_ids=["learner", "beta_tester@example.com", "ghost"]))

        assert response.status_code == 200
        body = response.json()
        assert (body["allowance_type"], body["value"]) == ("additional_time_granted", "15")
        assert body["results"][:3] == [
            {"identifier": "learner", "exam_id": exams.timed.pk, "success": True},
            {"identifier": "beta_tester@example.com", "exam_id": exams.timed.pk, "success": True},
            {"identifier": "ghost", "exam_id": exams.timed.pk, "success": False, "error": "User not found"},
        ]
        assert len(body["results"]) == 6
        assert _allowances() == {
            (exams.timed.pk, "learner", "additional_time_granted", "15"),
            (exams.timed.pk, "beta_tester", "additional_time_granted", "15"),
            (exams.proctored.pk, "learner", "additional_time_granted", "15"),
            (exams.proctored.pk, "beta_tester", "additional_time_granted", "15"),
            (exams.foreign.pk, "learner", "additional_time_granted", "30"),
        }

    def test_an_ambiguous_identifier_is_a_row(self, staff, exams):
        twin = make_user("twin")
        twin.email = "x@example.com"
        twin.save()
        make_user("x@example.com")

        response = staff.post(self.url, self.body(exams, user_ids=["x@example.com"], exam_ids=[exams.timed.pk]))

        assert response.json()["results"][0]["error"] == "More than one user matches this identifier."
        assert not ExamAllowance.objects.exists()

    def test_an_exam_of_another_course_writes_nothing(self, staff, allowances, exams):
        before = _allowances()

        response = staff.post(self.url, self.body(exams, exam_ids=[exams.timed.pk, exams.foreign.pk]))

        error_of(response, 404, "exam_not_found")
        assert _allowances() == before

    def test_all_or_nothing(self, staff, exams, monkeypatch):
        service = get_backend().special_exams
        real = service.set_allowance

        def fail_on_the_second_exam(course_key, exam_id, user_id, key, value):
            if exam_id == exams.proctored.pk:
                raise RuntimeError("boom")
            real(course_key, exam_id, user_id, key, value)

        monkeypatch.setattr(service, "set_allowance", fail_on_the_second_exam)

        response = staff.post(self.url, self.body(exams))

        assert response.status_code == 500
        assert not ExamAllowance.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"user_ids": "learner"}, "user_ids"),
            ({"exam_ids": ["one"]}, "exam_ids"),
            ({"exam_ids": [0]}, "exam_ids"),
            ({"allowance_type": "extra_cookies"}, "allowance_type"),
            ({"value": ""}, "value"),
            ({"value": "-5"}, "value"),
            ({"value": "ten"}, "value"),
            ({"allowance_type": "time_multiplier", "value": "1"}, "value"),
            ({"allowance_type": "time_multiplier", "value": "NaN"}, "value"),
            ({"allowance_type": "time_multiplier", "value": "fast"}, "value"),
            ({"user_ids": ["x"] * 1001}, "user_ids"),
        ],
    )
    def test_bad_input_is_400(self, staff, exams, changes, field):
        response = staff.post(self.url, self.body(exams, **changes), format="json")

        body = error_of(response, 400, "validation_error")
        assert field in body["field_errors"]
        assert not ExamAllowance.objects.exists()

    @pytest.mark.parametrize("missing", ["user_ids", "exam_ids", "allowance_type", "value"])
    def test_every_field_is_required(self, staff, exams, missing):
        body = self.body(exams)
        del body[missing]

        assert missing in error_of(staff.post(self.url, body, format="json"), 400, "validation_error")["field_errors"]

    def test_review_policy_exception_takes_text(self, staff, exams):
        body = self.body(exams, allowance_type="review_policy_exception", value="<b>Notes</b>", user_ids=["learner"])

        assert staff.post(self.url, body, format="json").status_code == 200
        assert ExamAllowance.objects.filter(value="<b>Notes</b>").count() == 2


class TestExamAllowance:
    def url(self, exam) -> str:
        return v2(suffix=f"/special_exams/{exam.pk}/allowance")

    def test_post_gives_the_allowance_on_that_exam(self, staff, allowances, exams):
        body = {"user_ids": ["learner", "nobody"], "allowance_type": "time_multiplier", "value": "2"}

        response = staff.post(self.url(exams.timed), body, format="json")

        assert response.status_code == 200
        assert response.json() == {
            "allowance_type": "time_multiplier",
            "results": [
                {"identifier": "learner", "exam_id": exams.timed.pk, "success": True},
                {"identifier": "nobody", "exam_id": exams.timed.pk, "success": False, "error": "User not found"},
            ],
        }
        assert ExamAllowance.objects.get(exam=exams.timed).key == "time_multiplier"

    def test_post_on_another_course_exam_is_404(self, staff, exams):
        body = {"user_ids": ["learner"], "allowance_type": "time_multiplier", "value": "2"}

        error_of(staff.post(self.url(exams.foreign), body, format="json"), 404, "exam_not_found")
        assert not ExamAllowance.objects.exists()

    def test_post_bad_input_is_400(self, staff, exams):
        error_of(staff.post(self.url(exams.timed), {"user_ids": ["learner"]}, format="json"), 400, "validation_error")

    def test_delete_by_user_id_as_the_mfe_sends(self, staff, allowances, exams, users):
        body = {
            "exam_id": exams.proctored.pk,
            "user_ids": [users["beta_tester"].pk],
            "allowance_type": "time_multiplier",
        }

        response = staff.delete(self.url(exams.proctored), body, format="json")

        assert response.status_code == 200
        assert response.json() == {
            "allowance_type": "time_multiplier",
            "results": [{"identifier": str(users["beta_tester"].pk), "exam_id": exams.proctored.pk, "success": True}],
        }
        assert not ExamAllowance.objects.filter(pk=allowances["beta_final"].pk).exists()

    def test_delete_rows_for_unknown_users_and_missing_allowances(self, staff, allowances, exams, users):
        body = {
            "user_ids": ["learner", 999999, "ghost", users["beta_tester"].pk],
            "allowance_type": "time_multiplier",
        }

        response = staff.delete(self.url(exams.timed), body, format="json")

        rows = response.json()["results"]
        assert [row["success"] for row in rows] == [False, False, False, False]
        assert [row["error"] for row in rows] == [
            "No allowance of this type found for this user on this exam",
            "User not found",
            "User not found",
            "No allowance of this type found for this user on this exam",
        ]
        assert ExamAllowance.objects.count() == 3

    def test_delete_on_another_course_exam_is_404(self, staff, allowances, exams, users):
        body = {"user_ids": [users["learner"].pk], "allowance_type": "additional_time_granted"}

        error_of(staff.delete(self.url(exams.foreign), body, format="json"), 404, "exam_not_found")
        assert ExamAllowance.objects.filter(pk=allowances["foreign"].pk).exists()

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"user_ids": [1]},
            {"user_ids": [True], "allowance_type": "time_multiplier"},
            {"user_ids": [0], "allowance_type": "time_multiplier"},
            {"user_ids": [{"id": 1}], "allowance_type": "time_multiplier"},
            {"user_ids": [" "], "allowance_type": "time_multiplier"},
            {"user_ids": [1], "allowance_type": "nope"},
        ],
    )
    def test_delete_bad_input_is_400(self, staff, allowances, exams, body):
        error_of(staff.delete(self.url(exams.timed), body, format="json"), 400, "validation_error")
        assert ExamAllowance.objects.count() == 3


class TestProctoringSettings:
    url = v2(suffix="/proctoring_settings")

    @pytest.fixture
    def proctored_course(self, course):
        Course.objects.filter(pk=course.pk).update(
            proctoring_provider="proctortrack", proctoring_escalation_email="help@example.com"
        )

    def test_get_reads_the_course_and_the_provider_capabilities(self, staff, proctored_course, settings):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "PROCTORING_BACKENDS": {"proctortrack": {"supports_onboarding": True, "review_dashboard": False}},
        }

        response = staff.get(self.url)

        assert response.status_code == 200
        assert response.json() == {
            "proctoring_provider": "proctortrack",
            "proctoring_escalation_email": "help@example.com",
            "create_zendesk_tickets": False,
            "enable_proctored_exams": False,
            "supports_onboarding": True,
            "review_dashboard_available": False,
        }

    def test_an_unlisted_provider_offers_nothing(self, staff, course):
        body = staff.get(self.url).json()

        assert (body["proctoring_provider"], body["proctoring_escalation_email"]) == (None, None)
        assert (body["supports_onboarding"], body["review_dashboard_available"]) == (False, False)

    def test_patch_writes_the_settings_and_ignores_the_provider(self, staff, proctored_course):
        changes = {
            "proctoring_escalation_email": "desk@example.com",
            "create_zendesk_tickets": True,
            "enable_proctored_exams": True,
            "proctoring_provider": "other",
            "unknown": 1,
        }

        response = staff.patch(self.url, changes, format="json")

        assert response.status_code == 200
        assert response.json()["proctoring_escalation_email"] == "desk@example.com"
        course = Course.objects.get()
        assert (course.proctoring_provider, course.create_zendesk_tickets, course.enable_proctored_exams) == (
            "proctortrack",
            True,
            True,
        )

    @pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
    def test_a_form_patch_leaves_the_booleans_it_omits_as_they_are(self, staff, proctored_course, encoding):
        Course.objects.update(create_zendesk_tickets=True, enable_proctored_exams=True)
        if encoding == "multipart":
            response = staff.patch(self.url, {"proctoring_escalation_email": "desk@example.com"}, format="multipart")
        else:
            response = staff.patch(
                self.url,
                "proctoring_escalation_email=desk%40example.com",
                content_type="application/x-www-form-urlencoded",
            )

        assert response.status_code == 200, response.content
        course = Course.objects.get()
        assert (course.proctoring_escalation_email, course.create_zendesk_tickets, course.enable_proctored_exams) == (
            "desk@example.com",
            True,
            True,
        )

    def test_patch_may_clear_the_email(self, staff, proctored_course):
        response = staff.patch(self.url, {"proctoring_escalation_email": ""}, format="json")

        assert response.json()["proctoring_escalation_email"] is None
        assert Course.objects.get().proctoring_escalation_email == ""

    @pytest.mark.parametrize(
        "changes",
        [
            {"proctoring_escalation_email": "not an email"},
            {"create_zendesk_tickets": "maybe"},
            {"enable_proctored_exams": []},
        ],
    )
    def test_patch_bad_input_is_400_and_writes_nothing(self, staff, proctored_course, changes):
        error_of(staff.patch(self.url, changes, format="json"), 400, "validation_error")

        course = Course.objects.get()
        assert (course.proctoring_escalation_email, course.create_zendesk_tickets) == ("help@example.com", False)


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "/special_exams/allowances", {"exam_ids": "x"}),
        ("post", "/special_exams/{exam}/allowance", {}),
        ("delete", "/special_exams/{exam}/allowance", {"user_ids": [{}]}),
        ("post", "/special_exams/{exam}/reset/ghost", None),
        ("patch", "/proctoring_settings", {"enable_proctored_exams": "?"}),
    ],
)
def test_permission_is_checked_before_the_body_and_the_exam(api_v2_on, users, client, exams, method, suffix, body):
    client.force_authenticate(users["data_researcher"])

    response = getattr(client, method)(v2(suffix=suffix.format(exam=exams.foreign.pk)), body, format="json")

    error_of(response, 403, "permission_denied")


def test_the_demo_course_has_a_timed_and_a_proctored_exam_with_attempts_and_allowances(api_v2_on, client):
    seed_demo_course(learners=10)
    client.force_authenticate(get_user_model().objects.get(username="course_staff"))

    exams = client.get(v2(DEMO_COURSE_ID, "/special_exams")).json()
    attempts = client.get(v2(DEMO_COURSE_ID, "/special_exams/attempts"), {"page_size": 100}).json()["results"]
    allowances = client.get(v2(DEMO_COURSE_ID, "/special_exams/allowances")).json()["results"]

    assert [(exam["exam_name"], exam["exam_type"]) for exam in exams] == [
        ("Midterm Exam (timed)", "timed"),
        ("Final Exam (proctored)", "proctored"),
    ]
    assert all(exam["due_date"] for exam in exams)
    assert {"submitted", "verified", "started", "error", "rejected"} <= {row["status"] for row in attempts}
    assert any(row["status"] == "error" and not row["ready_to_resume"] for row in attempts)
    assert {row["key"] for row in allowances} == {
        "additional_time_granted",
        "time_multiplier",
        "review_policy_exception",
    }
