"""The grading writes validate their input with their serializers: query or body, form or JSON, never a 500."""

from __future__ import annotations

import pytest

from instructor_plugin.models import InstructorTask
from tests.conftest import v2
from tests.grading_fixtures import build_graded_course, give_state


@pytest.fixture
def graded(course, users):
    graded = build_graded_course(course)
    give_state(users["learner"], graded.q1, score=1.0)
    return graded


@pytest.fixture
def staff(api_v2_on, client, users):
    client.force_authenticate(users["instructor"])
    return client


def op(graded, suffix: str) -> str:
    return v2(suffix=f"/{graded.q1.usage_key}/grading/{suffix}")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("post", "attempts/reset"), ("delete", "state"), ("post", "scores/rescore"), ("put", "scores")],
)
@pytest.mark.parametrize("body", [["learner"], "learner", 3])
def test_a_json_body_that_is_not_an_object_is_refused_before_any_write(staff, graded, method, suffix, body):
    response = getattr(staff, method)(op(graded, suffix), body, format="json")

    assert (response.status_code, response.json()["error_code"]) == (400, "invalid_body")
    assert not InstructorTask.objects.exists()


def test_json_bodies_are_read(staff, graded, django_capture_on_commit_callbacks):
    response = staff.post(op(graded, "scores/rescore"), {"learner": "learner", "only_if_higher": True}, format="json")

    assert response.status_code == 202, response.content
    assert InstructorTask.objects.get().task_input["only_if_higher"] is True


def test_the_query_wins_over_the_body(staff, graded):
    response = staff.post(
        op(graded, "scores/rescore") + "?only_if_higher=false&learner=learner",
        {"learner": "nobody", "only_if_higher": True},
        format="json",
    )

    assert response.status_code == 202, response.content
    task = InstructorTask.objects.get()
    assert (task.task_input["learner"], task.task_input["only_if_higher"]) == ("learner", False)


@pytest.mark.parametrize("body", [{"learner": "learner", "only_if_higher": "maybe"}, {"learner": "x" * 256}])
def test_invalid_fields_are_validation_errors(staff, graded, body):
    response = staff.post(op(graded, "scores/rescore"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["field_errors"]) <= {"only_if_higher", "learner"}


@pytest.mark.parametrize("score", ["nan", "inf", "1e400", "-1"])
def test_a_score_that_is_no_finite_number_is_refused(staff, graded, score):
    response = staff.put(op(graded, "scores"), {"learner": "learner", "new_score": score}, format="json")

    assert (response.status_code, response.json()["error_code"]) == (400, "validation_error")
