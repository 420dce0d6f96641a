"""The problem look-up, the grading configuration and the grading operations of the Grading tab."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from openedx_events.learning.signals import PERSISTENT_GRADE_SUMMARY_CHANGED

from instructor_plugin.backends.builtin.models import Block, Course, CourseGrade, ProblemState
from instructor_plugin.grading import OVERRIDE_SCORE_TASK, RESCORE_TASK, RESET_ATTEMPTS_TASK
from instructor_plugin.instructor_tasks import create_task_record
from instructor_plugin.models import AuditRecord, InstructorTask, InstructorTaskResult
from tests.conftest import COURSE_ID, enroll, make_user, v2
from tests.grading_fixtures import GradedCourse, build_graded_course, give_state


@pytest.fixture
def graded(course) -> GradedCourse:
    return build_graded_course(course)


FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def staff_client(api_v2_on, client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture
def instructor_client(api_v2_on, client, users):
    client.force_authenticate(users["instructor"])
    return client


@pytest.fixture
def grade_events():
    received = []

    def receiver(sender, signal, **kwargs):
        received.append(kwargs["grade"])

    PERSISTENT_GRADE_SUMMARY_CHANGED.connect(receiver)
    yield received
    PERSISTENT_GRADE_SUMMARY_CHANGED.disconnect(receiver)


def op(block, suffix: str) -> str:
    return v2(suffix=f"/{block.usage_key}/grading/{suffix}")


def form(client, method: str, path: str, data: dict | None = None):
    return getattr(client, method)(path, urlencode(data or {}), content_type=FORM)


def assert_error(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code
    if message is not None:
        assert body["error"] == message
    assert body["detail"] == body["error"] == body["developer_message"]


class TestProblemDetail:
    def test_breadcrumbs_score_and_attempts(self, staff_client, graded, users):
        give_state(users["learner"], graded.q1, score=1.0, attempts=2)

        response = staff_client.get(v2(suffix=f"/problems/{graded.q1.usage_key}?email_or_username=learner"))

        assert response.status_code == 200
        assert response.json() == {
            "id": str(graded.q1.usage_key),
            "name": "Question 1",
            "breadcrumbs": [
                {"display_name": "", "usage_key": None},
                {"display_name": "Week 1", "usage_key": "block-v1:TestX+T101+2026+type@chapter+block@week1"},
                {"display_name": "Homework 1", "usage_key": str(graded.homework.usage_key)},
                {"display_name": "Unit 1", "usage_key": "block-v1:TestX+T101+2026+type@vertical+block@hw1_unit"},
                {"display_name": "Question 1", "usage_key": str(graded.q1.usage_key)},
            ],
            "current_score": {"score": 1.0, "total": 2.0},
            "attempts": {"current": 2, "total": 3},
        }

    def test_without_a_learner_or_state(self, staff_client, graded):
        body = staff_client.get(v2(suffix=f"/problems/{graded.q2.usage_key}?email_or_username=learner")).json()

        assert (body["current_score"], body["attempts"]) == (None, None)

    def test_malformed_key(self, staff_client, graded):
        assert_error(
            staff_client.get(v2(suffix="/problems/not-a-key")),
            400,
            "invalid_problem_location",
            "Invalid problem location.",
        )

    def test_problem_of_another_course(self, staff_client, graded):
        other = Course.objects.create(course_key="course-v1:Other+O1+2026", display_name="Other")
        block = Block.objects.create(
            course=other, usage_key=other.course_key.make_usage_key("problem", "x"), block_type="problem"
        )

        assert_error(staff_client.get(v2(suffix=f"/problems/{block.usage_key}")), 404, "problem_not_found")

    def test_unknown_learner(self, staff_client, graded):
        response = staff_client.get(v2(suffix=f"/problems/{graded.q1.usage_key}?email_or_username=nobody"))

        assert_error(response, 404, "learner_not_found")


class TestGradingConfig:
    def test_json_string_with_graders_subsections_and_cutoffs(self, staff_client, graded):
        response = staff_client.get(v2(suffix="/grading-config"))

        assert response.status_code == 200
        text = json.loads(response.content)
        assert isinstance(text, str)
        assert "Homework (HW): weight 50%, at least 1, 0 dropped" in text
        assert "  Homework 1 [Homework]" in text
        assert f"    Question 2 ({graded.q2.usage_key}), weight 3" in text
        assert "  A: 90%\n  Pass: 50%" in text

    def test_data_researcher_may_read(self, api_v2_on, client, users, graded):
        client.force_authenticate(users["data_researcher"])

        assert client.get(v2(suffix="/grading-config")).status_code == 200


class TestResetAttempts:
    def test_one_learner_form_encoded(self, staff_client, graded, users, course_key):
        give_state(users["learner"], graded.q1, score=1.0, attempts=3)

        response = form(staff_client, "post", op(graded.q1, "attempts/reset"), {"learner": "learner"})

        assert response.status_code == 200
        assert response.json() == {
            "success": True,
            "learner": "learner",
            "problem_location": str(graded.q1.usage_key),
            "score": 1.0,
            "previous_score": 1.0,
            "message": "Attempts reset successfully",
        }
        assert ProblemState.objects.get(usage_key=graded.q1.usage_key).attempts == 0
        audit = AuditRecord.objects.get()
        assert (audit.action, audit.actor, audit.learner, audit.usage_key) == (
            "reset_attempts",
            users["course_staff"],
            users["learner"],
            graded.q1.usage_key,
        )

    def test_learner_in_the_query(self, staff_client, graded, users):
        give_state(users["learner"], graded.q1, score=1.0, attempts=3)

        assert staff_client.post(op(graded.q1, "attempts/reset") + "?learner=learner").status_code == 200

    def test_no_state(self, staff_client, graded, users):
        response = form(staff_client, "post", op(graded.q1, "attempts/reset"), {"learner": "learner"})

        assert_error(response, 404, "state_not_found", "No state found for this learner and problem.")

    def test_all_learners_needs_an_instructor(self, staff_client, graded):
        response = form(staff_client, "post", op(graded.q1, "attempts/reset"))

        assert_error(response, 403, "permission_denied", "Instructor access required for bulk operations.")

    def test_all_learners_runs_a_task(
        self, instructor_client, graded, users, course_key, django_capture_on_commit_callbacks
    ):
        other = make_user("other")
        enroll(other, course_key)
        give_state(users["learner"], graded.q1, score=1.0, attempts=3)
        give_state(other, graded.q1, score=2.0, attempts=1)

        with django_capture_on_commit_callbacks(execute=True):
            response = form(instructor_client, "post", op(graded.q1, "attempts/reset"))

        assert response.status_code == 202
        body = response.json()
        assert body["scope"] == {"learners": "all", "problem_location": str(graded.q1.usage_key)}
        task = InstructorTask.objects.get(task_id=body["task_id"])
        assert body["status_url"] == f"/api/instructor/v2/courses/{COURSE_ID}/tasks/{task.task_id}"
        assert (task.task_type, task.state, task.progress_current, task.progress_total) == (
            RESET_ATTEMPTS_TASK,
            "completed",
            2,
            2,
        )
        assert task.usage_key == graded.q1.usage_key
        assert list(ProblemState.objects.values_list("attempts", flat=True)) == [0, 0]
        assert InstructorTaskResult.objects.filter(task=task, succeeded=True).count() == 2
        assert AuditRecord.objects.filter(task=task, action="reset_attempts").count() == 2

    def test_duplicate_running_task(self, instructor_client, graded, users, course_key):
        running = create_task_record(
            RESET_ATTEMPTS_TASK, course_key, None, {}, scope=f"{graded.q1.usage_key}:all", usage_key=graded.q1.usage_key
        )

        response = form(instructor_client, "post", op(graded.q1, "attempts/reset"))

        assert_error(response, 409, "task_already_running", "A reset task is already running for this problem.")
        assert response.json()["task_id"] == str(running.task_id)


class TestLearnerAndProblemErrors:
    @pytest.mark.parametrize(
        ("method", "suffix"),
        [("post", "attempts/reset"), ("delete", "state"), ("post", "scores/rescore"), ("put", "scores")],
    )
    def test_learner_errors(self, staff_client, graded, users, method, suffix):
        make_user("twin")
        twin_email = make_user("twin2")
        twin_email.email = "twin"
        twin_email.save()
        path = op(graded.q1, suffix)
        data = {"new_score": "1"}

        assert_error(form(staff_client, method, path, {**data, "learner": "nobody"}), 404, "learner_not_found")
        assert_error(form(staff_client, method, path, {**data, "learner": "outsider"}), 400, "learner_not_enrolled")
        assert_error(form(staff_client, method, path, {**data, "learner": "twin"}), 400, "ambiguous_identifier")

    @pytest.mark.parametrize(
        ("method", "suffix"),
        [("post", "attempts/reset"), ("delete", "state"), ("post", "scores/rescore"), ("put", "scores")],
    )
    def test_problem_errors(self, staff_client, graded, method, suffix):
        other = Course.objects.create(course_key="course-v1:Other+O1+2026", display_name="Other")
        foreign = Block.objects.create(
            course=other, usage_key=other.course_key.make_usage_key("problem", "x"), block_type="problem"
        )
        data = {"learner": "learner", "new_score": "1"}

        assert_error(form(staff_client, method, op(foreign, suffix), data), 404, "problem_not_found")
        malformed = v2(suffix=f"/block-v1:broken/grading/{suffix}")
        assert_error(form(staff_client, method, malformed, data), 400, "invalid_problem_location")

    @pytest.mark.parametrize(("method", "suffix"), [("delete", "state"), ("put", "scores")])
    def test_learner_required(self, staff_client, graded, method, suffix):
        response = form(staff_client, method, op(graded.q1, suffix), {"new_score": "1"})

        assert_error(response, 400, "learner_required", "The learner parameter is required.")


class TestDeleteState:
    def test_form_encoded_delete(
        self, staff_client, graded, users, course_key, grade_events, django_capture_on_commit_callbacks
    ):
        give_state(users["learner"], graded.q1, score=2.0)
        give_state(users["learner"], graded.q2, score=2.0)
        CourseGrade.objects.create(user=users["learner"], course_key=course_key, percent=0.5)

        with django_capture_on_commit_callbacks(execute=True):
            response = form(staff_client, "delete", op(graded.q2, "state"), {"learner": "learner@example.com"})

        assert response.status_code == 200
        assert response.json() == {
            "success": True,
            "learner": "learner",
            "problem_location": str(graded.q2.usage_key),
            "score": None,
            "previous_score": 2.0,
            "message": "State deleted successfully",
        }
        assert not ProblemState.objects.filter(usage_key=graded.q2.usage_key).exists()
        assert CourseGrade.objects.get(user=users["learner"]).percent == 0.12
        audit = AuditRecord.objects.get(action="delete_state")
        assert audit.detail == {"previous_score": 2.0, "new_score": None, "max_score": 2.0}
        assert [(event.user_id, event.percent_grade) for event in grade_events] == [(users["learner"].pk, 0.12)]

    def test_json_body(self, staff_client, graded, users):
        give_state(users["learner"], graded.q1, score=2.0)

        response = staff_client.delete(op(graded.q1, "state"), {"learner": "learner"}, format="json")

        assert response.status_code == 200
        assert not ProblemState.objects.exists()


class TestRescore:
    def test_one_learner(
        self, staff_client, graded, users, course_key, grade_events, django_capture_on_commit_callbacks
    ):
        give_state(users["learner"], graded.q1, score=0.0, correct=2)

        with django_capture_on_commit_callbacks(execute=True):
            response = form(
                staff_client, "post", op(graded.q1, "scores/rescore"), {"learner": "learner", "only_if_higher": "true"}
            )

        assert response.status_code == 202
        assert response.json()["scope"] == {"learners": "learner", "problem_location": str(graded.q1.usage_key)}
        task = InstructorTask.objects.get()
        assert (task.task_type, task.state, task.learner, task.task_input["only_if_higher"]) == (
            RESCORE_TASK,
            "completed",
            users["learner"],
            True,
        )
        result = InstructorTaskResult.objects.get(task=task)
        assert (result.identifier, result.succeeded, result.detail) == (
            "learner",
            True,
            {"previous_score": 0.0, "new_score": 2.0, "max_score": 2.0},
        )
        assert ProblemState.objects.get().score == 2.0
        assert CourseGrade.objects.get(user=users["learner"]).breakdown == {"Homework": 0.25, "Lab": 0.0}
        assert AuditRecord.objects.get(action="rescore").detail["new_score"] == 2.0
        assert [event.percent_grade for event in grade_events] == [0.12]

    def test_only_if_higher_in_a_json_body(self, staff_client, graded, users, django_capture_on_commit_callbacks):
        give_state(users["learner"], graded.q1, score=2.0, correct=1)

        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                op(graded.q1, "scores/rescore"), {"learner": "learner", "only_if_higher": True}, format="json"
            )

        assert response.status_code == 202
        assert ProblemState.objects.get().score == 2.0

    def test_all_learners(self, instructor_client, graded, course_key, django_capture_on_commit_callbacks):
        learners = [make_user(f"l{number}") for number in range(3)]
        for number, user in enumerate(learners):
            enroll(user, course_key)
            give_state(user, graded.q1, score=0.0, correct=number)

        with django_capture_on_commit_callbacks(execute=True):
            response = instructor_client.post(op(graded.q1, "scores/rescore") + "?only_if_higher=false")

        assert response.status_code == 202
        task = InstructorTask.objects.get(task_id=response.json()["task_id"])
        assert (task.state, task.progress_current, task.progress_total, task.output["changed"]) == (
            "completed",
            3,
            3,
            2,
        )
        assert [state.score for state in ProblemState.objects.order_by("user_id")] == [0.0, 1.0, 2.0]
        assert AuditRecord.objects.filter(task=task, action="rescore").count() == 3
        assert CourseGrade.objects.filter(course_key=course_key).count() == 2

    def test_all_learners_needs_an_instructor(self, staff_client, graded):
        assert_error(form(staff_client, "post", op(graded.q1, "scores/rescore")), 403, "permission_denied")

    def test_no_state(self, staff_client, graded):
        response = form(staff_client, "post", op(graded.q1, "scores/rescore"), {"learner": "learner"})

        assert_error(response, 404, "state_not_found")
        assert not InstructorTask.objects.exists()

    def test_duplicate_running_task(self, staff_client, graded, users, course_key):
        give_state(users["learner"], graded.q1, score=0.0)
        create_task_record(RESCORE_TASK, course_key, None, {}, scope=f"{graded.q1.usage_key}:{users['learner'].pk}")

        response = form(staff_client, "post", op(graded.q1, "scores/rescore"), {"learner": "learner"})

        assert_error(
            response, 409, "task_already_running", "A rescore task is already running for this learner and problem."
        )


class TestScoreOverride:
    def test_form_encoded_new_score(
        self, staff_client, graded, users, course_key, grade_events, django_capture_on_commit_callbacks
    ):
        give_state(users["learner"], graded.q2, score=0.0)

        with django_capture_on_commit_callbacks(execute=True):
            response = form(staff_client, "put", op(graded.q2, "scores"), {"learner": "learner", "new_score": "1.5"})

        assert response.status_code == 202
        task = InstructorTask.objects.get(task_id=response.json()["task_id"])
        assert (task.task_type, task.state, task.output["succeeded"]) == (OVERRIDE_SCORE_TASK, "completed", 1)
        assert ProblemState.objects.get().score == 1.5
        # homework 3 * 0.75 / 4 = 0.5625; 0.5 * 0.5625 = 0.28
        assert CourseGrade.objects.get(user=users["learner"]).percent == 0.28
        audit = AuditRecord.objects.get(action="override_score")
        assert (audit.task, audit.actor, audit.detail) == (
            task,
            users["course_staff"],
            {"previous_score": 0.0, "new_score": 1.5, "max_score": 2.0},
        )
        assert [(event.user_id, event.percent_grade) for event in grade_events] == [(users["learner"].pk, 0.28)]

    def test_json_score(self, staff_client, graded, users, django_capture_on_commit_callbacks):
        give_state(users["learner"], graded.q2, score=0.0)

        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.put(op(graded.q2, "scores"), {"learner": "learner", "score": 2}, format="json")

        assert response.status_code == 202
        assert ProblemState.objects.get().score == 2.0

    @pytest.mark.parametrize(
        ("score", "code"), [("-1", "validation_error"), ("abc", "validation_error"), ("3", "invalid_score")]
    )
    def test_invalid_scores(self, staff_client, graded, users, score, code):
        give_state(users["learner"], graded.q2, score=0.0)

        response = form(staff_client, "put", op(graded.q2, "scores"), {"learner": "learner", "new_score": score})

        assert_error(response, 400, code)
        assert not InstructorTask.objects.exists()

    def test_above_the_maximum_message(self, staff_client, graded, users):
        give_state(users["learner"], graded.q2, score=0.0)

        response = form(staff_client, "put", op(graded.q2, "scores"), {"learner": "learner", "new_score": "3"})

        assert response.json()["error"] == "The score must be between 0 and the problem's maximum of 2."

    def test_duplicate_running_task(self, staff_client, graded, users, course_key):
        give_state(users["learner"], graded.q2, score=0.0)
        create_task_record(
            OVERRIDE_SCORE_TASK, course_key, None, {}, scope=f"{graded.q2.usage_key}:{users['learner'].pk}"
        )

        response = form(staff_client, "put", op(graded.q2, "scores"), {"learner": "learner", "new_score": "1"})

        assert_error(
            response,
            409,
            "task_already_running",
            "A score override task is already running for this learner and problem.",
        )
