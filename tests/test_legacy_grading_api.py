"""The legacy grading endpoints (LMS_APIS ``instructor_legacy``), and the same actions through v2."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Block, Course, ProblemState
from instructor_plugin.grading import OVERRIDE_SCORE_TASK, RESCORE_TASK, RESET_ATTEMPTS_TASK
from instructor_plugin.instructor_tasks import create_task_record
from instructor_plugin.models import AuditRecord, InstructorTask
from tests.conftest import COURSE_ID, v2
from tests.grading_fixtures import GradedCourse, build_graded_course, give_state

CSRF_SECRET = "a" * 32


def legacy(name: str, course_id: str = COURSE_ID) -> str:
    return f"/courses/{course_id}/instructor/api/{name}"


@pytest.fixture
def graded(course) -> GradedCourse:
    return build_graded_course(course)


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture
def instructor(client, users):
    client.force_authenticate(users["instructor"])
    return client


def valid(graded: GradedCourse) -> dict[str, dict]:
    problem = str(graded.q1.usage_key)
    return {
        "get_grading_config": {},
        "reset_student_attempts": {"problem_to_reset": problem, "unique_student_identifier": "learner"},
        "rescore_problem": {"problem_to_reset": problem, "unique_student_identifier": "learner"},
        "override_problem_score": {"problem_to_reset": problem, "unique_student_identifier": "learner", "score": "1"},
    }


NAMES = ["get_grading_config", "reset_student_attempts", "rescore_problem", "override_problem_score"]


def assert_error(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code
    if message is not None:
        assert body["error"] == message


class TestEveryEndpoint:
    @pytest.mark.parametrize("name", NAMES)
    def test_get_is_not_allowed(self, client, users, name):
        client.force_authenticate(users["global_staff"])

        response = client.get(legacy(name))

        assert response.status_code == 405
        assert response.json()["error_code"] == "method_not_allowed"

    @pytest.mark.parametrize("name", NAMES)
    def test_session_callers_send_the_csrf_token(self, users, graded, name):
        give_state(users["learner"], graded.q1, score=1.0, attempts=2)
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET

        refused = session.post(legacy(name), valid(graded)[name])
        accepted = session.post(legacy(name), valid(graded)[name], HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert refused.json()["error_code"] == "permission_denied"
        assert accepted.status_code == 200, accepted.content

    @pytest.mark.parametrize("name", NAMES)
    def test_anonymous_is_401(self, client, users, graded, name):
        assert client.post(legacy(name), valid(graded)[name]).status_code == 401


class TestGetGradingConfig:
    def test_the_v2_text_under_the_original_key(self, api_v2_on, client, users, graded):
        client.force_authenticate(users["data_researcher"])

        response = client.post(legacy("get_grading_config"))

        assert response.status_code == 200
        body = response.json()
        assert body["course_id"] == COURSE_ID
        assert "Homework (HW): weight 50%, at least 1, 0 dropped" in body["grading_config_summary"]
        assert body["grading_config_summary"] == json.loads(client.get(v2(suffix="/grading-config")).content)


class TestResetStudentAttempts:
    def test_one_learner_at_once_and_audited(self, staff, graded, users):
        give_state(users["learner"], graded.q1, score=1.0, attempts=3)

        response = staff.post(
            legacy("reset_student_attempts"),
            {"problem_to_reset": str(graded.q1.usage_key), "unique_student_identifier": "learner@example.com"},
        )

        assert response.status_code == 200
        assert response.json() == {"problem_to_reset": str(graded.q1.usage_key), "student": "learner@example.com"}
        state = ProblemState.objects.get()
        assert (state.attempts, state.score) == (0, 1.0)
        assert AuditRecord.objects.get().action == "reset_attempts"

    def test_delete_module_deletes_the_state(self, staff, graded, users):
        give_state(users["learner"], graded.q1, score=1.0, attempts=3)

        response = staff.post(
            legacy("reset_student_attempts"),
            {**valid(graded)["reset_student_attempts"], "delete_module": "true"},
        )

        assert response.status_code == 200
        assert not ProblemState.objects.exists()
        assert AuditRecord.objects.get().action == "delete_state"

    def test_no_state_is_module_does_not_exist(self, staff, graded):
        response = staff.post(legacy("reset_student_attempts"), valid(graded)["reset_student_attempts"])

        assert_error(response, 400, "module_does_not_exist", "Module does not exist.")

    def test_all_students_queues_the_task(self, instructor, graded, users):
        response = instructor.post(
            legacy("reset_student_attempts"), {"problem_to_reset": str(graded.q1.usage_key), "all_students": "true"}
        )

        assert response.status_code == 200
        assert response.json() == {
            "problem_to_reset": str(graded.q1.usage_key),
            "task": "created",
            "student": "All Students",
        }
        assert InstructorTask.objects.get().task_type == RESET_ATTEMPTS_TASK

    def test_all_students_needs_an_instructor(self, staff, graded):
        response = staff.post(
            legacy("reset_student_attempts"), {"problem_to_reset": str(graded.q1.usage_key), "all_students": "true"}
        )

        assert_error(response, 403, "permission_denied", "Requires instructor access.")
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (
                {"all_students": "true", "unique_student_identifier": "learner"},
                "all_students and unique_student_identifier are mutually exclusive.",
            ),
            (
                {"all_students": "true", "delete_module": "true"},
                "all_students and delete_module are mutually exclusive.",
            ),
            ({}, "Either unique_student_identifier or all_students is required."),
        ],
    )
    def test_parameter_combinations(self, instructor, graded, extra, message):
        response = instructor.post(
            legacy("reset_student_attempts"), {"problem_to_reset": str(graded.q1.usage_key), **extra}
        )

        assert_error(response, 400, "invalid_request", message)

    def test_a_running_reset_is_a_400(self, instructor, graded, course_key):
        create_task_record(
            RESET_ATTEMPTS_TASK, course_key, None, {}, scope=f"{graded.q1.usage_key}:all", usage_key=graded.q1.usage_key
        )

        response = instructor.post(
            legacy("reset_student_attempts"), {"problem_to_reset": str(graded.q1.usage_key), "all_students": "true"}
        )

        assert_error(response, 400, "task_already_running", "A reset task is already running for this problem.")

    def test_problem_and_learner_errors(self, staff, graded, users):
        give_state(users["learner"], graded.q1, score=1.0)
        other = Course.objects.create(course_key="course-v1:Other+O1+2026", display_name="Other")
        foreign = Block.objects.create(
            course=other, usage_key=other.course_key.make_usage_key("problem", "x"), block_type="problem"
        )
        url = legacy("reset_student_attempts")

        assert_error(staff.post(url, {"unique_student_identifier": "learner"}), 400, "validation_error")
        assert_error(
            staff.post(url, {"problem_to_reset": "broken", "unique_student_identifier": "learner"}),
            400,
            "invalid_problem_location",
        )
        assert_error(
            staff.post(url, {"problem_to_reset": str(foreign.usage_key), "unique_student_identifier": "learner"}),
            404,
            "problem_not_found",
        )
        assert_error(
            staff.post(url, {"problem_to_reset": str(graded.q1.usage_key), "unique_student_identifier": "nobody"}),
            404,
            "learner_not_found",
        )


class TestRescoreProblem:
    def test_one_learner(self, staff, graded, users, django_capture_on_commit_callbacks):
        give_state(users["learner"], graded.q1, score=0.0, correct=2)

        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(
                legacy("rescore_problem"), {**valid(graded)["rescore_problem"], "only_if_higher": "true"}
            )

        assert response.status_code == 200
        assert response.json() == {
            "problem_to_reset": str(graded.q1.usage_key),
            "student": "learner",
            "task": "created",
        }
        task = InstructorTask.objects.get()
        assert (task.task_type, task.state, task.task_input["only_if_higher"]) == (RESCORE_TASK, "completed", True)
        assert ProblemState.objects.get().score == 2.0

    def test_all_students(self, instructor, graded):
        response = instructor.post(
            legacy("rescore_problem"), {"problem_to_reset": str(graded.q1.usage_key), "all_students": "true"}
        )

        assert response.json() == {"problem_to_reset": str(graded.q1.usage_key), "task": "created"}
        assert InstructorTask.objects.get().learner is None

    def test_all_students_needs_an_instructor(self, staff, graded):
        response = staff.post(
            legacy("rescore_problem"), {"problem_to_reset": str(graded.q1.usage_key), "all_students": "true"}
        )

        assert_error(response, 403, "permission_denied", "Requires instructor access.")

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            ({}, "Missing query parameters."),
            (
                {"all_students": "true", "unique_student_identifier": "learner"},
                "Cannot rescore with all_students and unique_student_identifier.",
            ),
        ],
    )
    def test_parameter_combinations(self, instructor, graded, extra, message):
        response = instructor.post(legacy("rescore_problem"), {"problem_to_reset": str(graded.q1.usage_key), **extra})

        assert_error(response, 400, "invalid_request", message)

    def test_no_state(self, staff, graded):
        response = staff.post(legacy("rescore_problem"), valid(graded)["rescore_problem"])

        assert_error(response, 400, "module_does_not_exist")


class TestOverrideProblemScore:
    def test_queues_the_override(self, staff, graded, users, django_capture_on_commit_callbacks):
        give_state(users["learner"], graded.q1, score=0.0)

        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(legacy("override_problem_score"), valid(graded)["override_problem_score"])

        assert response.status_code == 200
        assert response.json() == {
            "problem_to_reset": str(graded.q1.usage_key),
            "student": "learner",
            "task": "created",
        }
        task = InstructorTask.objects.get()
        assert (task.task_type, task.state) == (OVERRIDE_SCORE_TASK, "completed")
        assert ProblemState.objects.get().score == 1.0

    def test_score_above_the_maximum(self, staff, graded, users):
        give_state(users["learner"], graded.q1, score=0.0)

        response = staff.post(
            legacy("override_problem_score"), {**valid(graded)["override_problem_score"], "score": "3"}
        )

        assert_error(response, 400, "invalid_score")
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize("score", ["", "-1", "abc"])
    def test_invalid_score(self, staff, graded, score):
        response = staff.post(
            legacy("override_problem_score"), {**valid(graded)["override_problem_score"], "score": score}
        )

        assert_error(response, 400, "validation_error")


class TestSameResultThroughBothDoors:
    """The legacy and the v2 doors call the same grading functions: same state, same audit, same task."""

    def test_reset_attempts(self, api_v2_on, staff, graded, users):
        give_state(users["learner"], graded.q1, score=1.0, attempts=3)
        give_state(users["learner"], graded.q2, score=1.0, attempts=3)

        staff.post(legacy("reset_student_attempts"), valid(graded)["reset_student_attempts"])
        staff.post(v2(suffix=f"/{graded.q2.usage_key}/grading/attempts/reset"), {"learner": "learner"})

        states = {state.usage_key: (state.attempts, state.score) for state in ProblemState.objects.all()}
        assert states[graded.q1.usage_key] == states[graded.q2.usage_key] == (0, 1.0)
        assert list(AuditRecord.objects.values_list("action", flat=True)) == ["reset_attempts", "reset_attempts"]

    def test_score_override(self, api_v2_on, staff, graded, users, django_capture_on_commit_callbacks):
        give_state(users["learner"], graded.q1, score=0.0)
        give_state(users["learner"], graded.q2, score=0.0)

        with django_capture_on_commit_callbacks(execute=True):
            staff.post(legacy("override_problem_score"), valid(graded)["override_problem_score"])
            staff.put(
                v2(suffix=f"/{graded.q2.usage_key}/grading/scores"), {"learner": "learner", "score": 1}, format="json"
            )

        tasks = InstructorTask.objects.order_by("created")
        assert [(task.task_type, task.state, task.task_input["score"]) for task in tasks] == [
            (OVERRIDE_SCORE_TASK, "completed", 1.0)
        ] * 2
        assert set(ProblemState.objects.values_list("score", flat=True)) == {1.0}
